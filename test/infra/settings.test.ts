import { describe, expect, it } from 'vitest';
import { parseInfraSettings } from '../../lib/infra/settings.js';

describe('deployment settings from CDK context', () => {
  it('deploys stage dev with created secrets and edge throttling when nothing is given', () => {
    const settings = parseInfraSettings({});
    expect(settings).toMatchObject({
      stage: 'dev',
      secretMode: 'create',
      secretNames: {},
      signedWebhooks: false,
      ingressRateLimit: 25,
      ingressBurstLimit: 50,
    });
    expect(settings.webhookReservedConcurrency).toBeUndefined();
  });

  it('reads command-line strings as the numbers, booleans and objects they stand for', () => {
    const settings = parseInfraSettings({
      stage: 'prod',
      signedWebhooks: 'true',
      ingressRateLimit: '10',
      webhookReservedConcurrency: '5',
      secretNames: '{"gitlabToken":"ops/gitlab-bot"}',
    });
    expect(settings.signedWebhooks).toBe(true);
    expect(settings.ingressRateLimit).toBe(10);
    expect(settings.webhookReservedConcurrency).toBe(5);
    expect(settings.secretNames).toEqual({ gitlabToken: 'ops/gitlab-bot' });
  });

  it('refuses a stage that cannot name AWS resources, naming the key', () => {
    expect(() => parseInfraSettings({ stage: 'Prod_1' })).toThrow(/^invalid deployment context: stage:/);
  });

  it('refuses an unknown secret kind and a malformed alarm e-mail', () => {
    expect(() => parseInfraSettings({ secretNames: { slackToken: 'x' } })).toThrow(/secretNames/);
    expect(() => parseInfraSettings({ alarmEmail: 'not-an-address' })).toThrow(/alarmEmail/);
  });

  it('refuses secret names given as a string that is not JSON', () => {
    expect(() => parseInfraSettings({ secretNames: '{gitlabToken:' })).toThrow(/invalid deployment context/);
  });
});
