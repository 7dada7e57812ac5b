import * as z from 'zod';

/** A project hook as the fake keeps it, as the hooks API reads it and as it answers it. */

/** The trigger fields a project hook has (GitLab's hooks API). */
export const FAKE_HOOK_TRIGGERS = [
  'push_events',
  'issues_events',
  'confidential_issues_events',
  'merge_requests_events',
  'tag_push_events',
  'note_events',
  'confidential_note_events',
  'job_events',
  'pipeline_events',
  'wiki_page_events',
  'deployment_events',
  'releases_events',
] as const;

/** One trigger field of a project hook. */
export type TriggerField = (typeof FAKE_HOOK_TRIGGERS)[number];

/** A project hook the fake keeps. GitLab never shows `token`; the fake keeps it to send it. */
export interface FakeHook {
  readonly id: number;
  readonly projectId: number;
  url: string;
  token: string | undefined;
  enableSslVerification: boolean;
  readonly triggers: Record<TriggerField, boolean>;
  readonly createdAt: string;
}

const triggerShape = Object.fromEntries(FAKE_HOOK_TRIGGERS.map((t) => [t, z.boolean().optional()])) as {
  [K in TriggerField]: z.ZodOptional<z.ZodBoolean>;
};
/** Body of `POST` and `PUT /projects/:id/hooks`. */
export const hookBody = z.object({
  url: z.url(),
  token: z.string().optional(),
  enable_ssl_verification: z.boolean().optional(),
  ...triggerShape,
});

/** A project hook as the hooks API answers it (never with its secret). */
export function hookJson(hook: FakeHook): Record<string, unknown> {
  return {
    id: hook.id,
    url: hook.url,
    name: null,
    description: null,
    project_id: hook.projectId,
    ...hook.triggers,
    push_events_branch_filter: '',
    enable_ssl_verification: hook.enableSslVerification,
    repository_update_events: false,
    alert_status: 'executable',
    created_at: hook.createdAt,
  };
}
