import { describe, expect, it } from 'vitest';
import { fixtureWith, parsedEvent, parseFixture, rejection } from './support.js';

describe('pipeline events', () => {
  it('reads a finished pipeline secrel started, with its SECREL variables and finish time', () => {
    expect(parseFixture('pipeline-secrel-build-packages')).toEqual({
      kind: 'pipeline',
      projectId: 42,
      projectPath: 'acme/product',
      pipelineId: 5501,
      ref: '17-5-stable',
      status: 'success',
      source: 'trigger',
      variables: { SECREL_RELEASE_ID: '42-77', SECREL_ACTION: 'build-packages', SECREL_VERSION: '17.5' },
      updatedAt: '2024-11-13T08:25:30.000Z',
      actor: 'riley.rm',
    });
  });

  it('drops pipeline variables that are not secrel tags, since they may hold tokens', () => {
    const event = parseFixture('pipeline-secrel-build-packages');
    expect(JSON.stringify(event)).not.toContain('fake-not-a-real-token');
  });

  it('uses the creation time of a pipeline that has not finished', () => {
    expect(parseFixture('pipeline-running-on-security-branch')).toMatchObject({
      pipelineId: 5502,
      ref: 'security-importer-17-4',
      status: 'running',
      variables: {},
      updatedAt: '2024-11-13T09:00:00.000Z',
    });
  });

  it('reads a pipeline without a variables list as having none', () => {
    const body = fixtureWith(
      'pipeline-running-on-security-branch',
      ['object_attributes', 'variables'],
      undefined,
    );
    expect(parsedEvent('Pipeline Hook', body)).toMatchObject({ variables: {} });
  });

  it('rejects a pipeline whose id is missing, naming the field', () => {
    const body = fixtureWith('pipeline-secrel-build-packages', ['object_attributes', 'id'], undefined);
    expect(rejection('Pipeline Hook', body).message).toBe(
      'object_attributes.id: expected number, received nothing',
    );
  });

  it('rejects a variable without a key, naming its position', () => {
    const body = fixtureWith('pipeline-secrel-build-packages', ['object_attributes', 'variables', 2], {
      value: 'x',
    });
    expect(rejection('Pipeline Hook', body).message).toBe(
      'object_attributes.variables[2].key: expected string, received nothing',
    );
  });
});
