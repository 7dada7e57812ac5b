import * as z from 'zod';
import { ACTION_KINDS, PHASE_ID_PATTERN } from '../../core/types/playbook.js';
import {
  type ActionRecord,
  RELEASE_STATUSES,
  type ReleaseState,
  type TimelineEntry,
} from '../../core/types/release.js';
import { type ItemKey, STATE_SK } from './table-layout.js';

/**
 * Parsers for items read back from the table. Objects are loose at every level so a field the core
 * adds later survives a round trip through an older reader instead of being silently dropped.
 */

const issueRefSchema = z.looseObject({ projectId: z.number(), iid: z.number(), url: z.string().optional() });

const taskStateSchema = z.looseObject({
  status: z.enum(['open', 'done', 'waived']),
  by: z.string().optional(),
  at: z.string().optional(),
  reason: z.string().optional(),
});

const mergeRequestSchema = z.looseObject({
  projectId: z.number(),
  iid: z.number(),
  targetBranch: z.string(),
  sourceBranch: z.string(),
  version: z.string(),
  state: z.enum(['opened', 'closed', 'merged', 'locked']),
  url: z.string(),
  updatedAt: z.string(),
});

const pipelineSchema = z.looseObject({
  projectId: z.number(),
  pipelineId: z.number(),
  ref: z.string(),
  status: z.string(),
  action: z.string().optional(),
  updatedAt: z.string(),
});

const deploymentSchema = z.looseObject({
  environment: z.string(),
  status: z.string(),
  deploymentId: z.number(),
  updatedAt: z.string(),
});

const gateSchema = z.looseObject({
  // `failed`: a `pipeline:` gate whose pipeline failed; it must read back so the task fails at once.
  status: z.enum(['waiting', 'open', 'failed']),
  token: z.string().optional(),
  since: z.string(),
  openedAt: z.string().optional(),
  failedAt: z.string().optional(),
});

const releaseStateSchema = z.looseObject({
  id: z.string(),
  revision: z.number().int().positive(),
  status: z.enum(RELEASE_STATUSES),
  projectId: z.number(),
  projectPath: z.string(),
  vulnerabilityIssue: issueRefSchema,
  releaseIssue: issueRefSchema.optional(),
  mitigationIssue: issueRefSchema.extend({ state: z.enum(['opened', 'closed']) }).optional(),
  dayOne: z.string().optional(),
  slipHours: z.number(),
  versions: z.array(z.string()),
  phase: z.string().regex(PHASE_ID_PATTERN),
  tasks: z.record(z.string(), taskStateSchema),
  mergeRequests: z.record(z.string(), mergeRequestSchema),
  pipelines: z.record(z.string(), pipelineSchema),
  deployments: z.record(z.string(), deploymentSchema),
  gates: z.record(z.string(), gateSchema),
  tags: z
    .record(
      z.string(),
      z.looseObject({
        tag: z.string(),
        patchVersion: z.string(),
        projectId: z.number(),
        projectPath: z.string(),
        source: z.enum(['tag', 'release']),
        seenAt: z.string(),
      }),
    )
    .optional(),
  abortedReason: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const timelineEntrySchema = z.looseObject({
  at: z.string(),
  kind: z.string(),
  summary: z.string(),
  actor: z.string().optional(),
});

const actionRecordSchema = z.looseObject({
  releaseId: z.string(),
  action: z.enum([...ACTION_KINDS, 'notify', 'escalate']),
  subject: z.string(),
  status: z.enum(['started', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  result: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  error: z.string().optional(),
});

const releaseItemSchema = z.object({ state: releaseStateSchema });
const timelineItemSchema = z.object({ entry: timelineEntrySchema });
const actionItemSchema = z.object({ record: actionRecordSchema });
const routeItemSchema = z.object({ releaseId: z.string() });
const releaseKeySchema = z.object({ pk: z.string(), sk: z.literal(STATE_SK) });

/** Reads the release state out of a stored state item. */
export function parseReleaseItem(item: unknown): ReleaseState {
  return releaseItemSchema.parse(item).state;
}

/** Reads a timeline entry out of a stored timeline item. */
export function parseTimelineItem(item: unknown): TimelineEntry {
  return timelineItemSchema.parse(item).entry;
}

/** Reads an action record out of a stored action item. */
export function parseActionItem(item: unknown): ActionRecord {
  return actionItemSchema.parse(item).record;
}

/** Reads the release id out of a stored routing item. */
export function parseRouteItem(item: unknown): string {
  return routeItemSchema.parse(item).releaseId;
}

/** Reads the table key of a release state out of a GSI item (keys only). */
export function parseReleaseKey(item: unknown): ItemKey {
  return releaseKeySchema.parse(item);
}
