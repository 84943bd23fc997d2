// Runs inside Chromium (served by the harness server): times one frame through
// our student on onnxruntime-web (WASM, N threads) and through TF.js's wasm
// backend running the CenterNet graph model the student was converted from,
// both in this page. One thread count per page load: both runtimes fix it at init.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { prepareImage, type RgbImage } from '@person-search/model';
import { loadWebStudent } from '@person-search/model/web';

export interface BenchFrame {
  rgbBase64: string;
  width: number;
  height: number;
}

export interface BenchTiming {
  runtime: string;
  threads: number;
  /** Milliseconds per frame for each timed run (after warm-up). */
  runsMs: number[];
  medianMs: number;
  /** Cold start in a fresh page: model fetch (no cache) + session creation, then the first frame (kernels compile on it). */
  loadMs: number;
  firstFrameMs: number;
  /** What a kiosk visitor waits for after the page starts: loadMs + firstFrameMs. */
  timeToFirstResultMs: number;
  /** Our pipeline only: median ms of the TypeScript letterbox + normalisation inside medianMs. */
  preprocessMedianMs?: number;
  detections?: number;
  /** Our pipeline only: whether the page could use WASM threads, and the thread count ORT-web settled on. */
  crossOriginIsolated?: boolean;
  ortNumThreads?: number;
}

function decodeFrame(frame: BenchFrame): RgbImage & { data: Uint8Array } {
  const bytes = Uint8Array.from(atob(frame.rgbBase64), (char) => char.charCodeAt(0));
  return { data: bytes, width: frame.width, height: frame.height, channels: 3 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Loads our student on onnxruntime-web (WASM) and returns one timed-frame function. */
async function loadOnnxRuntime(options: PairOptions, image: RgbImage): Promise<{ once: () => Promise<number>; preprocess: () => void; ortNumThreads: number }> {
  const student = await loadWebStudent(options.modelBaseUrl, { backend: 'wasm', wasmPaths: options.wasmPaths, numThreads: options.threads, cacheName: false });
  const ort = await import('onnxruntime-web');
  return {
    ortNumThreads: ort.env.wasm.numThreads ?? 0,
    once: async () => (await student.detectPeople(image)).length,
    preprocess: () => void prepareImage(image, student.manifest.input),
  };
}

/** Loads the CenterNet graph model on TF.js's wasm backend; the frame is resized to its 512x512 input as ours is. */
async function loadTfjs(options: PairOptions, image: RgbImage & { data: Uint8Array }): Promise<{ once: () => Promise<number> }> {
  setWasmPaths(options.tfjsWasmPaths);
  setThreadsCount(options.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend did not initialise');
  await tf.ready();
  const model = await tf.loadGraphModel(options.tfjsModelUrl);
  return {
    once: async () => {
      const input = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(image.data, [image.height, image.width, 3], 'int32').toFloat(), [512, 512]).expandDims(0));
      const outputs = (await model.executeAsync(input)) as tf.Tensor | tf.Tensor[];
      for (const output of Array.isArray(outputs) ? outputs : [outputs]) {
        await output.data();
        output.dispose();
      }
      input.dispose();
      return 0;
    },
  };
}

interface PairOptions {
  modelBaseUrl: string;
  wasmPaths: string;
  tfjsModelUrl: string;
  tfjsWasmPaths: string;
  threads: number;
  frame: BenchFrame;
  warmups: number;
  runs: number;
}

async function timed(once: () => Promise<unknown> | void): Promise<number> {
  const started = performance.now();
  await once();
  return performance.now() - started;
}

/**
 * Both runtimes in this one page, each with `threads` threads, their timed runs interleaved
 * (ours, theirs, ours, …) so load from elsewhere on the machine hits both alike.
 */
async function benchPair(options: PairOptions): Promise<BenchTiming[]> {
  const image = decodeFrame(options.frame);
  let started = performance.now();
  const ours = await loadOnnxRuntime(options, image);
  const oursLoadMs = performance.now() - started;
  const oursFirstMs = await timed(ours.once);
  started = performance.now();
  const theirs = await loadTfjs(options, image);
  const theirsLoadMs = performance.now() - started;
  const theirsFirstMs = await timed(theirs.once);
  let detections = 0;
  for (let i = 0; i < options.warmups; i += 1) {
    detections = await ours.once();
    await theirs.once();
  }
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  const preprocessMs: number[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    oursMs.push(await timed(ours.once));
    theirsMs.push(await timed(theirs.once));
    preprocessMs.push(await timed(ours.preprocess));
  }
  return [
    {
      runtime: 'onnxruntime-web wasm (our student, full pipeline)',
      threads: options.threads,
      runsMs: oursMs,
      medianMs: median(oursMs),
      loadMs: oursLoadMs,
      firstFrameMs: oursFirstMs,
      timeToFirstResultMs: oursLoadMs + oursFirstMs,
      preprocessMedianMs: median(preprocessMs), detections, crossOriginIsolated, ortNumThreads: ours.ortNumThreads },
    {
      runtime: 'TF.js wasm (CenterNet graph model)',
      threads: options.threads,
      runsMs: theirsMs,
      medianMs: median(theirsMs),
      loadMs: theirsLoadMs,
      firstFrameMs: theirsFirstMs,
      timeToFirstResultMs: theirsLoadMs + theirsFirstMs,
    },
  ];
}

declare global {
  interface Window {
    edgeBench: { benchPair: typeof benchPair };
  }
}

window.edgeBench = { benchPair };
document.getElementById('state')!.textContent = 'ready';
