import { describe, expect, it } from 'vitest';
import {
  accessName,
  findSecrelHook,
  hasErrors,
  hookDrift,
  hookIsRight,
  isValidPattern,
  mapBranches,
  problemLine,
  SECREL_HOOK_TRIGGERS,
  sameHookUrl,
  setupError,
  setupWarning,
} from '../../lib/core/setup/index.js';

const PATTERN = '^(\\d+)-(\\d+)-stable(-ee)?$';
const URL = 'https://secrel.example.com/webhooks/gitlab';

describe("secrel's hook", () => {
  it('has the nine triggers, confidential issues and confidential comments among them', () => {
    expect(SECREL_HOOK_TRIGGERS).toHaveLength(9);
    expect(SECREL_HOOK_TRIGGERS).toContain('confidential_issues_events');
    expect(SECREL_HOOK_TRIGGERS).toContain('confidential_note_events');
    expect(SECREL_HOOK_TRIGGERS).not.toContain('push_events');
  });

  it('is recognised by URL, whatever the host case or a trailing slash, and no other hook is', () => {
    expect(sameHookUrl(URL, 'https://SECREL.example.com/webhooks/gitlab/')).toBe(true);
    expect(sameHookUrl(URL, 'https://secrel.example.com/webhooks/gitlab2')).toBe(false);
    expect(sameHookUrl(URL, 'http://secrel.example.com/webhooks/gitlab')).toBe(false);
    const hooks = [
      { id: 1, url: 'https://chat.example.com/hook', enableSslVerification: true, triggers: [] },
      { id: 2, url: `${URL}/`, enableSslVerification: true, triggers: [] },
    ];
    expect(findSecrelHook(hooks, URL)?.id).toBe(2);
    expect(findSecrelHook(hooks.slice(0, 1), URL)).toBeUndefined();
  });

  it('needs an update when a trigger is missing or SSL verification differs, and not otherwise', () => {
    const complete = { id: 1, url: URL, enableSslVerification: true, triggers: [...SECREL_HOOK_TRIGGERS] };
    const desired = { url: URL, enableSslVerification: true };
    expect(hookIsRight(hookDrift(complete, desired))).toBe(true);
    const lacking = {
      ...complete,
      triggers: SECREL_HOOK_TRIGGERS.filter((t) => t !== 'confidential_note_events'),
    };
    expect(hookDrift(lacking, desired)).toEqual({
      missingTriggers: ['confidential_note_events'],
      sslDiffers: false,
    });
    expect(hookIsRight(hookDrift(complete, { url: URL, enableSslVerification: false }))).toBe(false);
  });
});

describe('branches and versions', () => {
  it('maps stable branches to versions, newest first, and names protected branches it misses', () => {
    const mapping = mapBranches(
      ['17-10-stable', '17-9-stable-ee', '16-11-stable'],
      ['main', '17-10-stable', 'release-17.8', '*-stable'],
      'main',
      PATTERN,
    );
    expect(mapping).toEqual({
      mapped: [
        { branch: '17-10-stable', version: '17.10' },
        { branch: '17-9-stable-ee', version: '17.9' },
        { branch: '16-11-stable', version: '16.11' },
      ],
      // The default branch is the main line, and a wildcard rule is not a branch.
      missed: ['release-17.8'],
    });
  });

  it('tells a broken pattern', () => {
    expect(isValidPattern(PATTERN)).toBe(true);
    expect(isValidPattern('^(\\d+-stable')).toBe(false);
  });
});

describe('problems', () => {
  it('are one line naming the key, and only errors fail the check', () => {
    const warning = setupWarning('versionBranchPattern', 'no branch maps\n to a version');
    expect(problemLine(warning)).toBe('versionBranchPattern: no branch maps to a version');
    expect(hasErrors([warning])).toBe(false);
    expect(hasErrors([warning, setupError('GITLAB_TOKEN', 'needs api')])).toBe(true);
  });

  it('name access levels as GitLab does', () => {
    expect(accessName(30)).toBe('Developer');
    expect(accessName(40)).toBe('Maintainer');
    expect(accessName(15)).toBe('access level 15');
  });
});
