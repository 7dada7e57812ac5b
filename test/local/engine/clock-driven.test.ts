import aslValidator from 'asl-validator';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../../lib/core/asl/build.js';
import { RETRY_POLICY } from '../../../lib/core/asl/retry.js';
import { DEFAULT_PLAYBOOK } from '../../../lib/core/default-playbook.js';
import { parsePlaybook } from '../../../lib/core/playbook-schema.js';
import type { Playbook } from '../../../lib/core/types/playbook.js';
import { ActionFailedError, ESCALATION_REPEAT_HOURS } from '../../../lib/core/workflow-steps.js';
import { ReleaseClock } from '../../../lib/local/clock.js';
import type { JsonObject } from '../../../lib/local/engine/definition.js';
import { LocalWorkflow } from '../../../lib/local/engine/index.js';
import { FakeRelease } from './fake-release.js';

/** The generated machine on the local engine: the clock drives the phases, dependencies are per version. */

const RELEASE = '42-7';
const DAY_ONE = DateTime.fromISO('2026-12-01T00:00:00Z', { zone: 'utc' });

const running: LocalWorkflow[] = [];
afterEach(async () => {
  for (const workflow of running.splice(0)) {
    for (const view of workflow.list()) await workflow.stop(view.releaseId, 'test over');
  }
});

function setup(playbook: Playbook = DEFAULT_PLAYBOOK, speed = 300_000) {
  const clock = new ReleaseClock({ start: DateTime.fromISO('2026-11-30T09:00:00Z'), speed });
  const release = new FakeRelease({ clock, dayOne: DAY_ONE, playbook });
  const definition = buildDefinition(playbook) as JsonObject;
  const workflow = new LocalWorkflow({ clock, handlers: release, definition });
  release.workflow = workflow;
  running.push(workflow);
  return { release, workflow };
}

describe('the clock drives the phases', () => {
  it('starts later phases on time while Day one is late, builds the merged versions, and escalates Day one at its own cutoff', async () => {
    // Slower than the other test: the assertions below read phase windows on a loaded machine.
    const { release, workflow } = setup(DEFAULT_PLAYBOOK, 100_000);
    // The main-line fix (17.5) is merged only on Day three; Day one's tasks stay open until then.
    release.held.add('phase:day-one');
    release.held.add('merged:17.5');
    await workflow.start(RELEASE, {});
    await release.until(() => release.steps('tell-owners').some((c) => c.request.phase === 'day-three'));
    await release.until(() => release.actionKeys().includes('build-packages@17.3'));

    for (const phase of ['day-two', 'day-three'] as const) {
      const told = release.steps('tell-owners').find((c) => c.request.phase === phase);
      const start = release.startOf(phase);
      // Told within its own window, while Day one's gate is still closed.
      expect(told && start && told.at >= start && told.at < release.cutoffOf(phase), phase).toBe(true);
    }
    expect(release.actionKeys().filter((k) => k.startsWith('build-packages@'))).toEqual(
      expect.arrayContaining(['build-packages@17.4', 'build-packages@17.3']),
    );
    expect(release.actionKeys()).not.toContain('build-packages@17.5');

    const escalations = release.steps('escalate').filter((c) => c.request.gate === 'phase:day-one');
    const cutoff = release.cutoffOf('day-one');
    expect(escalations.length).toBeGreaterThan(1);
    expect(escalations[0] && escalations[0].at >= cutoff).toBe(true);
    expect(escalations[0] && escalations[0].at < cutoff.plus({ hours: ESCALATION_REPEAT_HOURS })).toBe(true);
    for (let i = 1; i < escalations.length; i += 1) {
      const hours = escalations[i]?.at.diff(escalations[i - 1]?.at ?? cutoff, 'hours').hours ?? 0;
      expect(hours).toBeGreaterThanOrEqual(ESCALATION_REPEAT_HOURS - 0.01);
    }

    await release.open('merged:17.5');
    await release.open('phase:day-one');
    const view = await workflow.settled(RELEASE);
    expect(view.status).toBe('succeeded');
    expect(release.actionKeys().filter((k) => k === 'build-packages@17.5')).toHaveLength(1);
    expect(release.actionKeys().at(-1)).not.toBe('build-packages@17.5');
  });

  it('runs a team playbook with an extra phase to Afterwards on the machine built from it', async () => {
    const phases = [...DEFAULT_PLAYBOOK.phases];
    const dayTwo = phases.findIndex((p) => p.id === 'day-two');
    phases.splice(dayTwo + 1, 0, {
      id: 'day-two-review',
      title: 'Day two review',
      start: { dayOffset: 1, time: '18:00' },
      cutoff: { dayOffset: 1, time: '22:00' },
    });
    const team = parsePlaybook({
      phases,
      tasks: [
        ...DEFAULT_PLAYBOOK.tasks,
        {
          id: 'review-backports',
          text: 'Review every backport with a second engineer',
          phase: 'day-two-review',
          owners: ['dev team'],
          completion: { kind: 'manual' },
        },
      ],
    });
    const definition = buildDefinition(team);
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);

    const { release, workflow } = setup(team);
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('succeeded');
    expect(release.steps('tell-owners').map((c) => c.request.phase)).toContain('day-two-review');
    expect(release.gateCalls.map((c) => c.request.gate)).toContain('phase:day-two-review');
    const review = release.steps('tell-owners').find((c) => c.request.phase === 'day-two-review');
    expect(review && review.at >= DAY_ONE.plus({ days: 1, hours: 18 })).toBe(true);
    expect(release.actionKeys().at(-1)).toBe('open-lessons-learned');
  });

  it('catches a step that fails for good, tells its owners once, and runs it again on /secrel retry', async () => {
    const { release, workflow } = setup();
    release.failing.set('create-draft-mr', new ActionFailedError('GitLab answered 404 for the user lookup'));
    release.held.add('recover:draft-mr');
    await workflow.start(RELEASE, {});
    await release.until(() => release.gateCalls.some((c) => c.request.gate === 'recover:draft-mr'));
    // First steps' actions depend on one another (the draft MR on the patch branch): they wait.
    expect(release.actionKeys()).not.toContain('create-mitigation-issue');
    release.failing.delete('create-draft-mr');
    await release.retry('recover:draft-mr');
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('succeeded');
    expect(release.actionKeys().filter((k) => k === 'create-draft-mr')).toHaveLength(2);
    expect(release.steps('step-failed').map((c) => [c.request.task, c.request.error])).toEqual([
      ['draft-mr', 'Action.Failed'],
    ]);
  });

  it('goes on without the step when a failed step is done by hand (the recovery gate holds)', async () => {
    const { release, workflow } = setup();
    release.failing.set('thank-reporters', new ActionFailedError('HackerOne answered 404'));
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('succeeded');
    expect(release.actionKeys().filter((k) => k === 'thank-reporters')).toHaveLength(1);
    expect(release.actionKeys()).toContain('update-acknowledgements');
    expect(release.steps('step-failed').map((c) => c.request.task)).toEqual(['thank-reporters']);
  });

  it('re-drives an execution whose retries ran out (storage down for long), and finishes the release', async () => {
    const clock = new ReleaseClock({ start: DateTime.fromISO('2026-11-30T09:00:00Z'), speed: 300_000 });
    const release = new FakeRelease({ clock, dayOne: DAY_ONE });
    const redriven: string[] = [];
    const workflow = new LocalWorkflow({
      clock,
      handlers: release,
      redriveFailedAfterMs: [10, 10],
      onRedriven: async (id) => {
        redriven.push(id);
      },
    });
    release.workflow = workflow;
    running.push(workflow);
    // More transient failures than the one Retry policy allows: the first run fails.
    release.transient.set('create-patch-branch', RETRY_POLICY[0].MaxAttempts + 1);
    await workflow.start(RELEASE, {});
    const first = await workflow.settled(RELEASE);
    expect(first.status).toBe('failed');
    await release.until(() => (workflow.describe(RELEASE)?.run ?? 0) >= 2);
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('succeeded');
    expect(workflow.redriveCount(RELEASE)).toBe(0);
    expect(release.actionKeys().filter((k) => k === 'create-draft-mr')).toHaveLength(1);
    // What webhooks said meanwhile is read back once per re-drive, as on a restart.
    expect(redriven).toEqual([RELEASE]);
  });

  it('leaves no gate of a failed run waiting beside the next run', async () => {
    const clock = new ReleaseClock({ start: DateTime.fromISO('2026-11-30T09:00:00Z'), speed: 300_000 });
    const release = new FakeRelease({ clock, dayOne: DAY_ONE });
    const workflow = new LocalWorkflow({ clock, handlers: release });
    release.workflow = workflow;
    running.push(workflow);
    release.transient.set('build-test-packages', RETRY_POLICY[0].MaxAttempts + 1);
    await workflow.start(RELEASE, {});
    // While Day three retries, the later phases' branches wait on their start gates.
    await release.until(() => workflow.pendingGates(RELEASE).some((g) => g.gate.startsWith('start:')));
    const view = await workflow.settled(RELEASE);

    expect(view.status).toBe('failed');
    expect(workflow.pendingGates(RELEASE)).toEqual([]);
  });

  it('never re-drives a failed publication: people decide', async () => {
    const clock = new ReleaseClock({ start: DateTime.fromISO('2026-11-30T09:00:00Z'), speed: 300_000 });
    const release = new FakeRelease({ clock, dayOne: DAY_ONE });
    const workflow = new LocalWorkflow({ clock, handlers: release, redriveFailedAfterMs: [10] });
    release.workflow = workflow;
    running.push(workflow);
    release.failing.set('publish-code', new ActionFailedError('GitLab refused the push'));
    await workflow.start(RELEASE, {});
    const view = await workflow.settled(RELEASE);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(view.error?.error).toBe('Publish.Failed');
    expect(workflow.describe(RELEASE)?.run).toBe(1);
    expect(workflow.redriveCount(RELEASE)).toBe(0);
  });
});
