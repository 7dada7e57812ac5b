import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { initialTaskStates } from '../../lib/core/tasks.js';
import type { ActionRecord, ReleaseState, TimelineEntry } from '../../lib/core/types/release.js';

/** Builders of releases and what is stored beside them, shared by the adapter, service and lambda tests. */

/** A minimal valid release state at revision 1, just started from vulnerability issue `iid`. */
export function releaseState(iid: number, overrides: Partial<ReleaseState> = {}): ReleaseState {
  return {
    id: `42-${iid}`,
    revision: 1,
    status: 'planning',
    projectId: 42,
    projectPath: 'acme/product',
    vulnerabilityIssue: { projectId: 42, iid },
    slipHours: 0,
    versions: [],
    phase: 'first-steps',
    tasks: {},
    mergeRequests: {},
    pipelines: {},
    deployments: {},
    gates: {},
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:00:00.000Z',
    ...overrides,
  };
}

/** The same release one revision later, with a change applied. */
export function nextRevision(state: ReleaseState, change: Partial<ReleaseState> = {}): ReleaseState {
  return { ...state, ...change, revision: state.revision + 1 };
}

/** A timeline line with a non-confidential summary. */
export function entry(summary: string, at = '2026-12-01T09:00:00.000Z'): TimelineEntry {
  return { at, kind: 'test', summary };
}

/** An action record as an action handler writes it before calling out. */
export function startedAction(releaseId: string, overrides: Partial<ActionRecord> = {}): ActionRecord {
  return {
    releaseId,
    action: 'build-packages',
    subject: '17.5',
    status: 'started',
    startedAt: '2026-12-03T10:00:00.000Z',
    ...overrides,
  };
}

/** A release ready to publish: every earlier task done, every version's security MR merged. */
export function readyToPublish(versions: readonly string[] = ['17.5', '17.4']): Partial<ReleaseState> {
  const tasks = initialTaskStates(DEFAULT_PLAYBOOK, versions);
  const done = { status: 'done', by: 'someone', at: '2026-12-03T10:00:00.000Z', via: 'command' } as const;
  for (const key of Object.keys(tasks)) {
    const phase = DEFAULT_PLAYBOOK.tasks.find((t) => t.id === key.split('@')[0])?.phase;
    if (phase !== 'day-four-end' && phase !== 'afterwards') tasks[key] = done;
  }
  const mergeRequests = Object.fromEntries(
    versions.map((version, i) => [
      `42!${i + 1}`,
      {
        projectId: 42,
        iid: i + 1,
        targetBranch: `${version.replace('.', '-')}-stable`,
        sourceBranch: `fix-${version}`,
        version,
        state: 'merged' as const,
        url: `https://gitlab.example.com/acme/product/-/merge_requests/${i + 1}`,
        updatedAt: '2026-12-02T10:00:00.000Z',
        countedVia: 'role' as const,
      },
    ]),
  );
  return { versions, tasks, mergeRequests, phase: 'day-four-end', status: 'running' };
}
