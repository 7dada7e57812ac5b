import * as z from 'zod';
import { playbookSchema } from './playbook.js';
import { ROLES } from './types/playbook.js';

/** A pipeline secrel starts for an automated action: project, ref and extra variables. */
const pipelineTargetSchema = z.object({
  /** GitLab project id or path that runs the pipeline. */
  project: z.union([z.number().int().positive(), z.string().min(1)]),
  /** Branch or tag to run it on. `{version}` is replaced by the affected version's branch version (`17-5`). */
  ref: z.string().min(1),
  /** Extra CI variables; secrel adds `SECREL_RELEASE_ID`, `SECREL_ACTION` and `SECREL_VERSION`. */
  variables: z.record(z.string(), z.string()).default({}),
});

/** The project-wide config (DESIGN.md §8). Secrets never live here: they come from the environment. */
export const configSchema = z.object({
  gitlab: z.object({ url: z.url() }),
  projects: z
    .array(
      z.object({
        id: z.number().int().positive(),
        path: z.string().min(1),
        defaultBranch: z.string().min(1),
        /** Branch patches start from (the seed's "dev CE security branch"); no patch branch when absent. */
        securityBranch: z.string().min(1).optional(),
      }),
    )
    .min(1),
  releaseLabel: z.string().min(1).default('critical security release'),
  /** Target branch → affected version; the first two captures are major and minor. */
  versionBranchPattern: z.string().default('^(\\d+)-(\\d+)-stable(-ee)?$'),
  roles: z.partialRecord(z.enum(ROLES), z.array(z.string().min(1))).default({}),
  /** Roles whose members start a release by adding the label; anyone else is told who may. */
  startRoles: z.array(z.enum(ROLES)).min(1).default(['security lead']),
  /** Project that receives the infrastructure mitigation issue; the release's project when absent. */
  infrastructureProject: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
  /** Pipelines started by automated actions, by action. An action without a target is recorded as skipped. */
  pipelines: z
    .object({
      'build-test-packages': pipelineTargetSchema.optional(),
      'build-packages': pipelineTargetSchema.optional(),
      'publish-packages': pipelineTargetSchema.optional(),
      'publish-docker': pipelineTargetSchema.optional(),
      'publish-code': pipelineTargetSchema.optional(),
      'update-githost': pipelineTargetSchema.optional(),
    })
    .default({}),
  versionServer: z.object({ url: z.url() }).optional(),
  hackerone: z
    .object({
      url: z.url().default('https://api.hackerone.com/v1'),
      /** HackerOne report ids linked to the release, by vulnerability issue (`<projectId>-<iid>`). */
      reports: z.record(z.string(), z.array(z.string())).default({}),
    })
    .optional(),
  /** Where "Update vulnerability acknowledgements" writes: an issue that gets a comment. */
  acknowledgements: z
    .object({
      project: z.union([z.number().int().positive(), z.string().min(1)]),
      issueIid: z.number().int(),
    })
    .optional(),
  /**
   * Local mode: host names (with or without port) besides 127.0.0.1/localhost under which the API and
   * dashboard answer, e.g. a reverse proxy's. Any other `Host` gets 421 (DNS rebinding guard).
   */
  localAllowedHosts: z.array(z.string().min(1)).default([]),
  /** An optional Slack incoming webhook URL gets non-confidential copies of notifications. */
  slack: z.object({ webhookUrl: z.url() }).optional(),
  playbook: playbookSchema.optional(),
});

/** Validated secrel config. */
export type SecrelConfig = z.infer<typeof configSchema>;

/** Parses config; throws a one-line error naming the first bad field. */
export function parseConfig(input: unknown): SecrelConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid config: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
