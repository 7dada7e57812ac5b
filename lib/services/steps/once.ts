import { isoOf } from '../../core/moments.js';
import type { ActionRecord } from '../../core/types/release.js';
import { ActionTransientError } from '../../core/workflow-steps.js';
import type { RuntimeDeps } from '../types.js';
import { judgeFailure, toStepError } from './step-errors.js';

/**
 * At most once (DESIGN.md §4.3). Every action claims its record with a conditional write before
 * calling out, and every call it makes is a named part whose progress is written before and
 * after the call:
 *
 * - record `succeeded`: the stored result is returned, nothing is called;
 * - record `failed`: the action is claimed again (attempt + 1, conditional on the attempt read, so
 *   of two racing retries one wins and the other is told to retry later); parts already done are skipped;
 * - record `started` (a crash mid-action): the same, resuming after the last finished part.
 *
 * A part found `inflight` was cut off mid-call: whether it took effect is unknown. Parts whose
 * call is idempotent (lift confidentiality, link issues, approve disclosure) are simply called
 * again; parts that can look up what they made (a pipeline carries secrel's variables) look first
 * and call again only when nothing is there; the others (create an issue, comment) are never
 * repeated blindly: the action is told it was interrupted and reports it for a person to check. A call that got an
 * error answer (a 4xx or 5xx) did not take effect, so its part is cleared and may be retried; a
 * call that got no answer at all is left `inflight`, like a crash.
 */

/** Result values kept on a record: ids, `done`, or `inflight` while a call is under way. */
export type Progress = Readonly<Record<string, string | number>>;

const INFLIGHT = 'inflight';
const DONE = 'done';

/** Which action and subject a record is for (one per release, action and subject). */
export interface ActionSubject {
  readonly releaseId: string;
  readonly action: ActionRecord['action'];
  /** `release`, an affected version, a phase or a moment. */
  readonly subject: string;
}

/** How a claimed action's parts are run. */
export interface Parts {
  /** Progress stored by earlier attempts. */
  readonly previous: Progress;
  /**
   * Runs `call` once across attempts. Returns what it returned (or what an earlier attempt
   * stored), or `undefined` when an earlier attempt was cut off during this very call and it is
   * not `repeatable`.
   */
  part<T extends string | number | undefined>(
    name: string,
    call: () => Promise<T>,
    options?: PartOptions<T>,
  ): Promise<T | string | number | undefined>;
  /** Names of parts that were cut off earlier and not repeated. */
  readonly interrupted: readonly string[];
}

/** How a part may be run again after an attempt was cut off during its call. */
export interface PartOptions<T> {
  /** The call is idempotent: simply call it again. */
  readonly repeatable?: boolean;
  /**
   * Finds what a cut-off call made, if it made anything: its value is kept as the part's result;
   * `undefined` means the call took no effect, so it is made again.
   */
  readonly recover?: () => Promise<T | undefined>;
}

/** How {@link once} ended. */
export type OnceOutcome =
  | { readonly kind: 'performed'; readonly result: Progress; readonly interrupted: readonly string[] }
  | { readonly kind: 'already-done'; readonly result: Progress };

/** Performs `perform` at most once for the subject; see the module comment for the rules. */
export async function once(
  deps: Pick<RuntimeDeps, 'store' | 'clock' | 'logger'>,
  subject: ActionSubject,
  perform: (parts: Parts) => Promise<void>,
): Promise<OnceOutcome> {
  const startedAt = isoOf(deps.clock.now());
  const fresh: ActionRecord = { ...subject, status: 'started', startedAt, result: { attempt: 1 } };
  const claim = await deps.store.claimAction(fresh);
  let record = claim.record;
  if (!claim.claimed) {
    if (record.status === 'succeeded') return { kind: 'already-done', result: record.result ?? {} };
    const previousAttempt = Number(record.result?.attempt ?? 1);
    const attempt = previousAttempt + 1;
    deps.logger.warn('action claimed again', { ...subject, previous: record.status, attempt });
    record = {
      ...subject,
      status: 'started',
      startedAt,
      result: { ...(record.result ?? {}), attempt },
    };
    // Conditional on the attempt read, so two retries racing here cannot both go on to call out.
    const reclaim = await deps.store.reclaimAction(record, previousAttempt);
    if (!reclaim.claimed) {
      if (reclaim.record.status === 'succeeded') {
        return { kind: 'already-done', result: reclaim.record.result ?? {} };
      }
      // Another attempt holds it now; a later retry reads how that attempt ended.
      throw new ActionTransientError(`action ${subject.action} is being performed by another attempt`);
    }
  }

  let progress: Record<string, string | number> = { ...(record.result ?? {}) };
  const previous: Progress = { ...progress };
  const interrupted: string[] = [];
  const save = async (): Promise<void> => {
    await deps.store.finishAction({ ...record, status: 'started', result: { ...progress } });
  };
  const parts: Parts = {
    previous,
    interrupted,
    async part(name, call, options = {}) {
      const key = `part:${name}`;
      const stored = progress[key];
      if (stored !== undefined && stored !== INFLIGHT) return stored === DONE ? undefined : stored;
      if (stored === INFLIGHT && !options.repeatable) {
        const found = options.recover ? await options.recover() : undefined;
        if (found !== undefined) {
          progress = { ...progress, [key]: found };
          await save();
          return found;
        }
        if (!options.recover) {
          interrupted.push(name);
          return undefined;
        }
      }
      progress = { ...progress, [key]: INFLIGHT };
      await save();
      try {
        const value = await call();
        progress = { ...progress, [key]: value ?? DONE };
        await save();
        return value;
      } catch (err) {
        if (judgeFailure(err).answered) {
          const { [key]: _cleared, ...rest } = progress;
          progress = rest;
          await save();
        }
        throw err;
      }
    },
  };

  try {
    await perform(parts);
  } catch (err) {
    const judged = judgeFailure(err);
    await deps.store.finishAction({
      ...record,
      status: 'failed',
      finishedAt: isoOf(deps.clock.now()),
      result: { ...progress },
      error: `${judged.transient ? 'transient' : 'permanent'}: ${judged.reason}`,
    });
    throw toStepError(err);
  }
  await deps.store.finishAction({
    ...record,
    status: 'succeeded',
    finishedAt: isoOf(deps.clock.now()),
    result: { ...progress },
  });
  return { kind: 'performed', result: progress, interrupted };
}
