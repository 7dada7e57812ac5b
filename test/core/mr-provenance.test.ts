import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { evaluateGate } from '../../lib/core/gates.js';
import { mergedFor } from '../../lib/core/signals.js';
import type { ReleaseState } from '../../lib/core/types/release.js';
import {
  applyAll,
  command,
  EE_PROJECT,
  mrEvent,
  PEOPLE,
  PROJECT,
  replies,
  scheduledRelease,
  VULN_IID,
} from './release-helpers.js';

/**
 * Mentioning the vulnerability issue lets an MR join; only an MR named with `/secrel mr` or opened or
 * merged by the dev team, a release manager or the security lead counts as a version's fix. Each
 * attempt below is the MR swap of issue #9 or a step of it.
 */

const publishMissing = (state: ReleaseState) => evaluateGate(state, 'publish', DEFAULT_PLAYBOOK).missing;

/** A release whose 17.3 fix !30 (by the dev team) is open, with the other versions merged. */
function withOpen173(): ReleaseState {
  return applyAll(
    scheduledRelease(),
    mrEvent({ iid: 10, targetBranch: 'main', state: 'merged' }),
    mrEvent({ iid: 11, targetBranch: '17-5-stable', state: 'merged' }),
    mrEvent({ iid: 12, targetBranch: '17-4-stable', state: 'merged' }),
    mrEvent({ iid: 30, targetBranch: '17-3-stable', state: 'opened' }),
  ).state;
}

describe('MR provenance', () => {
  it('does not count an MR that only mentions the issue, opened and merged by someone without a fix role', () => {
    const state = applyAll(
      withOpen173(),
      mrEvent({ iid: 40, targetBranch: '17-3-stable', state: 'opened', actor: PEOPLE.stranger }),
      mrEvent({ iid: 40, targetBranch: '17-3-stable', state: 'merged', actor: PEOPLE.stranger }),
    ).state;
    expect(state.mergeRequests['42!40']).toMatchObject({ state: 'merged' });
    expect(state.mergeRequests['42!40']?.countedVia).toBeUndefined();
    expect(mergedFor(state, '17.3').holds).toBe(false);
    expect(state.tasks['merge-backports@17.3']?.status ?? 'open').not.toBe('done');
  });

  it('counts an MR opened by an outsider once a release manager merges it', () => {
    const state = applyAll(
      scheduledRelease(),
      mrEvent({ iid: 41, targetBranch: '17-3-stable', state: 'opened', actor: PEOPLE.stranger }),
      mrEvent({ iid: 41, targetBranch: '17-3-stable', state: 'merged', actor: PEOPLE.manager }),
    ).state;
    expect(state.mergeRequests['42!41']?.countedVia).toBe('role');
    expect(mergedFor(state, '17.3').holds).toBe(true);
  });

  for (const [where, project] of [
    ['the same project', PROJECT],
    ['another configured project', EE_PROJECT],
  ] as const) {
    it(`holds the publish gate when the counted 17.3 fix is closed and a merged MR in ${where} mentions the issue`, () => {
      const swapped = applyAll(
        withOpen173(),
        mrEvent({ iid: 30, targetBranch: '17-3-stable', state: 'closed', actor: PEOPLE.stranger }),
        mrEvent({
          iid: 50,
          projectId: project.id,
          projectPath: project.path,
          targetBranch: '17-3-stable',
          description: `Fixes ${PROJECT.path}#${VULN_IID}`,
          state: 'opened',
          actor: PEOPLE.stranger,
        }),
        mrEvent({
          iid: 50,
          projectId: project.id,
          projectPath: project.path,
          targetBranch: '17-3-stable',
          description: `Fixes ${PROJECT.path}#${VULN_IID}`,
          state: 'merged',
          // Even a member of a fix role merging it does not replace the withdrawn fix on its own.
          actor: PEOPLE.dev,
        }),
      );
      const state = swapped.state;
      expect(state.mergeRequests[`${project.id}!50`]).toMatchObject({ state: 'merged' });
      expect(state.replacementNeeded?.['17.3']).toEqual({ projectId: PROJECT.id, iid: 30 });
      expect(mergedFor(state, '17.3').holds).toBe(false);
      const missing = publishMissing(state);
      expect(missing.some((m) => m.includes('17.3 has no fix'))).toBe(true);
      const closed = applyAll(
        withOpen173(),
        mrEvent({ iid: 30, targetBranch: '17-3-stable', state: 'closed', actor: PEOPLE.stranger }),
      );
      expect(closed.timeline.some((e) => e.kind === 'fix-withdrawn' && e.summary.includes('17.3'))).toBe(
        true,
      );

      // A developer cannot name it; a release manager can.
      const refused = command(state, `/secrel mr ${project.path}!50`, PEOPLE.dev);
      expect(refused.state.replacementNeeded?.['17.3']).toBeDefined();
      const named = command(state, `/secrel mr ${project.path}!50`, PEOPLE.manager);
      expect(replies(named).join()).toContain('now counts as the fix for 17.3');
      expect(named.state.replacementNeeded?.['17.3']).toBeUndefined();
      expect(mergedFor(named.state, '17.3').holds).toBe(true);
    });
  }

  it('replaces a withdrawn fix with an MR named by /secrel mr before its first event, and not by an MR named earlier', () => {
    const named = command(withOpen173(), '/secrel mr !31', PEOPLE.manager).state;
    // !31 joins as named (counted), then the original fix is closed: 17.3 waits for a new name.
    const joined = applyAll(named, mrEvent({ iid: 31, targetBranch: '17-3-stable', state: 'opened' })).state;
    const withdrawn = applyAll(
      joined,
      mrEvent({ iid: 30, targetBranch: '17-3-stable', state: 'closed', actor: PEOPLE.stranger }),
      mrEvent({ iid: 31, targetBranch: '17-3-stable', state: 'merged', actor: PEOPLE.manager }),
    ).state;
    expect(withdrawn.replacementNeeded?.['17.3']).toEqual({ projectId: PROJECT.id, iid: 30 });
    expect(mergedFor(withdrawn, '17.3').holds).toBe(false);
    // Naming a not-yet-seen MR links it; its first event makes it the replacement.
    const linked = command(withdrawn, '/secrel mr !32', PEOPLE.lead).state;
    const replaced = applyAll(
      linked,
      mrEvent({ iid: 32, targetBranch: '17-3-stable', state: 'merged', actor: PEOPLE.stranger }),
    ).state;
    expect(replaced.mergeRequests['42!32']?.countedVia).toBe('command');
    expect(replaced.replacementNeeded?.['17.3']).toBeUndefined();
    expect(mergedFor(replaced, '17.3').holds).toBe(true);
  });

  it('says in /secrel status which MR is the fix and why another is not counted', () => {
    const state = applyAll(
      withOpen173(),
      mrEvent({ iid: 40, targetBranch: '17-3-stable', state: 'opened', actor: PEOPLE.stranger }),
    ).state;
    const status = replies(command(state, '/secrel status')).join('\n');
    expect(status).toContain('#### Fixes');
    expect(status).toContain('!30 in project 42 (opened) is a fix for 17.3 (by a member of a fix role)');
    expect(status).toContain('!40 in project 42 (opened) not counted');
  });
});
