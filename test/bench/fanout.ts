import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { loadLocalSettings } from '../../lib/adapters/config/load.js';
import {
  createDocumentClient,
  createDynamoClient,
  DynamoReleaseStore,
  ensureReleaseTable,
} from '../../lib/adapters/dynamo/index.js';
import { startDynamoLocal } from '../../lib/local/dynamo-local.js';
import type { Workflow } from '../../lib/ports.js';
import { silentLogger } from '../../lib/services/logger.js';
import type { WebhookDeps } from '../../lib/services/types.js';
import { handleWebhook } from '../../lib/services/webhook.js';
import { RecordingEffectDispatcher } from '../support/recording-effect-dispatcher.js';
import { countWrites } from './ingress.js';
import { record } from './results.js';
import type { SectionResult } from './run.js';

/**
 * Fan-out: DynamoDB read requests (and RCU) per event with 1, 10 and 50 active releases in the
 * same project, for events that name no release: MR updates of MRs no release knows, and
 * deployments. Goal: flat (an event should cost the same whatever else is running). Each count
 * runs on a fresh store, so no cache from another count helps it.
 */

const RELEASE_COUNTS = [1, 10, 50];
const EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 200);
const SECRET = 'bench-webhook-secret';

type Json = Record<string, unknown>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/gitlab/${name}.json`, import.meta.url), 'utf8')) as Json;

function headers(header: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-gitlab-event': header,
    'x-gitlab-token': SECRET,
    'idempotency-key': randomUUID(),
  };
}

/** `npm run bench fanout`. */
export async function runFanoutBench(): Promise<SectionResult> {
  const dynamo = await startDynamoLocal();
  const root = new URL('../../', import.meta.url).pathname;
  const { config } = loadLocalSettings({ SECREL_CONFIG: 'secrel.config.example.json' }, root);
  const perEvent: { releases: number; reads: number; rcu: number }[] = [];
  try {
    for (const k of RELEASE_COUNTS) {
      const raw = createDynamoClient({ endpoint: dynamo.endpoint });
      const counter = countWrites(raw);
      const tableName = `bench-fanout-${k}`;
      await ensureReleaseTable(raw, tableName);
      const noop = async () => {};
      const workflow: Workflow = { start: noop, sendTaskSuccess: noop, sendTaskFailure: noop, stop: noop };
      const deps: WebhookDeps = {
        config,
        store: new DynamoReleaseStore({ client: createDocumentClient(raw), tableName }),
        workflow,
        effects: new RecordingEffectDispatcher(),
        clock: { now: () => DateTime.utc() },
        logger: silentLogger,
        auth: { secrets: [SECRET], signingKeys: [] },
      };
      const send = async (header: string, body: Json) => {
        const answer = await handleWebhook(deps, { headers: headers(header), body: JSON.stringify(body) });
        if (answer.status !== 200) throw new Error(`fan-out delivery answered ${answer.status}`);
      };
      for (let r = 0; r < k; r++) {
        const issue = fixture('confidential-issue-labelled');
        Object.assign(issue.object_attributes as Json, { iid: 1000 + r, id: 91_000 + r });
        await send('Confidential Issue Hook', issue);
      }
      counter.recording = true;
      for (let i = 0; i < EVENTS; i++) {
        if (i % 2 === 0) {
          const mr = fixture('mr-opened-for-stable');
          Object.assign(mr.object_attributes as Json, {
            iid: 30_000 + i,
            id: 130_000 + i,
            title: 'Unrelated change',
            description: 'Nothing to do with a release',
            updated_at: DateTime.utc().toISO(),
          });
          await send('Merge Request Hook', mr);
        } else {
          const deployment = fixture('deployment-staging');
          Object.assign(deployment, {
            deployment_id: 40_000 + i,
            environment: 'review/feature',
            status: 'running',
          });
          await send('Deployment Hook', deployment);
        }
      }
      counter.recording = false;
      perEvent.push({ releases: k, reads: counter.reads / EVENTS, rcu: counter.rcu / EVENTS });
      raw.destroy();
    }
  } finally {
    await dynamo.stop();
  }
  const first = perEvent[0];
  let held = true;
  for (const row of perEvent) {
    console.log(
      `${row.releases} active release(s): ${row.reads.toFixed(2)} read requests, ${row.rcu.toFixed(2)} RCU per event`,
    );
    const flat = first !== undefined && row.reads <= first.reads * 1.1 + 0.05;
    held =
      record({
        section: 'fan-out',
        name: `read requests / event, ${row.releases} active release(s)`,
        value: row.reads,
        unit: '',
        ...(first && row !== first
          ? {
              comparison: { name: '1 release', value: first.reads, unit: '' },
              goal: 'flat (<= 1.1x 1 release)',
              holds: flat,
            }
          : {}),
        note: `${row.rcu.toFixed(2)} RCU per event; MR updates of unknown MRs and deployments, ${EVENTS} events`,
      }) && held;
  }
  return { goalsHeld: held, correct: true };
}
