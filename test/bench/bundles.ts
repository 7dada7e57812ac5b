import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { exampleConfig } from '../support/configs.js';
import { lambdaLayout, synthesizeBundled } from '../support/deployed-bundles.js';
import { record } from './results.js';
import type { SectionResult } from './run.js';

/**
 * Lambda bundles as `cdk synth` makes them: each bundle's size from the cloud assembly (goal
 * < 300 KB) and its cold initialisation, a fresh `node` importing it laid out as in the Lambda
 * runtime (median of 7), minus a bare `node -e ""` in the same run (goal <= 100 ms).
 */

const RUNS = 7;
const SIZE_GOAL_KB = 300;
const INIT_GOAL_MS = 100;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeNode(args: readonly string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, args, {
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return performance.now() - t0;
}

/** `npm run bench bundles`. */
export async function runBundlesBench(): Promise<SectionResult> {
  console.log('synthesizing with bundling (esbuild)...');
  const stack = synthesizeBundled(exampleConfig());
  let held = true;
  try {
    const bare: number[] = [];
    const imports = new Map<string, number[]>();
    const files = stack.functions.map((f) => ({ f, file: lambdaLayout(f.file) }));
    // Interleaved, so a busy moment on the machine hits every figure alike.
    for (let i = 0; i < RUNS; i++) {
      bare.push(timeNode(['-e', '']));
      for (const { f, file } of files) {
        const list = imports.get(f.kind) ?? [];
        list.push(
          timeNode([
            '--input-type=module',
            '-e',
            `await import(${JSON.stringify(pathToFileURL(file).href)});`,
          ]),
        );
        imports.set(f.kind, list);
      }
    }
    const bareMs = median(bare);
    console.log(`bare node -e "": median ${bareMs.toFixed(1)} ms of ${RUNS}`);
    for (const { f } of files) {
      const kb = f.bytes / 1024;
      const init = median(imports.get(f.kind) ?? []) - bareMs;
      console.log(`${f.kind}: bundle ${kb.toFixed(1)} KB, cold init ${init.toFixed(1)} ms over bare node`);
      held =
        record({
          section: 'lambda bundles',
          name: `${f.kind} bundle size`,
          value: kb,
          unit: 'KB',
          goal: `< ${SIZE_GOAL_KB} KB`,
          holds: kb < SIZE_GOAL_KB,
          note: 'index.mjs; the AWS SDK v3 is left to the Lambda runtime',
        }) && held;
      held =
        record({
          section: 'lambda bundles',
          name: `${f.kind} cold init`,
          value: init,
          unit: 'ms',
          comparison: { name: 'bare node -e ""', value: bareMs, unit: 'ms' },
          goal: `<= ${INIT_GOAL_MS} ms over bare`,
          holds: init <= INIT_GOAL_MS,
          note: `median of ${RUNS}, import includes the runtime's @aws-sdk modules it loads`,
        }) && held;
    }
    for (const { file } of files) rmSync(join(file, '..', '..', '..'), { recursive: true, force: true });
  } finally {
    rmSync(stack.outdir, { recursive: true, force: true });
  }
  return { goalsHeld: held, correct: true };
}
