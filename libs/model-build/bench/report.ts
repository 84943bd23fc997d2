/**
 * Prints the benchmark tables and writes them as JSON plus a small SVG bar
 * chart of the re-ID results (no plotting dependency: the SVG is a few rects).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Row {
  name: string;
  /** Column values; undefined prints as "-". */
  values: Record<string, number | string | undefined>;
  /** Why the row could not be measured (printed instead of values). */
  skipped?: string;
}

export interface Table {
  title: string;
  columns: string[];
  rows: Row[];
}

export function formatTable(table: Table): string {
  const header = ['', ...table.columns];
  const measured = table.rows.filter((row) => !row.skipped).map((row) => [row.name, ...table.columns.map((column) => formatValue(row.values[column]))]);
  const widths = header.map((cell, index) =>
    Math.max(cell.length, ...measured.map((line) => line[index]!.length), ...(index === 0 ? table.rows.map((row) => row.name.length) : [])),
  );
  const render = (cells: string[]) => cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[index]!))).join('  ');
  const lines = table.rows.map((row) =>
    row.skipped ? `${row.name.padEnd(widths[0]!)}  skipped: ${row.skipped}` : render([row.name, ...table.columns.map((column) => formatValue(row.values[column]))]),
  );
  return [`\n${table.title}`, render(header), ...lines].join('\n');
}

function formatValue(value: number | string | undefined): string {
  if (value === undefined) return '-';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** Horizontal bars, one per row with a numeric `column` value (0..1). */
export function barChartSvg(title: string, rows: Row[], column: string): string {
  const bars = rows.filter((row) => !row.skipped && typeof row.values[column] === 'number');
  const rowHeight = 22;
  const labelWidth = 230;
  const barWidth = 300;
  const height = 40 + bars.length * rowHeight;
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = bars
    .map((row, index) => {
      const value = row.values[column] as number;
      const y = 30 + index * rowHeight;
      return [
        `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${escape(row.name)}</text>`,
        `<rect x="${labelWidth}" y="${y + 3}" width="${(Math.max(0, Math.min(1, value)) * barWidth).toFixed(1)}" height="${rowHeight - 6}" fill="#4a7ab7"/>`,
        `<text x="${(labelWidth + Math.min(1, value) * barWidth + 4).toFixed(1)}" y="${y + 14}">${value.toFixed(3)}</text>`,
      ].join('');
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 60}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="8" y="18" font-weight="bold">${escape(title)}</text>`,
    body,
    '</svg>',
  ].join('\n');
}

export function writeResults(resultsDir: string, name: string, tables: Table[], svg: string): { json: string; svg: string } {
  mkdirSync(resultsDir, { recursive: true });
  const jsonPath = path.join(resultsDir, `${name}.json`);
  const svgPath = path.join(resultsDir, `${name}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify({ measuredAt: new Date().toISOString(), tables }, null, 2)}\n`);
  writeFileSync(svgPath, `${svg}\n`);
  return { json: jsonPath, svg: svgPath };
}
