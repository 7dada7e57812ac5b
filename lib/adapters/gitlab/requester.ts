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
 * It also does not retry 429/502 itself: the state machine retries, with backoff, outside the
 * billed Lambda time.
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

async function handleRequest(endpoint: string, raw?: Record<string, unknown>): Promise<FormattedResponse> {
  const options = requestOptions.parse(raw ?? {});
  const base = options.prefixUrl?.endsWith('/') ? options.prefixUrl : `${options.prefixUrl ?? ''}/`;
  const url = new URL(endpoint, base);
  url.search = options.searchParams ?? '';
  const response = await fetch(url, {
    method: options.method,
    headers: options.headers,
    body: options.body,
    signal: options.signal,
  });
  if (!response.ok) throw new GitLabHttpError(response.status, await messageOf(response));
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { body: await bodyOf(response), headers, status: response.status };
}

/** gitbeaker's `requesterFn` for secrel: fetch, JSON, no hidden retries. */
export const requesterFn = createRequesterFn((_, options) => Promise.resolve(options), handleRequest);
