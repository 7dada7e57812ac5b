import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { PHASE_IDS } from '../../lib/core/types/playbook.js';
import { actionRequestSchema, gateIdSchema, gateRequestSchema } from '../../lib/core/types/workflow.js';
import {
  ActionFailedError,
  ActionTransientError,
  deadlinesFor,
  GateTimeoutError,
  nextEscalation,
  PipelineFailedError,
  parseGate,
  phaseGate,
  pipelineGate,
  scheduleKey,
  timeoutSeconds,
  toStepTimestamp,
} from '../../lib/core/workflow-steps.js';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

describe('the step protocol', () => {
  it('accepts the requests the state machine sends and refuses malformed ones', () => {
    expect(
      actionRequestSchema.parse({
        releaseId: '42-7',
        step: 'action',
        task: 'publish-packages',
        version: '17.5',
      }),
    ).toEqual({ releaseId: '42-7', step: 'action', task: 'publish-packages', version: '17.5' });
    expect(
      actionRequestSchema.safeParse({ releaseId: '42-7', step: 'escalate', gate: 'phase:day-two' }).success,
    ).toBe(true);
    expect(
      actionRequestSchema.safeParse({ releaseId: '42-7', step: 'action', task: 'publish-blog' }).success,
    ).toBe(false);
    expect(
      actionRequestSchema.safeParse({ releaseId: '42-7', step: 'tell-owners', phase: 'Day five' }).success,
    ).toBe(false);
    expect(actionRequestSchema.safeParse({ releaseId: 'x', step: 'schedule' }).success).toBe(false);
    expect(gateRequestSchema.safeParse({ releaseId: '42-7', gate: 'publish', token: '' }).success).toBe(
      false,
    );
  });

  it('knows the gate ids the release core evaluates', () => {
    for (const gate of [
      'schedule-confirmed',
      'publish',
      'disclose',
      'phase:day-four-noon',
      'pipeline:build-packages@17.5',
      'phase:day-two-review',
      'merged:17.5',
    ]) {
      expect(gateIdSchema.safeParse(gate).success, gate).toBe(true);
    }
    for (const gate of [
      'phase:Day five',
      'merged:main',
      'pipeline:',
      'pipeline:Build packages',
      'open-sesame',
    ]) {
      expect(gateIdSchema.safeParse(gate).success, gate).toBe(false);
    }
  });

  it('builds and takes apart gate ids', () => {
    expect(phaseGate('day-one')).toBe('phase:day-one');
    expect(pipelineGate('build-packages', '17.5')).toBe('pipeline:build-packages@17.5');
    expect(parseGate('pipeline:build-packages@17.5')).toEqual({
      kind: 'pipeline',
      taskKey: 'build-packages@17.5',
      task: 'build-packages',
      version: '17.5',
    });
    expect(parseGate('pipeline:build-test-packages')).toEqual({
      kind: 'pipeline',
      taskKey: 'build-test-packages',
      task: 'build-test-packages',
    });
    expect(parseGate('phase:afterwards')).toEqual({ kind: 'phase', phase: 'afterwards' });
    expect(parseGate('disclose')).toEqual({ kind: 'disclose' });
  });

  it('has a schedule key for every phase, usable in a JSONPath without brackets', () => {
    const keys = [...PHASE_IDS, 'day-two-review', 'step-2b'].map(scheduleKey);
    expect(keys.slice(0, 2)).toEqual(['firstSteps', 'dayOne']);
    expect(keys.at(-2)).toBe('dayTwoReview');
    for (const key of keys) expect(key).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('timestamps and timeouts for the state machine', () => {
  it('writes moments in UTC to the second with Z', () => {
    expect(toStepTimestamp(DateTime.fromISO('2026-12-04T13:00:00.750+01:00'))).toBe('2026-12-04T12:00:00Z');
  });

  it('gives a gate at least one second, since Step Functions refuses a zero timeout', () => {
    const now = at('2026-12-04T12:00:00Z');
    expect(timeoutSeconds(now, now.plus({ hours: 2 }))).toBe(7200);
    expect(timeoutSeconds(now, now.plus({ milliseconds: 1500 }))).toBe(2);
    expect(timeoutSeconds(now, now.minus({ hours: 1 }))).toBe(1);
  });

  it('times out first two hours before the cutoff for the reminder, then at the cutoff', () => {
    const d = deadlinesFor(at('2026-12-04T12:00:00Z'), at('2026-12-04T23:59:00Z'));
    expect(d).toEqual({ cutoff: '2026-12-04T23:59:00Z', secondsToCutoff: 43_140, secondsToReminder: 35_940 });
  });

  it('reminds at once when the reminder time has already passed', () => {
    expect(deadlinesFor(at('2026-12-04T23:00:00Z'), at('2026-12-04T23:59:00Z')).secondsToReminder).toBe(1);
  });

  it('escalates again every few hours after a missed cutoff', () => {
    expect(nextEscalation(at('2026-12-05T00:00:00Z'), 4)).toEqual({
      cutoff: '2026-12-05T04:00:00Z',
      secondsToCutoff: 14_400,
    });
  });

  it('names its errors as the state machine catches them', () => {
    expect(new ActionTransientError('x').name).toBe('Action.Transient');
    expect(new ActionFailedError('x').name).toBe('Action.Failed');
    expect(new PipelineFailedError('x').name).toBe('Pipeline.Failed');
    expect(new GateTimeoutError('x').name).toBe('States.Timeout');
  });
});
