import { describe, expect, it } from 'vitest';
import { HttpVersionServer } from '../../../lib/adapters/version-server/client.js';
import { VersionServerError } from '../../../lib/adapters/version-server/errors.js';
import {
  type FakeVersionServer,
  startFakeVersionServer,
} from '../../../lib/local/fakes/fake-version-server.js';
import { failure } from '../../support/failure.js';
import { withFake } from '../../support/with-fake.js';

const entry = { version: '17.5.1', security: true, releasedAt: '2025-03-07T23:00:00Z' };

let server: FakeVersionServer;
let client: HttpVersionServer;

withFake(startFakeVersionServer, (fake) => {
  server = fake;
  client = new HttpVersionServer({ baseUrl: `${server.url}/`, token: server.token });
});

describe('HttpVersionServer against the fake version server', () => {
  it('adds a security version entry with a bearer token', async () => {
    await client.addVersion(entry);

    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/versions',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: { version: '17.5.1', security: true, released_at: '2025-03-07T23:00:00Z' },
    });
    expect(server.versions).toEqual([entry]);
  });

  it('counts an entry that already exists (409) as added, so a retried action succeeds once', async () => {
    await client.addVersion(entry);

    await client.addVersion(entry);

    expect(server.calls.map((c) => c.method)).toEqual(['POST', 'POST']);
    expect(server.versions).toHaveLength(1);
  });

  it('marks a 503 transient and succeeds once the server is back', async () => {
    server.failNext(1);

    const error = await failure(VersionServerError, () => client.addVersion(entry));
    await client.addVersion(entry);

    expect(error).toMatchObject({ status: 503, transient: true });
    expect(server.versions).toHaveLength(1);
  });

  it('marks a 422 permanent', async () => {
    server.failPermanently();

    const error = await failure(VersionServerError, () => client.addVersion(entry));

    expect(error).toMatchObject({ status: 422, transient: false });
    expect(error.message).toBe('addVersion: version server answered 422 for 17.5.1');
  });

  it('marks a wrong token permanent without repeating the token', async () => {
    const wrong = new HttpVersionServer({ baseUrl: server.url, token: 'secret-token-xyz' });

    const error = await failure(VersionServerError, () => wrong.addVersion(entry));

    expect(error).toMatchObject({ status: 401, transient: false });
    expect(error.message).not.toContain('secret-token-xyz');
  });

  it('marks an unreachable version server transient', async () => {
    const gone = await startFakeVersionServer();
    const baseUrl = gone.url;
    await gone.close();

    const error = await failure(VersionServerError, () =>
      new HttpVersionServer({ baseUrl, token: 't' }).addVersion(entry),
    );

    expect(error).toMatchObject({ status: undefined, transient: true });
  });
});
