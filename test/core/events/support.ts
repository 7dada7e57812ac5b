import { expect } from 'vitest';
import { type ParseContext, PayloadRejectedError, parseGitLabEvent } from '../../../lib/core/events/index.js';
import type { GitLabEvent } from '../../../lib/core/types/events.js';
import { FIXTURE_HEADERS, type FixtureName, loadFixture } from '../../fixtures/gitlab/index.js';

/** Parses one of the project's fixtures under its own header and returns the normalized event. */
export function parseFixture(name: FixtureName, context?: ParseContext): GitLabEvent {
  return parsedEvent(FIXTURE_HEADERS[name], loadFixture(name), context);
}

/** Parses a body and fails the test unless it became an event. */
export function parsedEvent(header: string, body: unknown, context?: ParseContext): GitLabEvent {
  const outcome = parseGitLabEvent(header, body, context);
  if (outcome.status !== 'parsed') throw new Error(`expected a parsed event, got ignored: ${outcome.reason}`);
  return outcome.event;
}

/** The fixture's body with one field replaced (or removed when `value` is undefined). */
export function fixtureWith(name: FixtureName, path: readonly (string | number)[], value: unknown): unknown {
  const body = loadFixture(name);
  let parent = body as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return body;
}

/** Runs the parser on a body that must be rejected and returns the rejection. */
export function rejection(header: string, body: unknown): PayloadRejectedError {
  try {
    parseGitLabEvent(header, body);
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadRejectedError);
    return error as PayloadRejectedError;
  }
  throw new Error('expected the payload to be rejected');
}
