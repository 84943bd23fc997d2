// The soak's report: percentiles, a plain-text table, and
// bench/results/soak.json plus soak.svg (p50/p99 latency and server RSS over
// time, one line chart each, stacked).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SoakSample {
  kind: 'search' | 'ingest' | 'bad';
  /** The answer was the expected one (bad requests: their 4xx). */
  ok: boolean;
  ms: number;
  atSeconds: number;
}

export interface SoakWindow {
  fromSeconds: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
}

/** Nearest-rank percentile (q in 0..1) of unsorted values; 0 for none. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

interface Series {
  label: string;
  colour: string;
  points: { x: number; y: number }[];
}

function lineChart(title: string, unit: string, series: Series[], top: number, width: number, height: number): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const maxX = Math.max(1, ...xs);
  const maxY = Math.max(1, ...ys) * 1.1;
  const left = 60;
  const plotWidth = width - left - 20;
  const plotHeight = height - 60;
  const px = (x: number) => left + (x / maxX) * plotWidth;
  const py = (y: number) => top + 30 + plotHeight - (y / maxY) * plotHeight;
  const paths = series
    .map((s) => `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const legend = series.map((s, i) => `<text x="${left + 10 + i * 120}" y="${top + 44}" fill="${s.colour}" font-size="12">${s.label}</text>`).join('');
  const ticks = [0, 0.5, 1].map((f) => `<text x="${left - 6}" y="${py(maxY * f) + 4}" font-size="11" text-anchor="end">${(maxY * f).toFixed(0)}</text>`).join('');
  return `<text x="${left}" y="${top + 18}" font-size="14" font-weight="bold">${title} (${unit})</text>
<line x1="${left}" y1="${py(0)}" x2="${left + plotWidth}" y2="${py(0)}" stroke="#999"/><line x1="${left}" y1="${py(0)}" x2="${left}" y2="${top + 30}" stroke="#999"/>
<text x="${left + plotWidth}" y="${py(0) + 16}" font-size="11" text-anchor="end">${maxX.toFixed(0)} s</text>${ticks}${paths}${legend}`;
}

export function writeSoakResults(dir: string, result: { summary: Record<string, unknown>; byKind: unknown[]; windows: SoakWindow[]; rss: { atSeconds: number; rssMiB: number }[] }): string[] {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'soak.json');
  writeFileSync(json, `${JSON.stringify({ benchmark: 'soak', measuredAt: new Date().toISOString(), ...result }, null, 2)}\n`);
  const mid = (w: SoakWindow) => w.fromSeconds;
  const width = 720;
  const latency = lineChart('Latency per window', 'ms', [
    { label: 'p50', colour: '#1f77b4', points: result.windows.map((w) => ({ x: mid(w), y: w.p50Ms })) },
    { label: 'p99', colour: '#d62728', points: result.windows.map((w) => ({ x: mid(w), y: w.p99Ms })) },
  ], 0, width, 260);
  const memory = lineChart('Server RSS', 'MiB', [{ label: 'RSS', colour: '#2ca02c', points: result.rss.map((p) => ({ x: p.atSeconds, y: p.rssMiB })) }], 260, width, 260);
  const svg = path.join(dir, 'soak.svg');
  writeFileSync(svg, `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="520" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${latency}${memory}</svg>\n`);
  return [json, svg];
}
