/**
 * The one webhook secrel needs in each project: its URL, its nine triggers and SSL verification.
 * Which hook is secrel's, and what must change for an existing one to be right, are decided here.
 */

/**
 * The project hook fields (GitLab's hooks API names) secrel turns on: every event kind it reads
 * (DESIGN.md §5). Confidential issues and confidential comments are separate triggers in GitLab,
 * and a release lives in confidential issues, so both are listed explicitly.
 */
export const SECREL_HOOK_TRIGGERS = [
  'issues_events',
  'confidential_issues_events',
  'merge_requests_events',
  'pipeline_events',
  'note_events',
  'confidential_note_events',
  'deployment_events',
  'releases_events',
  'tag_push_events',
] as const;

/** One trigger field of a project hook. */
export type HookTrigger = (typeof SECREL_HOOK_TRIGGERS)[number];

/** What GitLab tells about an existing project hook (it never returns the secret token). */
export interface ProjectHookView {
  readonly id: number;
  readonly url: string;
  readonly enableSslVerification: boolean;
  /** The triggers that are on. */
  readonly triggers: readonly HookTrigger[];
}

/** The hook secrel wants in a project. */
export interface DesiredHook {
  readonly url: string;
  readonly enableSslVerification: boolean;
}

/** Which of secrel's triggers a hook lacks, and whether its SSL setting differs. */
export interface HookDrift {
  readonly missingTriggers: readonly HookTrigger[];
  readonly sslDiffers: boolean;
}

/** URLs compared the way a person means them: scheme and host case-insensitive, no trailing slash. */
export function sameHookUrl(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}

function normalise(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

/** secrel's hook among a project's hooks: the one with secrel's URL (so a rerun never adds a second). */
export function findSecrelHook(hooks: readonly ProjectHookView[], url: string): ProjectHookView | undefined {
  return hooks.find((hook) => sameHookUrl(hook.url, url));
}

/** What an existing hook lacks compared with the one secrel wants. */
export function hookDrift(hook: ProjectHookView, desired: DesiredHook): HookDrift {
  return {
    missingTriggers: SECREL_HOOK_TRIGGERS.filter((trigger) => !hook.triggers.includes(trigger)),
    sslDiffers: hook.enableSslVerification !== desired.enableSslVerification,
  };
}

/** True when the hook needs no change. */
export function hookIsRight(drift: HookDrift): boolean {
  return drift.missingTriggers.length === 0 && !drift.sslDiffers;
}

/** A trigger field as GitLab's settings page names it, for messages a person reads. */
export function triggerLabel(trigger: HookTrigger): string {
  return TRIGGER_LABELS[trigger];
}

const TRIGGER_LABELS: Readonly<Record<HookTrigger, string>> = {
  issues_events: 'Issues events',
  confidential_issues_events: 'Confidential issues events',
  merge_requests_events: 'Merge request events',
  pipeline_events: 'Pipeline events',
  note_events: 'Comments',
  confidential_note_events: 'Confidential comments',
  deployment_events: 'Deployment events',
  releases_events: 'Releases events',
  tag_push_events: 'Tag push events',
};
