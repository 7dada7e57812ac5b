import {
  createRequesterFn,
  type FormattedResponse,
  type ResponseBodyTypes,
} from '@gitbeaker/requester-utils';
import * as z from 'zod';

/**
 * The HTTP layer under gitbeaker's resource classes. `@gitbeaker/rest` wires every one of
 * GitLab's ~200 resources into one object, which makes a 690 KB Lambda bundle; building the
 * few resources secrel uses from `@gitbeaker/core` with this requester keeps it near 150 KB.
 * It sends a call GitLab rate-limited (429) again after the `Retry-After` GitLab gave, when that
 * is short; everything else (5xx, timeouts, long waits) is left to the state machine's retry,
 * with backoff, outside the billed Lambda time, and to the action's at-most-once parts.
 */

/** GitLab answered with a status other than 2xx. Carries GitLab's `message`/`error`, not the request. */
export class GitLabHttpError extends Error {
  override readonly name = 'GitLabHttpError';

  constructor(
    readonly status: number,
    /** GitLab's own one-line explanation, e.g. `404 Project Not Found`. */
    readonly gitlabMessage: string,
  ) {
    super(`GitLab answered ${status}`);
  }
}

const requestOptions = z.object({
  method: z.string().default('GET'),
  prefixUrl: z.string().optional(),
  searchParams: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  // secrel sends JSON only; gitbeaker has already serialised it.
  body: z.string().optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

const gitlabError = z.object({ message: z.unknown().optional(), error: z.unknown().optional() });

async function messageOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) return text;
  try {
    const parsed = gitlabError.safeParse(JSON.parse(text));
    const value = parsed.success ? (parsed.data.message ?? parsed.data.error ?? '') : '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return text;
  }
}

async function bodyOf(response: Response): Promise<ResponseBodyTypes> {
  if (response.status === 204) return null;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (type === 'application/json') {
    const json: unknown = await response.json();
    return json as ResponseBodyTypes;
  }
  return response.text();
}

/** How often a rate-limited call is sent again within one action before the state machine's retry takes over. */
export const MAX_RATE_LIMIT_RETRIES = 3;
/**
 * Longest `Retry-After` waited for in the Lambda. A longer one fails the call as transient: the
 * state machine's retry waits without billed Lambda time.
 */
export const MAX_RETRY_AFTER_MS = 10_000;

/**
 * `Retry-After` as milliseconds from `nowMs`: delta seconds or an HTTP date; undefined when
 * absent or unreadable (then the call is not repeated here).
 */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month; a bare number like -1 is no date.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Waits `ms`; false when the request's signal (its timeout) fires first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => resolve(true), ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve(false);
      },
      { once: true },
    );
  });
}

async function handleRequest(endpoint: string, raw?: Record<string, unknown>): Promise<FormattedResponse> {
  const options = requestOptions.parse(raw ?? {});
  const base = options.prefixUrl?.endsWith('/') ? options.prefixUrl : `${options.prefixUrl ?? ''}/`;
  const url = new URL(endpoint, base);
  url.search = options.searchParams ?? '';
  const send = () =>
    fetch(url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      signal: options.signal,
    });
  let response = await send();
  // A 429 was not processed, so sending it again is safe even for a create; GitLab says when.
  for (let retry = 1; response.status === 429 && retry <= MAX_RATE_LIMIT_RETRIES; retry++) {
    const wait = retryAfterMs(response.headers.get('retry-after'), Date.now());
    if (wait === undefined || wait > MAX_RETRY_AFTER_MS) break;
    const message = await messageOf(response);
    // Out of time while waiting: still GitLab's 429 (not processed), never "no answer".
    if (!(await sleep(wait, options.signal))) throw new GitLabHttpError(429, message);
    response = await send();
  }
  if (!response.ok) throw new GitLabHttpError(response.status, await messageOf(response));
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { body: await bodyOf(response), headers, status: response.status };
}

/** gitbeaker's `requesterFn` for secrel: fetch, JSON, only short `Retry-After` waits on 429. */
export const requesterFn = createRequesterFn((_, options) => Promise.resolve(options), handleRequest);
