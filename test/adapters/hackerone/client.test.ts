import { describe, expect, it } from 'vitest';
import { HackerOneClient } from '../../../lib/adapters/hackerone/client.js';
import { HackerOneError } from '../../../lib/adapters/hackerone/errors.js';
import { type FakeHackerOne, startFakeHackerOne } from '../../../lib/local/fakes/fake-hackerone.js';
import { failure } from '../../support/failure.js';
import { withFake } from '../../support/with-fake.js';

let hackerone: FakeHackerOne;
let client: HackerOneClient;

withFake(startFakeHackerOne, (fake) => {
  hackerone = fake;
  client = new HackerOneClient({
    baseUrl: hackerone.url,
    apiIdentifier: hackerone.apiIdentifier,
    token: hackerone.token,
  });
});

describe('HackerOneClient against the fake HackerOne', () => {
  it('thanks the reporter with a comment they can see, using basic auth', async () => {
    await client.comment('2231', 'Thank you! The fix shipped in 17.5.1.');

    const [call] = hackerone.calls;
    const basic = Buffer.from(`${hackerone.apiIdentifier}:${hackerone.token}`).toString('base64');
    expect(call).toMatchObject({
      method: 'POST',
      path: '/v1/reports/2231/activities',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: {
        data: {
          type: 'activity-comment',
          attributes: { message: 'Thank you! The fix shipped in 17.5.1.', internal: false },
        },
      },
    });
    expect(hackerone.comments).toEqual([
      { reportId: '2231', message: 'Thank you! The fix shipped in 17.5.1.', internal: false },
    ]);
  });

  it('offers only the documented report comment: disclosure approval is a person’s task', () => {
    const methods = Object.getOwnPropertyNames(HackerOneClient.prototype).filter(
      (name) => name !== 'constructor',
    );
    expect(methods.sort()).toEqual(['comment', 'post']);
  });

  it('gets a 404 from the fake for any path HackerOne does not document', async () => {
    const res = await fetch(`${hackerone.url}/reports/2231/disclosure_requests/approve`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${hackerone.apiIdentifier}:${hackerone.token}`).toString('base64')}`,
      },
    });
    expect(res.status).toBe(404);
  });

  it('marks a 503 transient', async () => {
    hackerone.failRequests({ path: /activities$/, status: 503, times: 1 });

    const error = await failure(HackerOneError, () => client.comment('1', 'thanks'));

    expect(error).toMatchObject({ status: 503, transient: true });
  });

  it('marks bad credentials permanent and keeps token and comment out of the message', async () => {
    const wrong = new HackerOneClient({
      baseUrl: hackerone.url,
      apiIdentifier: 'x',
      token: 'h1-secret-token',
    });

    const error = await failure(HackerOneError, () => wrong.comment('9', 'Thanks for the SSRF report'));

    expect(error).toMatchObject({ status: 401, transient: false });
    expect(error.message).toBe('comment: HackerOne answered 401 for report 9');
  });

  it('marks an unreachable HackerOne transient', async () => {
    const gone = await startFakeHackerOne();
    const baseUrl = gone.url;
    await gone.close();

    const error = await failure(HackerOneError, () =>
      new HackerOneClient({ baseUrl, apiIdentifier: 'a', token: 'b' }).comment('1', 'thanks'),
    );

    expect(error).toMatchObject({ status: undefined, transient: true });
  });
});
