import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwsSettings, loadLocalSettings } from '../../../lib/adapters/config/load.js';

const CONFIG = {
  gitlab: { url: 'https://gitlab.example.com' },
  projects: [{ id: 42, path: 'acme/product', defaultBranch: 'main' }],
  roles: { 'security lead': ['sec-lead'] },
};
const KEY = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrel-config-'));
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), JSON.stringify(content));
  return dir;
}

describe('local settings', () => {
  it('reads secrel.config.json before the committed example', () => {
    const dir = folderWith({
      'secrel.config.json': CONFIG,
      'secrel.config.example.json': { ...CONFIG, releaseLabel: 'example' },
    });
    const { config, source } = loadLocalSettings({}, dir);
    expect(config.releaseLabel).toBe('critical security release');
    expect(source).toBe(join(dir, 'secrel.config.json'));
  });

  it('falls back to the committed example, and SECREL_CONFIG overrides both', () => {
    const dir = folderWith({
      'secrel.config.example.json': CONFIG,
      'other.json': { ...CONFIG, releaseLabel: 'x' },
    });
    expect(loadLocalSettings({}, dir).source).toBe(join(dir, 'secrel.config.example.json'));
    expect(loadLocalSettings({ SECREL_CONFIG: 'other.json' }, dir).config.releaseLabel).toBe('x');
  });

  it('takes secrets only from the environment: rotated webhook secrets, signing key, GitLab token', () => {
    const dir = folderWith({ 'secrel.config.json': CONFIG });
    const { secrets, config } = loadLocalSettings(
      {
        SECREL_WEBHOOK_SECRET: 'old, new',
        SECREL_SIGNING_KEY: KEY,
        GITLAB_TOKEN: 'glpat-x',
        GITLAB_URL: 'https://gitlab.internal',
      },
      dir,
    );
    expect(secrets).toEqual({ webhookSecrets: ['old', 'new'], signingKeys: [KEY], gitlabToken: 'glpat-x' });
    expect(config.gitlab.url).toBe('https://gitlab.internal');
  });

  it('refuses a signing key that is not whsec_ base64, without echoing it', () => {
    const dir = folderWith({ 'secrel.config.json': CONFIG });
    expect(() => loadLocalSettings({ SECREL_SIGNING_KEY: 'not-a-key' }, dir)).toThrow(/whsec_/);
    expect(() => loadLocalSettings({ SECREL_SIGNING_KEY: 'not-a-key' }, dir)).not.toThrow(/not-a-key/);
  });

  it('names the file and the bad field of an invalid config', () => {
    const dir = folderWith({ 'secrel.config.json': { ...CONFIG, projects: [] } });
    expect(() => loadLocalSettings({}, dir)).toThrow(/projects/);
  });
});

describe('AWS settings', () => {
  it('reads the config from SECREL_CONFIG_JSON and secrets through their Secrets Manager ARNs', async () => {
    const asked: string[] = [];
    const stored: Record<string, string> = {
      'arn:webhook': 'a,b',
      'arn:signing': KEY,
      'arn:token': 'glpat-y',
    };
    const settings = await loadAwsSettings(
      {
        SECREL_CONFIG_JSON: JSON.stringify(CONFIG),
        SECREL_WEBHOOK_SECRET_ARN: 'arn:webhook',
        SECREL_SIGNING_KEY_ARN: 'arn:signing',
        GITLAB_TOKEN_SECRET_ARN: 'arn:token',
      },
      async (arn) => {
        asked.push(arn);
        return stored[arn] ?? '';
      },
    );
    expect(asked.sort()).toEqual(['arn:signing', 'arn:token', 'arn:webhook']);
    expect(settings.secrets).toEqual({
      webhookSecrets: ['a', 'b'],
      signingKeys: [KEY],
      gitlabToken: 'glpat-y',
    });
    expect(settings.config.projects[0]?.path).toBe('acme/product');
  });

  it('fails clearly when SECREL_CONFIG_JSON is missing', async () => {
    await expect(loadAwsSettings({}, async () => '')).rejects.toThrow('SECREL_CONFIG_JSON');
  });
});
