import type * as z from 'zod';
import { type Redactions, toGitLabApiError } from './error-mapping.js';
import { GitLabApiError } from './errors.js';

/**
 * Runs one gitbeaker call and maps its failure to a {@link GitLabApiError}; `redactions` (the
 * token and the text sent) never reach the message. Both GitLab clients call through here.
 */
export async function callGitLab<T>(
  operation: string,
  redactions: Redactions,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toGitLabApiError(operation, error, redactions);
  }
}

/** Reads the fields secrel needs from a GitLab answer; an unexpected shape is a permanent error. */
export function parseAnswer<S extends z.ZodType>(operation: string, schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new GitLabApiError(operation, undefined, false, 'unexpected answer from GitLab');
  return result.data;
}
