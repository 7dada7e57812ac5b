import type { Command } from '../commands.js';
import { CommandError } from '../errors.js';
import { findTask } from '../playbook-lookup.js';
import { instancesOfTask } from '../tasks.js';
import type { ReleaseContext } from '../transitions.js';
import type { Task } from '../types/playbook.js';
import type { ReleaseState } from '../types/release.js';
import { WORKFLOW_ERRORS } from '../types/workflow.js';
import type { CommandOutcome, CommandRun } from './command-reply.js';

/** The commands on one task: done, waive and retry, and how a command names its task. */

/** `/secrel done <task>`: a person's task is done; an automated one only when secrel cannot do it. */
export function markDone(run: CommandRun, command: Extract<Command, { name: 'done' }>): CommandOutcome {
  const { state, actor, ctx, at, entry } = run;
  const { key, task } = namedTask(state, ctx, command);
  // An automated step is secrel's unless nothing is configured for it (by hand) or it failed for good.
  if (
    task?.completion.kind === 'automated' &&
    state.tasks[key]?.manual !== true &&
    state.gates[`recover:${key}`]?.status !== 'waiting'
  ) {
    throw new CommandError(`secrel performs ${key} itself; it is done when that action succeeds`);
  }
  if (state.tasks[key]?.status === 'done') return { state, reply: `${key} was already done.`, timeline: [] };
  return {
    state: {
      ...state,
      tasks: {
        ...state.tasks,
        [key]: {
          status: 'done',
          by: actor,
          at,
          via: 'command',
          ...(state.tasks[key]?.manual ? { manual: true } : {}),
        },
      },
    },
    reply: `${key} done, recorded for @${actor}.`,
    timeline: [entry('task-done', `${key} done by @${actor}`)],
  };
}

/** `/secrel waive <task> <reason>`: a task is skipped, except what disclosure waits for. */
export function waive(run: CommandRun, command: Extract<Command, { name: 'waive' }>): CommandOutcome {
  const { state, actor, ctx, at, entry } = run;
  const { key, task } = namedTask(state, ctx, command);
  if (task?.stage === 'publish') {
    throw new CommandError(`${key} cannot be waived: disclosure waits for publication`);
  }
  const current = state.tasks[key]?.status;
  if (current === 'done' || current === 'waived') throw new CommandError(`${key} is already ${current}`);
  return {
    state: {
      ...state,
      tasks: {
        ...state.tasks,
        [key]: { status: 'waived', by: actor, at, reason: command.reason, via: 'command' },
      },
    },
    reply: `${key} waived by @${actor}.`,
    timeline: [entry('task-waived', `${key} waived by @${actor}`)],
  };
}

/** The task a `done` or `waive` names: its key in this release and its playbook entry. */
function namedTask(
  state: ReleaseState,
  ctx: ReleaseContext,
  command: Extract<Command, { name: 'done' | 'waive' }>,
): { key: string; task: Task | undefined } {
  return {
    key: resolveKey(state, ctx, command.taskId, command.version),
    task: findTask(ctx.playbook, command.taskId),
  };
}

/**
 * `/secrel retry <task>`: a step that failed for good runs again. The machine waits on the step's
 * `recover:` gate; failing it with `Step.Retry` sends the machine back to the step.
 */
export function retry(run: CommandRun, key: string): CommandOutcome {
  const { state, entry } = run;
  const gate = `recover:${key}`;
  const waiting = state.gates[gate];
  if (waiting?.status !== 'waiting' || waiting.token === undefined) {
    throw new CommandError(`${key} has not failed; nothing to retry`);
  }
  const { token, ...rest } = waiting;
  return {
    state: { ...state, gates: { ...state.gates, [gate]: rest } },
    reply: `${key} runs again.`,
    timeline: [entry('task-retry', `${key} retried`)],
    effects: [
      { type: 'fail-gate', gate, token, error: WORKFLOW_ERRORS.retry, cause: `${key} retried by a person` },
    ],
  };
}

/** The task key a `done`/`waive` names, or a one-line reason it names none. */
export function resolveKey(
  state: ReleaseState,
  ctx: ReleaseContext,
  taskId: string,
  version: string | undefined,
): string {
  const task = findTask(ctx.playbook, taskId);
  if (task === undefined) throw new CommandError(`unknown task "${taskId}"`);
  if (task.scope === 'release') {
    if (version !== undefined)
      throw new CommandError(`${taskId} is done once per release; leave out the version`);
    return taskId;
  }
  const instances = instancesOfTask(task, state.versions);
  if (instances.length === 0)
    throw new CommandError(`set the affected versions first: /secrel versions 17.5,17.4`);
  const versions = instances.map((i) => i.version).join(', ');
  if (version === undefined) {
    const [only] = instances;
    if (instances.length === 1 && only) return only.key;
    throw new CommandError(`name the version: ${taskId}@${instances[0]?.version} (one of ${versions})`);
  }
  const match = instances.find((i) => i.version === version);
  if (!match) throw new CommandError(`${version} is not an affected version for ${taskId} (${versions})`);
  return match.key;
}
