import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../../lib/infra/lambda-function.js';
import { freePort, startDynamoLocal } from '../../lib/local/dynamo-local.js';
import { groupAlive, startServe, waitHealthy } from '../support/serve-process.js';
import { record } from './results.js';
import type { SectionResult } from './run.js';

/**
 * Local start: `secrel serve` from spawn to `/healthz` answering, against a bare DynamoDB Local
 * start plus a bare `tsx` start (an empty file) in the same run (goal <= 1.3x their sum).
 * Medians of 3. Each serve is stopped with SIGINT to its whole process group, as Ctrl-C does.
 */

const RUNS = Number(process.env.BENCH_START_RUNS ?? 3);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** `npm run bench local-start`. */
export async function runLocalStartBench(): Promise<SectionResult> {
  const serve: number[] = [];
  const dynamo: number[] = [];
  const tsx: number[] = [];
  let leftovers = 0;
  const empty = join(mkdtempSync(join(tmpdir(), 'secrel-tsx-')), 'empty.ts');
  writeFileSync(empty, '');
  for (let i = 0; i < RUNS; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'secrel-start-'));
    const t0 = performance.now();
    const proc = startServe(await freePort(), dataDir);
    try {
      serve.push(await waitHealthy(proc.url, t0));
    } finally {
      if (proc.child.pid) process.kill(-proc.child.pid, 'SIGINT');
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (proc.child.pid && groupAlive(proc.child.pid)) {
        leftovers++;
        process.kill(-proc.child.pid, 'SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
    const d0 = performance.now();
    const bare = await startDynamoLocal();
    dynamo.push(performance.now() - d0);
    await bare.stop();
    const x0 = performance.now();
    execFileSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [empty], { stdio: 'ignore' });
    tsx.push(performance.now() - x0);
  }
  rmSync(join(empty, '..'), { recursive: true, force: true });
  const s = median(serve);
  const sum = median(dynamo) + median(tsx);
  console.log(
    `serve to /healthz: ${s.toFixed(0)} ms; bare DynamoDB Local ${median(dynamo).toFixed(0)} ms + bare tsx ${median(tsx).toFixed(0)} ms = ${sum.toFixed(0)} ms (medians of ${RUNS})`,
  );
  console.log(`Ctrl-C (SIGINT to the process group): ${leftovers} of ${RUNS} left processes after 5 s`);
  const held = record({
    section: 'local mode',
    name: 'start to /healthz',
    value: s,
    unit: 'ms',
    comparison: { name: 'bare DynamoDB Local + bare tsx', value: sum, unit: 'ms' },
    goal: '<= 1.3x the sum',
    holds: s <= 1.3 * sum,
    note: `medians of ${RUNS}`,
  });
  const clean = record({
    section: 'local mode',
    name: 'processes left 5 s after Ctrl-C',
    value: leftovers,
    unit: `of ${RUNS} stops`,
    goal: '0',
    holds: leftovers === 0,
  });
  return { goalsHeld: held && clean, correct: clean };
}
