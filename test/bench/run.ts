import { runBundlesBench } from './bundles.js';
import { runFanoutBench } from './fanout.js';
import { runIngressBench } from './ingress.js';
import { runLocalStartBench } from './local-start.js';
import { machine, recorded, table, writeResults } from './results.js';
import { runStateSizeBench } from './state-size.js';
import { runTransitionsBench } from './transitions.js';

// The SDK checks the Node version when a client is made; Node 20 is a supported bench machine.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm run bench [section...]`: runs the named sections (all when none is named), prints their
 * figures against DESIGN.md §10 and issue #12's goals as one table, and writes them to
 * `bench/results.json`. Each section starts and stops what it needs.
 * With `--strict` the exit code is 1 when a goal is missed; otherwise only a lost or doubled
 * event fails the run, since figures vary with the machine.
 */

/** What a section reports back. */
export interface SectionResult {
  /** Every goal held. */
  readonly goalsHeld: boolean;
  /** Correctness held (nothing lost or doubled); a run fails without it even when not strict. */
  readonly correct: boolean;
}

/** A bench section: a name and a bounded run. */
export type Section = () => Promise<SectionResult>;

const SECTIONS: Readonly<Record<string, Section>> = {
  ingress: runIngressBench,
  fanout: runFanoutBench,
  'state-size': runStateSizeBench,
  transitions: runTransitionsBench,
  bundles: runBundlesBench,
  'local-start': runLocalStartBench,
};

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const named = args.filter((arg) => !arg.startsWith('--'));
const unknown = named.filter((name) => !Object.hasOwn(SECTIONS, name));
if (unknown.length > 0) {
  console.error(
    `unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`,
  );
  process.exit(2);
}

const info = machine();
console.log(`machine: ${info.cores} cores (${info.cpu}), node ${info.node}, ${info.platform}`);
const started = Date.now();
let failed = false;
for (const name of named.length > 0 ? named : Object.keys(SECTIONS)) {
  const section = SECTIONS[name];
  if (!section) continue;
  console.log(`\n== bench: ${name} ==`);
  const result = await section();
  if (!result.correct || (strict && !result.goalsHeld)) failed = true;
}
const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
console.log(`\n== results (${info.cores} cores, ${((Date.now() - started) / 1000).toFixed(0)} s) ==`);
console.log(table());
const missed = recorded().filter((f) => f.holds === false).length;
console.log(`${recorded().length} figures, ${missed} goal(s) missed`);
writeResults('bench/results.json', command);
console.log('written: bench/results.json');
process.exit(failed ? 1 : 0);
