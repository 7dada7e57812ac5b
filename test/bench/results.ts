import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';

/**
 * The bench's figures: each with its value, the comparison measured in the same run, the goal
 * and whether it holds. Sections record here; `run.ts` prints the table and writes
 * `bench/results.json` (git-ignored).
 */

/** One measured figure. */
export interface Figure {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What it is compared with, measured in the same run (e.g. bare TransactWriteItems). */
  readonly comparison?: { readonly name: string; readonly value: number; readonly unit: string };
  /** The goal, in words (`<= 1.5x bare`, `< 64 KB`). */
  readonly goal?: string;
  /** Whether the goal holds; undefined for a figure without a goal. */
  readonly holds?: boolean;
  readonly note?: string;
}

const figures: Figure[] = [];

/** Records a figure (and returns whether its goal holds, true when it has none). */
export function record(figure: Figure): boolean {
  figures.push(figure);
  return figure.holds ?? true;
}

/** Every figure recorded so far. */
export function recorded(): readonly Figure[] {
  return figures;
}

/** The machine the figures were measured on. */
export function machine() {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function fmt(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`.trim();
}

/** The figures as a plain-text table. */
export function table(list: readonly Figure[] = figures): string {
  const rows = list.map((f) => [
    f.section,
    f.name,
    fmt(f.value, f.unit),
    f.comparison ? `${f.comparison.name}: ${fmt(f.comparison.value, f.comparison.unit)}` : '',
    f.goal ?? '',
    f.holds === undefined ? '' : f.holds ? 'holds' : 'MISSED',
  ]);
  const header = ['section', 'figure', 'value', 'same-run comparison', 'goal', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Writes `bench/results.json`: machine, command, when, every figure. */
export function writeResults(path: string, command: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), command, machine: machine(), figures }, null, 2)}\n`,
  );
}
