import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { routingKey } from '../../lib/core/routing.js';
import type { GitLabEvent } from '../../lib/core/types/events.js';
import { ingestEvent } from '../../lib/services/ingest.js';
import { parsedEvent } from '../core/events/support.js';
import { ingressDeps } from '../e2e/ingress-harness.js';
import { loadFixture } from '../fixtures/gitlab/index.js';

/**
 * A release aborted through ingress (`/secrel abort`) gives up its project routing keys in the same
 * batch transaction as its state, as a completed release does (issue #10): later project events
 * (pipelines, tags, MRs of other work) no longer reach it at all. DynamoDB Local holds the table.
 */

const RELEASE = '42-77';
type Json = Record<string, unknown>;

/** `text` commented by the security lead on the vulnerability issue #77. */
function command(text: string, noteId: number): GitLabEvent {
  const body = loadFixture('note-secrel-done-request-cve') as Json;
  Object.assign(body.object_attributes as Json, { id: noteId, note: text });
  Object.assign(body.issue as Json, { iid: 77, id: 9077 });
  return parsedEvent('Confidential Note Hook', body);
}

describe('a release aborted through ingress', () => {
  it('drops its project routing keys with the aborted state, and keeps its issue keys', async () => {
    const h = await ingressDeps();
    const start = parsedEvent('Confidential Issue Hook', loadFixture('confidential-issue-labelled'));
    expect((await ingestEvent(h.deps, start, randomUUID())).changed).toEqual([RELEASE]);
    const project = routingKey.project(42);
    expect(await h.store.resolve(project)).toContain(RELEASE);

    const aborted = await ingestEvent(
      h.deps,
      command('/secrel abort reported in error', 880001),
      randomUUID(),
    );

    expect(aborted.changed).toEqual([RELEASE]);
    expect((await h.store.get(RELEASE))?.status).toBe('aborted');
    expect(await h.store.resolve(project)).not.toContain(RELEASE);
    expect(await h.store.resolve(routingKey.issue(42, 77))).toEqual([RELEASE]);
  });

  it('keeps its project keys when a command does not end it', async () => {
    const h = await ingressDeps();
    const start = parsedEvent('Confidential Issue Hook', loadFixture('confidential-issue-labelled'));
    await ingestEvent(h.deps, start, randomUUID());

    await ingestEvent(h.deps, command('/secrel slip 2', 880002), randomUUID());

    expect((await h.store.get(RELEASE))?.status).not.toBe('aborted');
    expect(await h.store.resolve(routingKey.project(42))).toContain(RELEASE);
  });
});
