import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDeployment } from '../../lib/infra/deployment-inputs.js';

const CONFIG = {
  gitlab: { url: 'https://gitlab.acme.test' },
  projects: [{ id: 9, path: 'acme/app', defaultBranch: 'main' }],
};

/** A folder holding the given files, like a checkout with or without config files. */
function checkout(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrel-deploy-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function contextOf(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

describe('resolving a deployment from context and the config file', () => {
  it('uses the config file named with -c config', () => {
    const cwd = checkout({ 'team.json': CONFIG, 'secrel.config.example.json': { broken: true } });
    const deployment = resolveDeployment(contextOf({ config: 'team.json', stage: 'staging' }), {
      cwd,
      env: {},
    });
    expect(deployment.configSource).toBe('team.json');
    expect(deployment.config.projects[0]?.path).toBe('acme/app');
    expect(deployment.settings.stage).toBe('staging');
  });

  it('falls back to SECREL_CONFIG, then secrel.config.json, then the committed example', () => {
    const cwd = checkout({ 'env.json': CONFIG, 'secrel.config.example.json': CONFIG });
    expect(resolveDeployment(contextOf({}), { cwd, env: { SECREL_CONFIG: 'env.json' } }).configSource).toBe(
      'env.json',
    );
    expect(resolveDeployment(contextOf({}), { cwd, env: {} }).configSource).toBe(
      'secrel.config.example.json',
    );
    writeFileSync(join(cwd, 'secrel.config.json'), JSON.stringify(CONFIG));
    expect(resolveDeployment(contextOf({}), { cwd, env: {} }).configSource).toBe('secrel.config.json');
  });

  it('synthesizes a placeholder config in an empty checkout, so cdk synth works anywhere', () => {
    const deployment = resolveDeployment(contextOf({}), { cwd: checkout({}), env: {} });
    expect(deployment.configSource).toBe('placeholder');
    expect(deployment.config.projects).toHaveLength(1);
  });

  it('never deploys prod with the placeholder or the example config', () => {
    expect(() => resolveDeployment(contextOf({ stage: 'prod' }), { cwd: checkout({}), env: {} })).toThrow(
      /stage prod needs a config file/,
    );
    const cwd = checkout({ 'secrel.config.example.json': CONFIG });
    expect(() => resolveDeployment(contextOf({ stage: 'prod' }), { cwd, env: {} })).toThrow(
      /will not deploy the example config/,
    );
  });

  it('stops synth on an invalid config, naming the field and not its value', () => {
    const cwd = checkout({ 'bad.json': { ...CONFIG, gitlab: { url: 'secret-looking-value' } } });
    expect(() => resolveDeployment(contextOf({ config: 'bad.json' }), { cwd, env: {} })).toThrow(
      /^invalid config: gitlab\.url: /,
    );
    try {
      resolveDeployment(contextOf({ config: 'bad.json' }), { cwd, env: {} });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-looking-value');
    }
  });

  it('stops synth on a config file that is not JSON', () => {
    const cwd = checkout({ 'bad.json': '{ nope' });
    expect(() => resolveDeployment(contextOf({ config: 'bad.json' }), { cwd, env: {} })).toThrow(
      /^cannot read config bad\.json/,
    );
  });
});
