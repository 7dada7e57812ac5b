import { type Agent, request } from 'node:http';

/**
 * Test-only: a raw HTTP/1.1 request with full control over what `fetch` would tidy up:
 * duplicate header lines (an array value), odd header names and bytes, and chunked bodies sent
 * in pieces without a `Content-Length`. Resolves with the status the server answered, or with
 * `reset` when the connection ended before any answer (the caller decides whether that is fine).
 */

/** One request to send. */
export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  /** Header lines in order; an array value sends the header once per element. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** A whole body (sent with `Content-Length`) or pieces (sent chunked). */
  readonly body: Buffer | readonly Buffer[];
}

/** What came back. */
export interface RawAnswer {
  readonly status: number | 'reset';
  readonly body: string;
}

/** Sends one request to `http://127.0.0.1:port` and reads the answer to its end. */
export function sendRaw(port: number, agent: Agent, req: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: RawAnswer): void => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    const chunked = Array.isArray(req.body);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = typeof value === 'string' ? value : [...value];
    if (!chunked) headers['content-length'] = String((req.body as Buffer).length);
    const client = request(
      { host: '127.0.0.1', port, path: req.path, method: req.method ?? 'POST', headers, agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', () =>
          done({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
      },
    );
    client.on('error', () => done({ status: 'reset', body: '' }));
    if (!chunked) {
      client.end(req.body as Buffer);
      return;
    }
    const pieces = req.body as readonly Buffer[];
    let index = 0;
    let answered = false;
    client.once('response', () => {
      answered = true;
    });
    // Write piece by piece with backpressure; stop once the server has answered (it refused).
    const pump = (): void => {
      while (index < pieces.length && !answered && !client.destroyed) {
        const piece = pieces[index++] as Buffer;
        if (!client.write(piece)) {
          client.once('drain', pump);
          return;
        }
      }
      if (!client.destroyed) client.end();
    };
    pump();
  });
}
