import { describe, expect, it } from 'vitest';
import type { DeliverableEffect } from '../../lib/core/types/workflow.js';
import { isDeliverable } from '../../lib/services/effects.js';

const reply = (body: string): DeliverableEffect => ({
  type: 'reply',
  issue: { projectId: 42, iid: 78 },
  body,
});

describe('effects ingress hands over', () => {
  it('defers replies and notifications, and nothing that signals the state machine', () => {
    expect(isDeliverable(reply('x'))).toBe(true);
    expect(isDeliverable({ type: 'notify', roles: ['security lead'], message: 'm' })).toBe(true);
    expect(isDeliverable({ type: 'open-gate', gate: 'publish', token: 't' })).toBe(false);
    expect(isDeliverable({ type: 'start-workflow', releaseId: '42-77' })).toBe(false);
  });
});
