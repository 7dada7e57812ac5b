import * as z from 'zod';
import {
  ACTION_KINDS,
  PHASE_ID_PATTERN,
  type Playbook,
  ROLES,
  SIGNALS,
  TASK_NEEDS,
  TASK_PROOFS,
} from './types/playbook.js';

/**
 * The shape a team's playbook must have (config `playbook`): task ids unique, every task in a
 * phase the playbook lists, phases once each and in process order.
 */

const dayTimeSchema = z.object({
  dayOffset: z.number().int().min(0).max(60),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:mm in UTC'),
});

/** Schema of a phase id (playbook data). */
export const phaseIdSchema = z.string().regex(PHASE_ID_PATTERN, 'phase id must be lower-case kebab-case');

const completionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('automated'), action: z.enum(ACTION_KINDS) }),
  z.object({ kind: z.literal('observed'), signal: z.enum(SIGNALS) }),
  z.object({ kind: z.literal('manual') }),
]);

/** Schema of a playbook a team supplies in config. */
export const playbookSchema = z
  .object({
    phases: z
      .array(
        z.object({
          id: phaseIdSchema,
          title: z.string().min(1),
          start: dayTimeSchema.nullable(),
          cutoff: dayTimeSchema,
        }),
      )
      .min(1),
    tasks: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'task id must be lower-case kebab-case'),
          text: z.string().min(1),
          phase: phaseIdSchema,
          owners: z.array(z.enum(ROLES)).min(1),
          completion: completionSchema,
          scope: z.enum(['release', 'each-version', 'latest-version']).default('release'),
          stage: z.enum(['publish', 'disclose']).optional(),
          needs: z.enum(TASK_NEEDS).optional(),
          provenBy: z.enum(TASK_PROOFS).optional(),
        }),
      )
      .min(1),
  })
  .superRefine((pb, ctx) => {
    const ids = new Set<string>();
    for (const [i, task] of pb.tasks.entries()) {
      if (ids.has(task.id))
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id ${task.id}` });
      ids.add(task.id);
      if (!pb.phases.some((p) => p.id === task.phase)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tasks', i, 'phase'],
          message: `task ${task.id} names a phase the playbook lacks`,
        });
      }
    }
    const phaseIds = pb.phases.map((p) => p.id);
    // Only the first phase may open with the release; every later one opens at a time of the schedule.
    const startsInOrder = pb.phases.every((phase, i) => {
      const previous = pb.phases[i - 1]?.start;
      if (i > 0 && phase.start === null) return false;
      return !(phase.start && previous && minutesOf(phase.start) < minutesOf(previous));
    });
    if (new Set(phaseIds).size !== phaseIds.length || !startsInOrder) {
      ctx.addIssue({
        code: 'custom',
        path: ['phases'],
        message: 'phases must be listed once each, in process order',
      });
    }
  });

function minutesOf(at: { readonly dayOffset: number; readonly time: string }): number {
  const [h = 0, m = 0] = at.time.split(':').map(Number);
  return at.dayOffset * 1440 + h * 60 + m;
}

/** Validates a team's playbook; throws a one-line error naming the first bad field. */
export function parsePlaybook(input: unknown): Playbook {
  const result = playbookSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || 'playbook';
    throw new Error(`invalid playbook: ${where}: ${issue?.message ?? 'does not match the schema'}`);
  }
  return result.data as Playbook;
}
