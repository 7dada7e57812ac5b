import { describe, expect, it } from 'vitest';
import type { DeliverableEffect } from '../../lib/core/types/workflow.js';
import { LocalEffectDispatcher } from '../../lib/local/local-effect-dispatcher.js';
import type { Logger } from '../../lib/ports.js';
import { silentLogger } from '../../lib/services/logger.js';

const reply = (body: string): DeliverableEffect => ({
  type: 'reply',
  issue: { projectId: 42, iid: 78 },
  body,
});

describe('local effect dispatcher', () => {
  it('runs replies only after the dispatching call has returned, in the order given', async () => {
    const ran: string[] = [];
    const dispatcher = new LocalEffectDispatcher(async (_id, effect) => {
      ran.push(effect.type === 'reply' ? effect.body : effect.type);
    }, silentLogger);
    await dispatcher.dispatch('42-77', [reply('first'), reply('second')]);
    // The acknowledgement goes out before any reply is attempted.
    expect(ran).toEqual([]);
    await dispatcher.idle();
    expect(ran).toEqual(['first', 'second']);
  });

  it('keeps going after a failed effect and logs only its kind, never its text', async () => {
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m, f) => lines.push(JSON.stringify({ m, f })) };
    const ran: string[] = [];
    const dispatcher = new LocalEffectDispatcher(async (_id, effect) => {
      if (effect.type === 'reply' && effect.body === 'confidential detail')
        throw new Error('confidential detail');
      ran.push('ok');
    }, logger);
    await dispatcher.dispatch('42-77', [reply('confidential detail'), reply('fine')]);
    await dispatcher.idle();
    expect(ran).toEqual(['ok']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('confidential');
  });

  it('loses what it had not run yet when discarded, as a killed process does, and runs what comes after', async () => {
    const ran: string[] = [];
    const dispatcher = new LocalEffectDispatcher(async (_id, effect) => {
      ran.push(effect.type === 'reply' ? effect.body : effect.type);
    }, silentLogger);
    await dispatcher.dispatch('42-77', [reply('lost one'), reply('lost two')]);
    dispatcher.discard();
    await dispatcher.idle();
    expect(ran).toEqual([]);
    await dispatcher.dispatch('42-77', [reply('after')]);
    await dispatcher.idle();
    expect(ran).toEqual(['after']);
  });
});
