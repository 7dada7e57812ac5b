/**
 * Plain-text tables for the terminal: columns with a maximum width, long cells wrapped on word
 * boundaries, so a table stays readable in an ordinary terminal without any dependency.
 */

/** A column: its header and the widest it may grow before its cells wrap. */
export interface Column {
  readonly header: string;
  readonly maxWidth: number;
}

/** A cell is one string (wrapped to fit) or several lines shown one under the other. */
export type Cell = string | readonly string[];

/** Splits text into lines of at most `width` characters, breaking between words where it can. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    // A word longer than the column is cut rather than overflowing it.
    let rest = word;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/** Renders rows under their headers; `null` rows become blank separator lines. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly Cell[] | null)[]): string {
  const cellLines = (cell: Cell | undefined, column: Column): string[] =>
    (typeof cell === 'string' ? [cell] : (cell ?? [''])).flatMap((line) => wrap(line, column.maxWidth));
  const wrapped = rows.map((row) => row && columns.map((column, i) => cellLines(row[i], column)));
  const widths = columns.map((column, i) =>
    Math.max(
      column.header.length,
      ...wrapped.flatMap((row) => (row ? (row[i] ?? []).map((line) => line.length) : [])),
    ),
  );
  const joinLine = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [joinLine(columns.map((c) => c.header))];
  for (const row of wrapped) {
    if (!row) {
      out.push('');
      continue;
    }
    const height = Math.max(...row.map((lines) => lines.length));
    for (let l = 0; l < height; l++) out.push(joinLine(row.map((lines) => lines[l] ?? '')));
  }
  return `${out.join('\n')}\n`;
}
