import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/core/config.js';

/** A config is refused before it can hurt: at start and at synth, in one line naming the key. */

const minimal = {
  gitlab: { url: 'https://gitlab.example.com' },
  projects: [{ id: 42, path: 'acme/product', defaultBranch: 'main' }],
};

describe('the config', () => {
  it('accepts the minimal config and fills the defaults', () => {
    const config = parseConfig(minimal);
    expect(config.releaseLabel).toBe('critical security release');
    expect(config.versionBranchPattern).toBe('^(\\d+)-(\\d+)-stable(-ee)?$');
  });

  it('refuses a version branch pattern that is not a regular expression', () => {
    expect(() => parseConfig({ ...minimal, versionBranchPattern: '^(\\d+-stable' })).toThrow(
      'invalid config: versionBranchPattern: is not a valid regular expression',
    );
  });

  it('refuses a version branch pattern without major and minor groups', () => {
    expect(() => parseConfig({ ...minimal, versionBranchPattern: '^(\\d+)-stable$' })).toThrow(
      'invalid config: versionBranchPattern: needs two capture groups, major and minor',
    );
  });

  it('refuses an unknown key, at the top and inside, naming it', () => {
    expect(() => parseConfig({ ...minimal, releaseLable: 'typo' })).toThrow(
      'invalid config: releaseLable: unknown key',
    );
    expect(() =>
      parseConfig({ ...minimal, projects: [{ ...minimal.projects[0], securitybranch: 'security-main' }] }),
    ).toThrow('invalid config: projects.0.securitybranch: unknown key');
    expect(() =>
      parseConfig({ ...minimal, pipelines: { 'build-packages': { project: 1, ref: 'main', variable: {} } } }),
    ).toThrow('invalid config: pipelines.build-packages.variable: unknown key');
  });

  it('refuses a project listed twice', () => {
    expect(() => parseConfig({ ...minimal, projects: [...minimal.projects, ...minimal.projects] })).toThrow(
      'invalid config: projects.1.id: project 42 is listed twice',
    );
  });

  it('refuses HackerOne reports linked to an issue of a project it does not watch', () => {
    expect(() => parseConfig({ ...minimal, hackerone: { reports: { '7-3': ['h1-1'] } } })).toThrow(
      'invalid config: hackerone.reports.7-3: must be <project id>-<issue iid> of a configured project',
    );
    expect(
      parseConfig({ ...minimal, hackerone: { reports: { '42-3': ['h1-1'] } } }).hackerone?.reports,
    ).toEqual({
      '42-3': ['h1-1'],
    });
  });

  it('names the key, never the value', () => {
    let message = '';
    try {
      parseConfig({ ...minimal, versionServer: { url: 'not a url glpat-should-not-appear' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid config: versionServer\.url: /);
    expect(message).not.toContain('glpat');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses a Slack webhook URL in the file: it is a secret (Secrets Manager on AWS, SECREL_SLACK_WEBHOOK_URL locally)', () => {
    expect(() =>
      parseConfig({ ...minimal, slack: { webhookUrl: 'https://hooks.slack.com/services/T/B/x' } }),
    ).toThrow(/^invalid config: /);
  });
});
