import { releaseReports, taskNoticeLinks } from '../../core/documents/disclosure-approval.js';
import {
  askOwnersComment,
  escalationComment,
  phaseStartComment,
  publishFailedComment,
  reminderComment,
} from '../../core/documents/owner-comments.js';
import { phaseStartNotice, reminderNotice } from '../../core/documents/slack-notices.js';
import { actionConfigured } from '../../core/manual-steps.js';
import { isoOf } from '../../core/moments.js';
import { findTask, phaseOf } from '../../core/playbook-lookup.js';
import { windowOf } from '../../core/schedule.js';
import { parseTaskKey } from '../../core/tasks.js';
import { enterPhase, recordActionFailure } from '../../core/transitions.js';
import type { PhaseId } from '../../core/types/playbook.js';
import type { DeadlinesResponse, GateId, GateTiming, StepAck } from '../../core/types/workflow.js';
import {
  ActionFailedError,
  deadlinesFor,
  phaseGate,
  toStepTimestamp,
  untilCutoff,
} from '../../core/workflow-steps.js';
import { reconcileRelease } from '../reconcile.js';
import type { RuntimeDeps } from '../types.js';
import { nudgeUnreadyMergeRequests } from './mr-readiness.js';
import { once, type Parts } from './once.js';
import { conversationIssue, gateLabel, leftOpenBefore, outstanding, owned, phaseTasks } from './owners.js';
import { contextOf, loadRelease, scheduleOf, transition } from './release-state.js';
import { escalationAt, gateCutoff } from './timing.js';

/**
 * The steps that talk to people: the owners at a phase start, reminders, escalations, the CVE
 * notice nudge and the stop after a failed publication. Each comment is an action record
 * (subject = phase or moment), so a retry or a re-driven execution never repeats it.
 */

const ACK: StepAck = { ok: true };

/** Sends a notice outside GitLab once, as a part of the action it belongs to; nothing without Slack. */
async function slack(deps: RuntimeDeps, parts: Parts, message: string): Promise<void> {
  const notifier = deps.notifier;
  if (!notifier) return;
  await parts.part('notify', async () => {
    await notifier.notify(message);
    return undefined;
  });
}

/**
 * `tell-owners`: enters the phase and mentions its owners once, with their tasks and cutoffs and
 * whatever earlier phases left open. Answers the phase gate's timing, which the branch waits on next.
 */
export async function tellOwners(
  deps: RuntimeDeps,
  releaseId: string,
  phase: PhaseId,
): Promise<DeadlinesResponse> {
  // A phase start is a wake-up: what webhooks missed is read back from GitLab first.
  await reconcileRelease(deps, releaseId);
  const state = await transition(deps, releaseId, (s) => enterPhase(s, phase, contextOf(deps)));
  const title = phaseOf(deps.playbook, phase).title;
  const schedule = scheduleOf(state, deps);
  const cutoff = schedule && windowOf(schedule, phase)?.cutoff;
  const body = phaseStartComment({
    phaseTitle: title,
    ...(cutoff ? { cutoff } : {}),
    tasks: phaseTasks(state, deps.playbook, phase).map((instance) => {
      const completion = instance.task.completion;
      const byHand =
        state.tasks[instance.key]?.manual === true ||
        (completion.kind === 'automated' &&
          !actionConfigured(completion.action, deps.config, state.id, state.projectId));
      return byHand ? { ...owned(instance), byHand } : owned(instance);
    }),
    leftOpen: leftOpenBefore(state, deps.playbook, phase).map(owned),
    roles: deps.config.roles,
  });
  const issue = conversationIssue(state);
  const open = phaseTasks(state, deps.playbook, phase).filter(
    (i) => state.tasks[i.key]?.status === 'open',
  ).length;
  await once(deps, { releaseId, action: 'notify', subject: `phase:${phase}` }, async (parts) => {
    await parts.part(
      'comment',
      async () => (await deps.gitlab.createIssueNote(issue.projectId, issue.iid, body)).id,
    );
    await slack(deps, parts, phaseStartNotice(releaseId, title, cutoff, open));
  });
  return deadlinesFor(deps.clock.now(), gateCutoff(state, schedule, phaseGate(phase), deps.playbook));
}

/** `remind`: two hours before a cutoff, the owners of what is still open; then wait on to the cutoff. */
export async function remind(deps: RuntimeDeps, releaseId: string, gate: GateId): Promise<GateTiming> {
  // A gate's timeout is a wake-up: a pipeline whose webhook was lost may have finished.
  await reconcileRelease(deps, releaseId);
  const state = await loadRelease(deps, releaseId);
  const schedule = scheduleOf(state, deps);
  const cutoff = gateCutoff(state, schedule, gate, deps.playbook);
  const now = deps.clock.now();
  const left = outstanding(state, deps.playbook, gate);
  if (!left.holds) {
    const issue = conversationIssue(state);
    const body = reminderComment({
      what: gateLabel(gate, deps.playbook),
      cutoff,
      open: left.open,
      missing: left.missing,
      roles: deps.config.roles,
    });
    await once(
      deps,
      { releaseId, action: 'notify', subject: `remind:${gate}@${toStepTimestamp(cutoff)}` },
      async (parts) => {
        await parts.part(
          'comment',
          async () => (await deps.gitlab.createIssueNote(issue.projectId, issue.iid, body)).id,
        );
        await slack(
          deps,
          parts,
          reminderNotice(releaseId, gateLabel(gate, deps.playbook), cutoff, left.open.length),
        );
      },
    );
    await nudgeUnreadyMergeRequests(deps, state, gate, cutoff);
  }
  return untilCutoff(now, cutoff);
}

/**
 * `escalate`: a cutoff passed with the gate still closed. Owners, the security lead and the
 * release managers hear what is late, once per missed moment; the answer is when to ask again.
 */
export async function escalate(deps: RuntimeDeps, releaseId: string, gate: GateId): Promise<GateTiming> {
  // A gate's timeout is a wake-up: a pipeline whose webhook was lost may have finished.
  await reconcileRelease(deps, releaseId);
  const state = await loadRelease(deps, releaseId);
  const schedule = scheduleOf(state, deps);
  const now = deps.clock.now();
  const { cutoff, moment, next } = escalationAt(gateCutoff(state, schedule, gate, deps.playbook), now);
  const left = outstanding(state, deps.playbook, gate);
  if (!left.holds) {
    const what = gateLabel(gate, deps.playbook);
    const issue = conversationIssue(state);
    const body = escalationComment({
      what,
      missedCutoff: cutoff,
      nextEscalation: next,
      late: left.open,
      missing: left.missing,
      roles: deps.config.roles,
    });
    // Once per moment actually reached under the cutoff in force: a slip makes new moments.
    const subject = `${gate}@${toStepTimestamp(cutoff)}#${toStepTimestamp(moment)}`;
    await once(deps, { releaseId, action: 'escalate', subject }, async (parts) => {
      deps.metrics?.count('TasksLate', left.open.length, { gate });
      await parts.part(
        'comment',
        async () => (await deps.gitlab.createIssueNote(issue.projectId, issue.iid, body)).id,
      );
      // Outside GitLab: ids and counts only (DESIGN.md §4.5).
      const message = `Security release ${releaseId}: ${what} missed its cutoff (${isoOf(cutoff)}); ${left.open.length} task(s) late. See the release issue.`;
      await slack(deps, parts, message);
    });
  }
  return untilCutoff(now, next);
}

/** `ask-owners`: a manual task is due now (the CVE notice once everything is public). */
export async function askOwners(deps: RuntimeDeps, releaseId: string, key: string): Promise<StepAck> {
  const state = await loadRelease(deps, releaseId);
  const { taskId } = parseTaskKey(key);
  const task = findTask(deps.playbook, taskId);
  if (!task) throw new ActionFailedError(`the playbook has no task ${taskId}`);
  if (state.tasks[key]?.status === 'done' || state.tasks[key]?.status === 'waived') return ACK;
  const issue = conversationIssue(state);
  const body = askOwnersComment(
    { key, text: task.text, owners: task.owners, manual: task.completion.kind === 'manual' },
    deps.config.roles,
    taskNoticeLinks(taskId, releaseReports(state, deps.config)),
  );
  await once(deps, { releaseId, action: 'notify', subject: `ask:${key}` }, async (parts) => {
    await parts.part(
      'comment',
      async () => (await deps.gitlab.createIssueNote(issue.projectId, issue.iid, body)).id,
    );
  });
  return ACK;
}

/** `publish-failed`: tell the release managers; the machine then stops before any disclosure. */
export async function publishFailed(deps: RuntimeDeps, releaseId: string, error: string): Promise<StepAck> {
  const state = await loadRelease(deps, releaseId);
  const issue = conversationIssue(state);
  const body = publishFailedComment(error, deps.config.roles);
  await once(deps, { releaseId, action: 'notify', subject: 'publish-failed' }, async (parts) => {
    await parts.part(
      'comment',
      async () => (await deps.gitlab.createIssueNote(issue.projectId, issue.iid, body)).id,
    );
    // The core records the failure on the timeline and notifies outside GitLab without detail.
    await parts.part('record', async () => {
      await transition(deps, releaseId, (s) => recordActionFailure(s, 'publication', error, contextOf(deps)));
      return undefined;
    });
  });
  return ACK;
}
