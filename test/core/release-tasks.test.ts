import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import {
  expandTasks,
  initialTaskStates,
  parseTaskKey,
  reexpandTasks,
  taskKey,
} from '../../lib/core/tasks.js';
import type { Playbook } from '../../lib/core/types/playbook.js';
import { compareVersionsNewestFirst, sortVersions, versionForBranch } from '../../lib/core/versions.js';

const PATTERN = '^(\\d+)-(\\d+)-stable(-ee)?$';

describe('task keys', () => {
  it('names a once-per-release task by its id and a per-version task by id@version', () => {
    expect(taskKey('request-cve')).toBe('request-cve');
    expect(taskKey('build-packages', '17.5')).toBe('build-packages@17.5');
  });

  it('reads a key back into task id and version', () => {
    expect(parseTaskKey('build-packages@17.5')).toEqual({ taskId: 'build-packages', version: '17.5' });
    expect(parseTaskKey('request-cve')).toEqual({ taskId: 'request-cve' });
  });
});

describe('affected versions', () => {
  it('sorts versions newest first, numerically (17.10 is newer than 17.9)', () => {
    expect(sortVersions(['17.3', '17.10', '16.11', '17.9'])).toEqual(['17.10', '17.9', '17.3', '16.11']);
    expect(compareVersionsNewestFirst('17.5', '17.5')).toBe(0);
  });

  it('maps stable branches, with or without -ee, to their version', () => {
    expect(versionForBranch('17-5-stable', 'main', PATTERN)).toBe('17.5');
    expect(versionForBranch('17-5-stable-ee', 'main', PATTERN)).toBe('17.5');
    expect(versionForBranch('17-05-stable', 'main', PATTERN)).toBe('17.5');
  });

  it('maps the default branch to the main line and ignores any other target', () => {
    expect(versionForBranch('main', 'main', PATTERN)).toBe('main');
    expect(versionForBranch('master', 'master', PATTERN)).toBe('main');
    expect(versionForBranch('feature/x', 'main', PATTERN)).toBeUndefined();
    expect(versionForBranch('17-5-stable-backup', 'main', PATTERN)).toBeUndefined();
  });
});

describe('expanding the playbook over affected versions', () => {
  const keys = (versions: string[]) => expandTasks(DEFAULT_PLAYBOOK, versions).map((i) => i.key);

  it('gives each-version tasks one instance per affected version, newest first', () => {
    const cherryPicks = keys(['17.3', '17.5', '17.4']).filter((k) => k.startsWith('cherry-pick'));
    expect(cherryPicks).toEqual(['cherry-pick@17.5', 'cherry-pick@17.4', 'cherry-pick@17.3']);
  });

  it('gives latest-version tasks one instance, for the newest version only', () => {
    const validations = keys(['17.3', '17.5', '17.4']).filter((k) => k.startsWith('validate-latest'));
    expect(validations).toEqual(['validate-latest@17.5']);
  });

  it('gives once-per-release tasks a single key without a version', () => {
    expect(keys(['17.5', '17.4']).filter((k) => k === 'request-cve')).toEqual(['request-cve']);
  });

  it('has no per-version instances before the versions are known', () => {
    const all = keys([]);
    expect(all.some((k) => k.includes('@'))).toBe(false);
    expect(all).toContain('vulnerability-issue');
  });

  it('counts every instance of the seed for three versions', () => {
    const perVersion = DEFAULT_PLAYBOOK.tasks.filter((t) => t.scope === 'each-version').length;
    const once = DEFAULT_PLAYBOOK.tasks.filter((t) => t.scope === 'release').length;
    expect(keys(['17.5', '17.4', '17.3'])).toHaveLength(once + 3 * perVersion + 1);
  });

  it('starts every task open', () => {
    const states = initialTaskStates(DEFAULT_PLAYBOOK, ['17.5']);
    expect(Object.values(states).every((s) => s.status === 'open')).toBe(true);
    expect(states['build-packages@17.5']).toEqual({ status: 'open' });
  });
});

describe('re-expanding when /secrel versions changes', () => {
  const playbook: Playbook = DEFAULT_PLAYBOOK;

  it('keeps done and waived states of surviving keys, opens new ones and drops removed versions', () => {
    const before = {
      ...initialTaskStates(playbook, ['17.5', '17.4']),
      'cherry-pick@17.5': { status: 'done', by: 'rita', at: '2026-12-02T10:00:00.000Z' },
      'cherry-pick@17.4': { status: 'done', by: 'rita', at: '2026-12-02T10:00:00.000Z' },
      'request-cve': { status: 'waived', by: 'sam', reason: 'already assigned' },
    } as const;
    const after = reexpandTasks(playbook, before, ['17.5', '17.3']);
    expect(after['cherry-pick@17.5']?.status).toBe('done');
    expect(after['request-cve']?.status).toBe('waived');
    expect(after['cherry-pick@17.3']).toEqual({ status: 'open' });
    expect(after['cherry-pick@17.4']).toBeUndefined();
  });

  it('moves the latest-version task to the new newest version', () => {
    const before = {
      ...initialTaskStates(playbook, ['17.5']),
      'validate-latest@17.5': { status: 'done' },
    } as const;
    const after = reexpandTasks(playbook, before, ['17.6', '17.5']);
    expect(after['validate-latest@17.6']).toEqual({ status: 'open' });
    expect(after['validate-latest@17.5']).toBeUndefined();
  });
});
