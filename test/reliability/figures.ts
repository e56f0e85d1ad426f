// Figures of the reliability suite. Each test file runs in its own process, so a part writes
// its figures to a file under .cache/reliability/; the global teardown (figures.global.ts)
// prints them all as one table at the end of the run.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const figuresDir = new URL('../../.cache/reliability/', import.meta.url).pathname;

export type Figure = string | number | boolean;

/** Records (or adds to) the figures of one part of the suite, e.g. ('worker kills', { contracts: 200 }). */
export function recordFigures(part: string, figures: Record<string, Figure>): void {
  mkdirSync(figuresDir, { recursive: true });
  const file = join(figuresDir, `${part.replace(/[^a-z0-9]+/gi, '-')}.json`);
  let before: { part: string; figures: Record<string, Figure> } = { part, figures: {} };
  try {
    before = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // first figures of this part
  }
  writeFileSync(file, JSON.stringify({ part, figures: { ...before.figures, ...figures } }, null, 1));
}

export function clearFigures(): void {
  rmSync(figuresDir, { recursive: true, force: true });
}

/** The table: one line per figure, grouped by part, in the order the parts ran. */
export function figuresTable(): string {
  let files: string[] = [];
  try {
    files = readdirSync(figuresDir).filter((f) => f.endsWith('.json'));
  } catch {
    return 'no figures recorded';
  }
  const parts = files
    .map((f) => ({ ...(JSON.parse(readFileSync(join(figuresDir, f), 'utf8')) as { part: string; figures: Record<string, Figure> }), at: f }))
    .sort((a, b) => a.part.localeCompare(b.part));
  const rows = parts.flatMap(({ part, figures }) => Object.entries(figures).map(([name, value]) => [part, name, String(value)]));
  if (rows.length === 0) return 'no figures recorded';
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['part', 'figure', 'value'][i].length));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(['part', 'figure', 'value']), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
