import * as z from 'zod';
import { playbookSchema } from './playbook-schema.js';
import { ROLES } from './types/playbook.js';

/** A pipeline secrel starts for an automated action: project, ref and extra variables. */
const pipelineTargetSchema = z.strictObject({
  /** GitLab project id or path that runs the pipeline. */
  project: z.union([z.number().int().positive(), z.string().min(1)]),
  /** Branch or tag to run it on. `{version}` is replaced by the affected version's branch version (`17-5`). */
  ref: z.string().min(1),
  /** Extra CI variables; secrel adds `SECREL_RELEASE_ID`, `SECREL_ACTION` and `SECREL_VERSION`. */
  variables: z.record(z.string(), z.string()).default({}),
});

/**
 * The number of capture groups of a pattern; throws when it is not a regular expression. An empty
 * alternative makes every pattern match the empty string, so the match array shows the groups.
 */
function captureGroups(pattern: string): number {
  return (new RegExp(`${pattern}|`).exec('')?.length ?? 1) - 1;
}

/** A version branch pattern: a regular expression whose first two groups are major and minor. */
const versionBranchPatternSchema = z.string().superRefine((pattern, ctx) => {
  let groups: number;
  try {
    groups = captureGroups(pattern);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid regular expression' });
    return;
  }
  if (groups < 2) ctx.addIssue({ code: 'custom', message: 'needs two capture groups, major and minor' });
});

/**
 * The project-wide config. Secrets never live here: they come from the environment. Unknown keys
 * are refused (a misspelt key would otherwise be silently ignored), and so are combinations that
 * can never take effect (see {@link unreachable}).
 */
const configShape = z.strictObject({
  gitlab: z.strictObject({ url: z.url() }),
  projects: z
    .array(
      z.strictObject({
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
  versionBranchPattern: versionBranchPatternSchema.default('^(\\d+)-(\\d+)-stable(-ee)?$'),
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
  versionServer: z.strictObject({ url: z.url() }).optional(),
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
  // No Slack key: its webhook URL lets anyone post, so it is a secret (Secrets Manager on AWS,
  // SECREL_SLACK_WEBHOOK_URL locally), and the strict schema refuses a `slack` key.
  playbook: playbookSchema.optional(),
});

/** Config settings that parse one by one but can never take effect together. */
function unreachable(config: z.infer<typeof configShape>, ctx: z.RefinementCtx): void {
  const ids = new Set<number>();
  const paths = new Set<string>();
  config.projects.forEach((project, index) => {
    if (ids.has(project.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['projects', index, 'id'],
        message: `project ${project.id} is listed twice`,
      });
    }
    if (paths.has(project.path)) {
      ctx.addIssue({
        code: 'custom',
        path: ['projects', index, 'path'],
        message: `project ${project.path} is listed twice`,
      });
    }
    ids.add(project.id);
    paths.add(project.path);
  });
  for (const key of Object.keys(config.hackerone?.reports ?? {})) {
    const projectId = /^(\d+)-\d+$/.exec(key)?.[1];
    if (projectId === undefined || !ids.has(Number(projectId))) {
      ctx.addIssue({
        code: 'custom',
        path: ['hackerone', 'reports', key],
        message: 'must be <project id>-<issue iid> of a configured project, or no release ever links it',
      });
    }
  }
}

/** The config schema: every key known, every setting reachable. */
export const configSchema = configShape.superRefine(unreachable);

/** Validated secrel config. */
export type SecrelConfig = z.infer<typeof configSchema>;

/** Parses config; throws a one-line error naming the first bad field. */
export function parseConfig(input: unknown): SecrelConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      const key = [...issue.path, issue.keys[0] ?? ''].join('.');
      throw new Error(`invalid config: ${key}: unknown key`);
    }
    throw new Error(`invalid config: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** The configured project with this GitLab id; undefined for a project secrel does not serve. */
export function configuredProject(
  config: SecrelConfig,
  projectId: number,
): SecrelConfig['projects'][number] | undefined {
  return config.projects.find((p) => p.id === projectId);
}
