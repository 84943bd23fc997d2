// Output for the API's benchmarks and evaluation: an aligned text table per
// section on stdout, and <repo>/bench/results/<name>.json plus a bar-chart SVG
// (hand-written rects: no plotting dependency).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../src/lib/config.js';

export type Cell = string | number | null;
export interface Section {
  title: string;
  rows: Record<string, Cell>[];
}

const show = (cell: Cell | undefined) => (cell === null || cell === undefined ? '-' : typeof cell === 'number' ? (Number.isInteger(cell) ? String(cell) : cell.toFixed(3)) : cell);

export function printSection(section: Section): void {
  const columns = [...new Set(section.rows.flatMap((row) => Object.keys(row)))];
  const cells = section.rows.map((row) => columns.map((column) => show(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => values.map((value, i) => (i === 0 ? value.padEnd(widths[i]!) : value.padStart(widths[i]!))).join('  ');
  console.log(`\n${section.title}\n${line(columns)}\n${cells.map(line).join('\n')}`);
}

/** Bars of `value(row)` (scaled to the largest), labelled by `label(row)`. */
export function barsSvg(title: string, bars: { label: string; value: number }[]): string {
  const max = Math.max(1e-9, ...bars.map((bar) => bar.value));
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars.map((bar, i) => {
    const y = 30 + i * 22;
    const width = (bar.value / max) * 320;
    return `<text x="254" y="${y + 14}" text-anchor="end">${escape(bar.label)}</text><rect x="260" y="${y + 3}" width="${width.toFixed(1)}" height="16" fill="#4a7ab7"/><text x="${(264 + width).toFixed(1)}" y="${y + 14}">${show(bar.value)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="660" height="${40 + bars.length * 22}" font-family="sans-serif" font-size="12"><text x="8" y="18" font-weight="bold">${escape(title)}</text>\n${rows.join('\n')}\n</svg>\n`;
}

export function writeResults(name: string, report: object, svg: string): string[] {
  const dir = path.join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, `${name}.json`), path.join(dir, `${name}.svg`)];
  writeFileSync(files[0]!, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...report }, null, 2)}\n`);
  writeFileSync(files[1]!, svg);
  return files;
}
