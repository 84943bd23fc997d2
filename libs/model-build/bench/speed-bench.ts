/**
 * Speed in Node, one intra-op thread everywhere so the numbers compare and
 * a shared machine does not skew them:
 *  - the student's ONNX graph on onnxruntime-node vs the same CenterNet
 *    weights as a TF.js graph model on the TF.js WebAssembly backend, same
 *    process, same pre-processed 512 x 512 input;
 *  - the student end to end (`detectPeople`: decode excluded, pre/post included);
 *  - teacher crops/s at batch 1 and batch 16 (`embedCrops`, pre-processing included).
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { prepareImage, type Box, type ModelManifest, type RgbImage } from '@person-search/model';
import { loadStudent, loadTeacher } from '@person-search/model/node';
import { centernetTensors, readCenternetModel } from '../src/lib/default-models/centernet-source.js';
import { loadTfjsReference } from '../test/support/tfjs-reference.js';

export interface Timing {
  /** Median milliseconds per call. */
  medianMs: number;
  runs: number;
}

/** Median of `runs` timed calls after `warmup` untimed ones. */
export async function timeIt(work: () => Promise<unknown>, runs: number, warmup = 2): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, runs };
}

export interface DetectorSpeed {
  onnxRuntimeMs: number;
  tfjsWasmMs: number;
  /** tfjsWasmMs / onnxRuntimeMs: > 1 means ONNX Runtime is faster. */
  speedup: number;
}

/** The student ONNX model vs TF.js CenterNet on the same input tensor. */
export async function detectorSpeed(studentOnnx: Uint8Array, manifest: ModelManifest, frame: RgbImage, runs: number): Promise<DetectorSpeed> {
  const prepared = prepareImage(frame, manifest.input);
  const { height, width } = manifest.input;
  const session = await ort.InferenceSession.create(studentOnnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const queryBoxes = manifest.embedding?.queryBoxes;
  const feeds = {
    [manifest.input.name]: new ort.Tensor('float32', prepared.tensor.data, prepared.tensor.dims),
    // A student with query boxes takes an empty [0, 4] on a plain detection run, as detectPeople feeds it.
    ...(queryBoxes ? { [queryBoxes.input]: new ort.Tensor('float32', new Float32Array(0), [0, 4]) } : {}),
  };
  const onnxRuntime = await timeIt(() => session.run(feeds), runs);
  await session.release();

  const nhwc = manifest.input.layout === 'NHWC' ? prepared.tensor.data : chwToHwc(prepared.tensor.data, height, width);
  const { files } = await readCenternetModel();
  const tfjs = await loadTfjsReference(files);
  // The backbone and heads the student also runs; TF.js's own top-k decoding is left out (in its favour).
  const outputs = [centernetTensors.heatmap, centernetTensors.boxDistances];
  const tfjsWasm = await timeIt(() => tfjs.run(nhwc, [1, height, width, 3], outputs), runs);
  return { onnxRuntimeMs: onnxRuntime.medianMs, tfjsWasmMs: tfjsWasm.medianMs, speedup: tfjsWasm.medianMs / onnxRuntime.medianMs };
}

/** The student as apps call it: pre-processing, one session run, decoding (image decode excluded). */
export async function studentDetectSpeed(studentDir: string, frame: RgbImage, runs: number): Promise<Timing> {
  const student = await loadStudent(studentDir, { intraOpThreads: 1 });
  try {
    return await timeIt(() => student.detectPeople(frame), runs);
  } finally {
    await student.release();
  }
}

export interface TeacherSpeed {
  batchSize: number;
  cropsPerSecond: number;
}

/** Crops per second of a teacher package embedding `boxes` of one frame, per batch size. */
export async function teacherSpeed(teacherDir: string, frame: RgbImage, boxes: readonly Box[], batchSizes: number[], runs: number): Promise<TeacherSpeed[]> {
  const results: TeacherSpeed[] = [];
  for (const batchSize of batchSizes) {
    const teacher = await loadTeacher(teacherDir, { intraOpThreads: 1, batchSize });
    const timing = await timeIt(() => teacher.embedCrops(frame, boxes), runs, 1);
    results.push({ batchSize, cropsPerSecond: (boxes.length * 1000) / timing.medianMs });
    await teacher.release();
  }
  return results;
}

function chwToHwc(chw: Float32Array, height: number, width: number): Float32Array {
  const plane = height * width;
  const hwc = new Float32Array(plane * 3);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let channel = 0; channel < 3; channel++) hwc[pixel * 3 + channel] = chw[channel * plane + pixel]!;
  }
  return hwc;
}
