import type { ServerResponse } from 'node:http';
import type * as z from 'zod';
import { type RecordedCall, sendJson } from '../http.js';
import type { FakeGitLabState, FakeProject } from './state.js';

/** One REST route's handler: the call, the path's captured parts, the response to write. */
export type Route = (call: RecordedCall, params: readonly string[], res: ServerResponse) => void;

/** A route table entry: method, path pattern (after `/api/v4/`), handler. */
export type RouteEntry = [string, RegExp, Route];

/** The project named in a path (id or URL-encoded path); answers 404 as GitLab does when it is unknown. */
export function findProject(
  state: FakeGitLabState,
  encoded: string | undefined,
  res: ServerResponse,
): FakeProject | undefined {
  const project = encoded === undefined ? undefined : state.project(decodeURIComponent(encoded));
  if (!project) sendJson(res, 404, { message: '404 Project Not Found' });
  return project;
}

/** The parsed request body; answers 400 in GitLab's form for a missing or bad parameter. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  res: ServerResponse,
): z.output<S> | undefined {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const field = result.error.issues[0]?.path.join('.') || 'body';
  sendJson(res, 400, { error: `${field} is missing` });
  return undefined;
}
