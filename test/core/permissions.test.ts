import { describe, expect, it } from 'vitest';
import type { Command } from '../../lib/core/commands.js';
import { parseConfig } from '../../lib/core/config.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { authorize, rolesOf } from '../../lib/core/permissions.js';
import { CONFIG, PEOPLE } from './release-helpers.js';

const may = (command: Command, actor: string) => authorize(command, actor, CONFIG, DEFAULT_PLAYBOOK).allowed;

const EVERY_COMMAND: readonly Command[] = [
  { name: 'status' },
  { name: 'done', taskId: 'request-cve' },
  { name: 'waive', taskId: 'request-cve', reason: 'x' },
  { name: 'versions', versions: ['17.5'] },
  { name: 'start', dayOne: '2026-12-01' },
  { name: 'slip', hours: 4 },
  { name: 'mr', iid: 1 },
  { name: 'abort', reason: 'x' },
];

describe('who may run which /secrel command', () => {
  it('lets the security lead run everything', () => {
    expect(EVERY_COMMAND.every((c) => may(c, PEOPLE.lead))).toBe(true);
  });

  it('lets release managers run status, done, mr, slip and versions, but not waive, start or abort', () => {
    const allowed = EVERY_COMMAND.filter((c) => may(c, PEOPLE.manager)).map((c) => c.name);
    expect(allowed).toEqual(['status', 'done', 'versions', 'slip', 'mr']);
  });

  it("lets a task's owners mark their own task done, and no one else's", () => {
    expect(may({ name: 'done', taskId: 'merge-patches' }, PEOPLE.dev)).toBe(true);
    expect(may({ name: 'done', taskId: 'validate-all', version: '17.5' }, PEOPLE.dev)).toBe(true);
    expect(may({ name: 'done', taskId: 'request-cve' }, PEOPLE.dev)).toBe(false);
    expect(may({ name: 'done', taskId: 'remove-mitigation' }, PEOPLE.infra)).toBe(true);
  });

  it('lets any configured user ask for status but nothing else outside their role', () => {
    expect(may({ name: 'status' }, PEOPLE.packager)).toBe(true);
    expect(may({ name: 'slip', hours: 4 }, PEOPLE.packager)).toBe(false);
  });

  it('refuses every command from an unknown user, status included, with a reason', () => {
    expect(EVERY_COMMAND.some((c) => may(c, PEOPLE.stranger))).toBe(false);
    const decision = authorize({ name: 'status' }, PEOPLE.stranger, CONFIG, DEFAULT_PLAYBOOK);
    expect(decision).toEqual({
      allowed: false,
      reason: '@mallory has no role in this release; nothing changed',
    });
  });

  it('explains a refusal by naming who may run the command', () => {
    const decision = authorize({ name: 'abort', reason: 'x' }, PEOPLE.manager, CONFIG, DEFAULT_PLAYBOOK);
    expect(decision).toEqual({
      allowed: false,
      reason: 'only the security lead may run abort; nothing changed',
    });
  });

  it('matches usernames without regard to case or a leading @', () => {
    const config = parseConfig({ ...CONFIG, roles: { 'security lead': ['@Sam'] } });
    expect(rolesOf(config, 'sam')).toEqual(['security lead']);
    expect(rolesOf(config, 'SAM')).toEqual(['security lead']);
  });
});
