import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { PHASE_IDS } from '../../../lib/core/types/playbook.js';
import {
  ActionFailedError,
  ESCALATION_REPEAT_HOURS,
  REMINDER_LEAD_HOURS,
} from '../../../lib/core/workflow-steps.js';
import { ReleaseClock } from '../../../lib/local/clock.js';
import { LocalWorkflow } from '../../../lib/local/engine/index.js';
import { FakeRelease } from './fake-release.js';

const RELEASE = '42-7';
const VERSIONS = ['17.5', '17.4', '17.3'] as const;
const DAY_ONE = DateTime.fromISO('2026-12-01T00:00:00Z', { zone: 'utc' });
const PUBLISH_TASKS = [
  'publish-packages',
  'publish-docker',
  'add-version-entries',
  'publish-code',
  'update-githost',
];
const DISCLOSURE_TASKS = ['lift-confidentiality', 'thank-reporters', 'update-acknowledgements'];
const D4 = 'Day four before 23:59 UTC';

const running: LocalWorkflow[] = [];
afterEach(async () => {
  for (const workflow of running.splice(0)) {
    for (const view of workflow.list()) await workflow.stop(view.releaseId, 'test over');
  }
});

/** A release whose first steps start the evening before Day one, on a fast release clock. */
function setup(speed = 300_000) {
  const clock = new ReleaseClock({ start: DateTime.fromISO('2026-11-30T09:00:00Z'), speed });
  const release = new FakeRelease({ clock, dayOne: DAY_ONE, versions: VERSIONS });
  const workflow = new LocalWorkflow({ clock, handlers: release });
  release.workflow = workflow;
  running.push(workflow);
  return { clock, release, workflow };
}

const isPublishAction = (key: string) => PUBLISH_TASKS.some((task) => key.split('@')[0] === task);
const isDisclosureAction = (key: string) => DISCLOSURE_TASKS.includes(key);

describe('LocalWorkflow running the real ASL', () => {
  it('runs a three-version release from First steps to Afterwards and succeeds', async () => {
    const { release, workflow } = setup();
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('succeeded');
    expect(release.steps('tell-owners').map((c) => c.request.phase)).toEqual([...PHASE_IDS]);
    expect(release.actionKeys().at(-1)).toBe('open-lessons-learned');
    expect(view.transitions).toBe(view.history.length);
    expect(view.transitions).toBeLessThan(200);
  });

  it('publishes packages, Docker images and version entries once per affected version, code and GitHost once', async () => {
    const { release, workflow } = setup();
    await workflow.start(RELEASE, {});
    await workflow.settled(RELEASE);

    const keys = release.actionKeys();
    const count = (key: string) => keys.filter((k) => k === key).length;
    for (const version of VERSIONS) {
      expect(count(`build-packages@${version}`)).toBe(1);
      expect(count(`publish-packages@${version}`)).toBe(1);
      expect(count(`publish-docker@${version}`)).toBe(1);
      expect(count(`add-version-entries@${version}`)).toBe(1);
    }
    expect(count('publish-code')).toBe(1);
    expect(count('update-githost')).toBe(1);
    // A version entry announces a release, so it follows that version's packages.
    for (const version of VERSIONS) {
      expect(keys.indexOf(`add-version-entries@${version}`)).toBeGreaterThan(
        keys.indexOf(`publish-packages@${version}`),
      );
    }
  });

  it('discloses only after every publish action and the disclose gate', async () => {
    const { release, workflow } = setup();
    await workflow.start(RELEASE, {});
    await workflow.settled(RELEASE);

    const keys = release.actionKeys();
    const lastPublish = Math.max(...keys.map((k, i) => (isPublishAction(k) ? i : -1)));
    const firstDisclosure = keys.findIndex(isDisclosureAction);
    expect(firstDisclosure).toBeGreaterThan(lastPublish);
    const discloseGate = release.gateCalls.find((c) => c.request.gate === 'disclose');
    const liftedAt = release.steps('action').find((c) => c.request.task === 'lift-confidentiality')?.at;
    expect(discloseGate && liftedAt && discloseGate.at <= liftedAt).toBe(true);
  });

  it('waits for each phase until its start on the release clock', async () => {
    const { release, workflow } = setup();
    await workflow.start(RELEASE, {});
    await workflow.settled(RELEASE);

    for (const told of release.steps('tell-owners')) {
      const start = release.startOf(told.request.phase);
      if (start) expect(told.at >= start, `${told.request.phase} told before its start`).toBe(true);
    }
  });

  it('stays in its Wait while release time has not reached the start', async () => {
    const { release, workflow } = setup(1);
    await workflow.start(RELEASE, {});
    await release.until(() => release.steps('schedule').length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const view = workflow.describe(RELEASE);
    expect(view?.status).toBe('running');
    // First steps' own watch and every later phase's wait run side by side; none has started.
    expect(view?.history.map((h) => h.state)).toContain('Day one: wait for start');
    expect(view?.history.map((h) => h.state)).not.toContain('Day one: read schedule');
    expect(release.steps('tell-owners').map((c) => c.request.phase)).toEqual(['first-steps']);
  });

  it('escalates at each timeout of a publish gate that never opens, waits again, and never publishes', async () => {
    const { release, workflow } = setup();
    release.held.add('publish');
    await workflow.start(RELEASE, {});
    const escalations = () => release.steps('escalate').filter((c) => c.request.gate === 'publish');
    const publishGateCalls = () => release.gateCalls.filter((c) => c.request.gate === 'publish');
    // After the third escalation the machine waits on the gate a fourth time.
    await release.until(() => publishGateCalls().length >= 4);

    const pending = workflow.pendingGates(RELEASE);
    await workflow.stop(RELEASE, 'test over');
    const view = workflow.describe(RELEASE);

    expect(pending.map((p) => p.gate)).toEqual(['publish']);
    expect(release.actionKeys().filter((k) => isPublishAction(k) || isDisclosureAction(k))).toEqual([]);
    const times = escalations().map((c) => c.at);
    expect(times[0] && times[0] >= release.cutoffOf('day-four-end')).toBe(true);
    for (let i = 1; i < times.length; i += 1) {
      const hours = times[i]?.diff(times[i - 1] ?? DAY_ONE, 'hours').hours ?? 0;
      expect(hours).toBeGreaterThanOrEqual(ESCALATION_REPEAT_HOURS);
    }
    // No polling: between escalations the machine only waits on the gate again.
    const publishSteps = (view?.history ?? [])
      .map((h) => h.state)
      .filter((s) => s.startsWith(`${D4}:`) && !s.endsWith('publish cutoff'));
    const afterTellOwners = publishSteps.slice(publishSteps.indexOf(`${D4}: tell owners`) + 1);
    expect(new Set(afterTellOwners)).toEqual(
      new Set([`${D4}: ready to publish?`, `${D4}: escalate unready publication`]),
    );
    expect(view?.status).toBe('aborted');
    expect(workflow.pendingGates(RELEASE)).toEqual([]);
  });

  it('stops the release before any disclosure when a publish step fails for good', async () => {
    const { release, workflow } = setup();
    release.failing.set('publish-docker@17.4', new ActionFailedError('registry refused the image'));
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('failed');
    expect(view.error?.error).toBe('Publish.Failed');
    expect(release.steps('publish-failed').map((c) => c.request.error)).toEqual(['Action.Failed']);
    expect(release.actionKeys().filter(isDisclosureAction)).toEqual([]);
    expect(release.steps('ask-owners')).toEqual([]);
    expect(release.gateCalls.map((c) => c.request.gate)).not.toContain('disclose');
  });

  it('stops the release before any disclosure when a publish pipeline fails', async () => {
    const { release, workflow } = setup();
    release.held.add('pipeline:publish-packages@17.3');
    await workflow.start(RELEASE, {});
    await release.until(() =>
      release.gateCalls.some((c) => c.request.gate === 'pipeline:publish-packages@17.3'),
    );
    await release.failPipeline('pipeline:publish-packages@17.3');
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('failed');
    expect(release.steps('publish-failed').map((c) => c.request.error)).toEqual(['Pipeline.Failed']);
    expect(release.actionKeys().filter(isDisclosureAction)).toEqual([]);
  });

  it('retries a step that fails transiently and goes on once it succeeds', async () => {
    const { release, workflow } = setup();
    release.transient.set('create-patch-branch', 2);
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('succeeded');
    expect(view.retries).toBe(2);
    expect(release.actionKeys().filter((k) => k === 'create-patch-branch')).toHaveLength(3);
    expect(release.actionKeys().filter((k) => k === 'create-draft-mr')).toHaveLength(1);
  });

  it('reminds owners two hours before the cutoff, then goes on when the phase gate opens', async () => {
    const { release, workflow } = setup();
    release.held.add('phase:day-two');
    release.onAction = (request) => {
      // The owners act on the reminder: the gate holds the next time it is asked.
      if (request.step === 'remind' && request.gate === 'phase:day-two') release.held.delete('phase:day-two');
    };
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    const reminders = release.steps('remind').filter((c) => c.request.gate === 'phase:day-two');
    expect(reminders).toHaveLength(1);
    const cutoff = release.cutoffOf('day-two');
    expect(reminders[0] && reminders[0].at >= cutoff.minus({ hours: REMINDER_LEAD_HOURS })).toBe(true);
    expect(reminders[0] && reminders[0].at < cutoff).toBe(true);
    expect(release.steps('escalate').filter((c) => c.request.gate === 'phase:day-two')).toEqual([]);
    expect(view.status).toBe('succeeded');
  });

  it('waits again when a slip moves the next phase later', async () => {
    const { release, workflow } = setup();
    release.onAction = (request) => {
      if (request.step === 'tell-owners' && request.phase === 'day-two') void release.slip(6);
    };
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    const dayThree = release.steps('tell-owners').find((c) => c.request.phase === 'day-three');
    expect(dayThree && dayThree.at >= DAY_ONE.plus({ days: 2, hours: 6 })).toBe(true);
    const waits = view.history.filter((h) => h.state === 'Day three: wait for start');
    expect(waits).toHaveLength(2);
    expect(view.status).toBe('succeeded');
  });

  it('starts the next phase earlier when a slip moves it earlier', async () => {
    const { release, workflow } = setup();
    release.onAction = (request) => {
      if (request.step === 'tell-owners' && request.phase === 'day-two') void release.slip(-6);
    };
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    const dayThree = release.steps('tell-owners').find((c) => c.request.phase === 'day-three');
    expect(dayThree && dayThree.at >= DAY_ONE.plus({ days: 2, hours: -6 })).toBe(true);
    expect(dayThree && dayThree.at < DAY_ONE.plus({ days: 2 })).toBe(true);
    expect(view.status).toBe('succeeded');
  });

  it('refuses a second start for the same release while it runs, and after it ran unless re-driven', async () => {
    const { release, workflow } = setup();
    release.held.add('schedule-confirmed');
    await workflow.start(RELEASE, {});
    await expect(workflow.start(RELEASE, {})).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(workflow.start(RELEASE, {}, { redrive: true })).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    await release.until(() => release.gateCalls.length >= 1);
    await workflow.stop(RELEASE, 'restart');
    await expect(workflow.start(RELEASE, {})).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('re-drives a release from the top, relying on idempotent handlers, and finishes it', async () => {
    const { release, workflow } = setup();
    release.held.add('phase:day-three');
    await workflow.start(RELEASE, {});
    await release.until(() => release.gateCalls.some((c) => c.request.gate === 'phase:day-three'));
    await workflow.stop(RELEASE, 'engine restart');
    release.held.delete('phase:day-three');

    await workflow.start(RELEASE, {}, { redrive: true });
    const view = await workflow.settled(RELEASE);

    expect(view.run).toBe(2);
    expect(view.status).toBe('succeeded');
    expect(view.history[0]?.state).toBe('First steps: create release issue');
    expect(view.transitions).toBeLessThan(200);
  });

  it('stops an execution, ends its gates and refuses their tokens afterwards', async () => {
    const { release, workflow } = setup();
    release.held.add('schedule-confirmed');
    await workflow.start(RELEASE, {});
    await release.until(() => release.gateCalls.length >= 1);
    const token = release.gateCalls[0]?.request.token ?? '';

    await workflow.stop(RELEASE, 'aborted by the security lead');

    expect(workflow.describe(RELEASE)?.status).toBe('aborted');
    expect(workflow.pendingGates()).toEqual([]);
    await expect(workflow.sendTaskSuccess(token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    expect(release.steps('schedule')).toEqual([]);
  });
});
