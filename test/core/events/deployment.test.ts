import { describe, expect, it } from 'vitest';
import { fixtureWith, parsedEvent, parseFixture, rejection } from './support.js';

describe('deployment events', () => {
  it('reads a successful staging deployment, converting its offset time to UTC', () => {
    expect(parseFixture('deployment-staging')).toEqual({
      kind: 'deployment',
      projectId: 42,
      projectPath: 'acme/product',
      deploymentId: 3301,
      environment: 'staging',
      status: 'success',
      ref: '17-5-stable',
      updatedAt: '2024-11-13T14:05:00.000Z',
    });
  });

  it('reads a deployment from a GitLab that does not send its ref', () => {
    const body = fixtureWith('deployment-staging', ['ref'], undefined);
    expect(parsedEvent('Deployment Hook', body)).toMatchObject({ environment: 'staging', ref: undefined });
  });

  it('rejects a deployment without an environment, naming the field', () => {
    const body = fixtureWith('deployment-staging', ['environment'], undefined);
    expect(rejection('Deployment Hook', body).message).toBe('environment: expected string, received nothing');
  });

  it('rejects a deployment whose status_changed_at is not a time', () => {
    const body = fixtureWith('deployment-staging', ['status_changed_at'], 12);
    expect(rejection('Deployment Hook', body).message).toBe(
      'status_changed_at: expected string, received number',
    );
  });
});
