// Runs inside Chromium (served by the harness server): times one frame through
// our student on onnxruntime-web (WASM, N threads) or through TF.js's wasm
// backend running the CenterNet graph model the student was converted from.
// One configuration per page load: both runtimes fix their thread count at init.
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
  /** Our pipeline only: median ms of the TypeScript letterbox + normalisation inside medianMs. */
  preprocessMedianMs?: number;
  detections?: number;
}

function decodeFrame(frame: BenchFrame): RgbImage & { data: Uint8Array } {
  const bytes = Uint8Array.from(atob(frame.rgbBase64), (char) => char.charCodeAt(0));
  return { data: bytes, width: frame.width, height: frame.height, channels: 3 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeRuns(warmups: number, runs: number, once: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmups; i += 1) await once();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await once();
    runsMs.push(performance.now() - started);
  }
  return runsMs;
}

async function benchOnnxRuntime(options: { modelBaseUrl: string; wasmPaths: string; threads: number; frame: BenchFrame; warmups: number; runs: number }): Promise<BenchTiming> {
  const student = await loadWebStudent(options.modelBaseUrl, { backend: 'wasm', wasmPaths: options.wasmPaths, numThreads: options.threads, cacheName: false });
  const image = decodeFrame(options.frame);
  let detections = 0;
  const runsMs = await timeRuns(options.warmups, options.runs, async () => {
    detections = (await student.detectPeople(image)).length;
  });
  const preprocessMs = await timeRuns(1, options.runs, async () => prepareImage(image, student.manifest.input));
  return { runtime: 'onnxruntime-web wasm (our student, full pipeline)', threads: options.threads, runsMs, medianMs: median(runsMs), preprocessMedianMs: median(preprocessMs), detections };
}

async function benchTfjs(options: { modelUrl: string; tfjsWasmPaths: string; threads: number; frame: BenchFrame; warmups: number; runs: number }): Promise<BenchTiming> {
  setWasmPaths(options.tfjsWasmPaths);
  setThreadsCount(options.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend did not initialise');
  await tf.ready();
  const model = await tf.loadGraphModel(options.modelUrl);
  const image = decodeFrame(options.frame);
  const [inputHeight, inputWidth] = [512, 512];
  // Same work as our pipeline's pre-processing: resize the frame to the model input, then run.
  const runsMs = await timeRuns(options.warmups, options.runs, async () => {
    const input = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(image.data, [image.height, image.width, 3], 'int32').toFloat(), [inputHeight, inputWidth]).expandDims(0));
    const outputs = (await model.executeAsync(input)) as tf.Tensor | tf.Tensor[];
    for (const output of Array.isArray(outputs) ? outputs : [outputs]) {
      await output.data();
      output.dispose();
    }
    input.dispose();
  });
  return { runtime: 'TF.js wasm (CenterNet graph model)', threads: options.threads, runsMs, medianMs: median(runsMs) };
}

declare global {
  interface Window {
    edgeBench: { benchOnnxRuntime: typeof benchOnnxRuntime; benchTfjs: typeof benchTfjs };
  }
}

window.edgeBench = { benchOnnxRuntime, benchTfjs };
document.getElementById('state')!.textContent = 'ready';
