import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_HEADERS, PayloadRejectedError, parseGitLabEvent } from '../../../lib/core/events/index.js';
import type { GitLabEvent } from '../../../lib/core/types/events.js';
import { FIXTURE_HEADERS, FIXTURE_NAMES, loadFixture } from '../../fixtures/gitlab/index.js';
import { fixtureWith, parsedEvent, rejection } from './support.js';

const KIND_BY_HEADER: Record<string, GitLabEvent['kind']> = {
  'Issue Hook': 'issue',
  'Confidential Issue Hook': 'issue',
  'Merge Request Hook': 'merge_request',
  'Pipeline Hook': 'pipeline',
  'Note Hook': 'note',
  'Confidential Note Hook': 'note',
  'Release Hook': 'release',
  'Tag Push Hook': 'tag_push',
  'Deployment Hook': 'deployment',
};

describe('parseGitLabEvent', () => {
  it('handles exactly the event kinds secrel follows', () => {
    expect(Object.keys(EVENT_HEADERS).sort()).toEqual(Object.keys(KIND_BY_HEADER).sort());
  });

  it.each(FIXTURE_NAMES)('parses the %s fixture under its header into the right kind', (name) => {
    const header = FIXTURE_HEADERS[name];
    expect(parsedEvent(header, loadFixture(name)).kind).toBe(KIND_BY_HEADER[header]);
  });

  it.each(['Push Hook', 'Job Hook', 'System Hook', 'issue hook', ''])(
    'ignores the %j event kind',
    (header) => {
      expect(parseGitLabEvent(header, { object_kind: 'push' })).toEqual({
        status: 'ignored',
        reason: 'event kind not handled',
      });
    },
  );

  it('does not mistake inherited object keys for event kinds', () => {
    expect(parseGitLabEvent('constructor', {})).toMatchObject({ status: 'ignored' });
  });

  it('keeps working when GitLab adds fields it did not send before', () => {
    const body = loadFixture('confidential-issue-labelled') as Record<string, Record<string, unknown>>;
    body.brand_new_block = { nested: [1, 2, 3] };
    body.object_attributes!.brand_new_field = 'anything';
    body.project!.brand_new_flag = true;
    expect(parsedEvent('Confidential Issue Hook', body)).toMatchObject({ kind: 'issue', iid: 77 });
  });

  it('rejects a body that is not a JSON object', () => {
    expect(rejection('Pipeline Hook', 'not an object').message).toBe(
      '(root): expected object, received string',
    );
    expect(rejection('Pipeline Hook', null).message).toBe('(root): expected object, received null');
  });

  it('rejects a payload whose object kind does not match its header', () => {
    expect(rejection('Pipeline Hook', loadFixture('deployment-staging')).message).toBe(
      'object_kind: expected "pipeline"',
    );
  });

  it('gives one-line reasons that never quote a confidential payload value', () => {
    const secret = 'Remote code execution\nin importer';
    const body = fixtureWith('confidential-issue-labelled', ['object_attributes', 'iid'], secret);
    const error = rejection('Confidential Issue Hook', body);
    expect(error).toBeInstanceOf(PayloadRejectedError);
    expect(error.name).toBe('PayloadRejectedError');
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('Remote code execution');
    expect(error.eventHeader).toBe('Confidential Issue Hook');
  });
});

const DOCS_DIR = '/work/shared/fixtures/gitlab-webhooks';

/** The header each documented example is delivered under, as SOURCES.md lists it. */
function documentedHeaders(): Map<string, string> {
  const sources = readFileSync(join(DOCS_DIR, 'SOURCES.md'), 'utf8');
  const rows = sources.matchAll(/^\| `([\w-]+\.json)` \|[^|]*\| `([^`]+)` \|/gm);
  return new Map([...rows].map((row) => [row[1]!, row[2]!]));
}

describe.skipIf(!existsSync(DOCS_DIR))(
  'GitLab documented webhook examples (skipped when /work/shared is absent)',
  () => {
    const headers = existsSync(DOCS_DIR) ? documentedHeaders() : new Map<string, string>();

    it('has a header in SOURCES.md for every example file', () => {
      const files = [...new Set(readdirJson())];
      expect(files.length).toBeGreaterThan(0);
      expect(files.filter((file) => !headers.has(file))).toEqual([]);
    });

    it.each([...headers])('parses %s under %s', (file, header) => {
      const body: unknown = JSON.parse(readFileSync(join(DOCS_DIR, file), 'utf8'));
      expect(parsedEvent(header, body).kind).toBe(KIND_BY_HEADER[header]);
    });

    it('reads the documented issue example as a public issue that gained the Platform label', () => {
      const body: unknown = JSON.parse(readFileSync(join(DOCS_DIR, 'issue-hook.json'), 'utf8'));
      expect(parsedEvent('Issue Hook', body)).toMatchObject({
        confidential: false,
        iid: 23,
        addedLabels: ['Platform'],
        actor: 'root',
        updatedAt: '2013-12-03T17:15:43.000Z',
      });
    });

    it('reads the documented issue comment as confidential when delivered as a Confidential Note Hook', () => {
      const body: unknown = JSON.parse(readFileSync(join(DOCS_DIR, 'note-on-issue-hook.json'), 'utf8'));
      expect(parsedEvent('Confidential Note Hook', body)).toMatchObject({
        confidential: true,
        noteableType: 'Issue',
        noteableIid: 17,
      });
    });
  },
);

function readdirJson(): string[] {
  return readdirSync(DOCS_DIR).filter((file) => file.endsWith('.json'));
}
