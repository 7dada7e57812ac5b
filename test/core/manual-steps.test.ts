import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/core/config.js';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { evaluateGate } from '../../lib/core/gates.js';
import { handToOwners, manualInstruction, preflight } from '../../lib/core/manual-steps.js';
import {
  CONFIG,
  command,
  ctxAt,
  GITLAB_URL,
  PEOPLE,
  PROJECT,
  replies,
  scheduledRelease,
} from './release-helpers.js';

/** Skipped is never done: a step with nothing configured is handed to its owners and holds its gates. */

describe('a step with no configured target', () => {
  const release = scheduledRelease();
  const handed = handToOwners(release, 'publish-packages@17.4', release.vulnerabilityIssue, ctxAt(10));

  it('stays open, marked manual, and the issue says what to do by hand', () => {
    expect(handed.state.tasks['publish-packages@17.4']).toMatchObject({ status: 'open', manual: true });
    const reply = handed.effects.find((e) => e.type === 'reply');
    expect(reply?.type === 'reply' && reply.body).toContain(
      'publish security packages to public for 17.4 by hand, then `/secrel done publish-packages@17.4`',
    );
    expect(handed.effects).toContainEqual(
      expect.objectContaining({ type: 'notify', roles: ['packaging team'] }),
    );
    expect(
      handToOwners(handed.state, 'publish-packages@17.4', release.vulnerabilityIssue, ctxAt(11)).changed,
    ).toBe(false);
  });

  it('holds the disclose gate until its owner says /secrel done', () => {
    const disclose = (s: typeof release) => evaluateGate(s, 'disclose', DEFAULT_PLAYBOOK).missing;
    expect(disclose(handed.state)).toContain('publish-packages@17.4 is not published yet');
    const stranger = command(handed.state, '/secrel done publish-packages@17.4', PEOPLE.stranger);
    expect(stranger.state.tasks['publish-packages@17.4']?.status).toBe('open');
    const done = command(handed.state, '/secrel done publish-packages@17.4', PEOPLE.packager);
    expect(done.state.tasks['publish-packages@17.4']).toMatchObject({ status: 'done', by: PEOPLE.packager });
    expect(disclose(done.state)).not.toContain('publish-packages@17.4 is not published yet');
  });

  it('cannot be marked done by command while secrel still does it itself', () => {
    const refused = command(release, '/secrel done publish-packages@17.4', PEOPLE.packager);
    expect(refused.state.tasks['publish-packages@17.4']?.status).toBe('open');
    expect(replies(refused).join()).toContain('secrel performs publish-packages@17.4 itself');
  });

  it('names the instruction from the playbook text', () => {
    expect(manualInstruction('update-githost', DEFAULT_PLAYBOOK)).toMatch(
      /by hand, then `\/secrel done update-githost`$/,
    );
  });
});

describe('the /secrel start preflight', () => {
  it('lists automated steps, manual ones for lack of a target, and roles with nobody', () => {
    const bare = parseConfig({
      gitlab: { url: GITLAB_URL },
      projects: [{ id: PROJECT.id, path: PROJECT.path, defaultBranch: 'main' }],
      roles: { 'security lead': [PEOPLE.lead] },
    });
    const result = preflight(bare, DEFAULT_PLAYBOOK, '42-77', PROJECT.id);
    expect(result.automated).toContain('release-issue');
    expect(result.manual).toEqual(
      expect.arrayContaining(['publish-packages', 'publish-docker', 'version-entries', 'build-packages']),
    );
    expect(result.rolesWithNobody).toContain('packaging team');
    expect(result.rolesWithNobody).not.toContain('security lead');
    const configured = preflight(CONFIG, DEFAULT_PLAYBOOK, '42-77', PROJECT.id);
    expect(configured.automated).toContain('publish-packages');
  });

  it('is the answer to /secrel start', () => {
    const reply = replies(command(scheduledRelease(), '/secrel start 2026-12-02')).join('\n');
    expect(reply).toContain('#### Preflight');
    expect(reply).toMatch(/manual, because nothing is configured for them.*`version-entries`/);
  });
});
