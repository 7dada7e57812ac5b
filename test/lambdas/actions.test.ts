import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActionsHandler, deliverEffects } from '../../lambdas/actions.js';
import type { DeliverEffectsRequest } from '../../lib/core/types/workflow.js';
import type { LogFields, Logger } from '../../lib/ports.js';
import type { RuntimeDeps } from '../../lib/services/types.js';
import { type ActionWorld, actionWorld } from '../support/action-world.js';

/** The actions Lambda given ingress's `deliver-effects` request: replies reach the fake GitLab over gitbeaker. */

const STATUS_REPLY = 'Release status: First steps, cutoff 2026-12-01 12:00 UTC.';

class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; fields?: LogFields }[] = [];
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

describe('actions Lambda delivering ingress effects', () => {
  let world: ActionWorld;
  let notices: string[];
  let logger: RecordingLogger;
  let deps: RuntimeDeps;
  let releaseIssueIid: number;

  beforeEach(async () => {
    world = await actionWorld();
    notices = [];
    logger = new RecordingLogger();
    deps = { ...world.deps, logger, notifier: { notify: async (message) => void notices.push(message) } };
    releaseIssueIid = world.gitlab.openIssue({ project: 42, title: 'release', confidential: true }).iid;
    await world.seed();
  });
  afterEach(async () => {
    await world.close();
  });

  const request = (effects: DeliverEffectsRequest['effects']): DeliverEffectsRequest => ({
    releaseId: '42-7',
    step: 'deliver-effects',
    effects,
  });

  it('posts the reply to a /secrel command as a comment on the release issue and sends the notice', async () => {
    const handler = createActionsHandler(async () => deps);
    const answer = await handler(
      request([
        { type: 'reply', issue: { projectId: 42, iid: releaseIssueIid }, body: STATUS_REPLY },
        { type: 'notify', roles: ['security lead'], message: 'Release 42-7: status asked.' },
      ]),
    );
    expect(answer).toEqual({ delivered: 2, failed: 0 });
    expect(world.gitlab.notes.map((note) => [note.projectId, note.issueIid, note.body])).toEqual([
      [42, releaseIssueIid, STATUS_REPLY],
    ]);
    expect(notices).toEqual(['Release 42-7: status asked.']);
  });

  it('skips a reply GitLab refuses and still posts the next, logging the kind but never the text', async () => {
    world.gitlab.failRequests({ method: 'POST', path: /notes$/, status: 403, times: 1 });
    const report = await deliverEffects(
      deps,
      request([
        { type: 'reply', issue: { projectId: 42, iid: releaseIssueIid }, body: 'first reply' },
        { type: 'reply', issue: { projectId: 42, iid: releaseIssueIid }, body: STATUS_REPLY },
      ]),
    );
    expect(report).toEqual({ delivered: 1, failed: 1 });
    expect(world.gitlab.notes.map((note) => note.body)).toEqual([STATUS_REPLY]);
    const failure = logger.lines.find((line) => line.level === 'error');
    expect(failure?.fields).toMatchObject({ releaseId: '42-7', effect: 'reply' });
    expect(JSON.stringify(logger.lines)).not.toContain('first reply');
  });

  it('refuses a malformed deliver-effects request as Action.Failed without echoing its text', async () => {
    const handler = createActionsHandler(async () => deps);
    const bad = {
      releaseId: '42-7',
      step: 'deliver-effects',
      effects: [{ type: 'reply', issue: { projectId: 42 }, body: 'confidential words' }],
    };
    const error = await handler(bad).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('Action.Failed');
    expect((error as Error).message).not.toContain('confidential words');
    expect(world.gitlab.notes).toEqual([]);
  });

  it("still runs the state machine's steps: a schedule request answers with the release's versions", async () => {
    const handler = createActionsHandler(async () => deps);
    const answer = await handler({ releaseId: '42-7', step: 'schedule' });
    expect(answer).toMatchObject({ versions: ['17.5', '17.4'] });
    expect(world.gitlab.notes).toEqual([]);
  });
});
