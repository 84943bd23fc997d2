/**
 * The default student: the converted CenterNet detector plus the re-ID
 * branch in one ONNX graph. Input `image` [1, 3, 512, 512] NCHW, RGB
 * 0..255 (the original model's own input range; letterboxed top-left with
 * black). Outputs, persons only, best first: `boxes` [N, 4] x1 y1 x2 y2 in
 * input pixels, `scores` [N], `embeddings` [N, 128] L2-normalised.
 */
import { parseManifest, sha256Hex, type ModelManifest } from '@person-search/model';
import { CONVERTER_OPSET, createTfjsConverter } from '../convert';
import { OnnxDataType, OnnxGraphBuilder } from '../onnx';
import { CENTERNET_SOURCE, centernetTensors, readCenternetModel, withHeatmapClasses } from './centernet-source';
import { addPersonDecoding } from './person-decoder';
import { addReidBranch } from './reid-branch';

export const DEFAULT_STUDENT_ID = 'default-student';
/** Bump when the graph or manifest changes: an existing package is rebuilt only when its version differs (or with --force). */
export const DEFAULT_STUDENT_VERSION = '1.6.0';

/** Every number that shapes the student, in one place. */
export const STUDENT_DESIGN = {
  inputSize: 512,
  heatmapSize: 128,
  personClass: 0,
  /** Peaks kept before NMS; the original graph keeps 100 over all 80 classes. */
  topK: 100,
  maxDetections: 100,
  iouThreshold: 0.5,
  /** In-graph floor; the manifest's scoreThreshold (applied by the runtime) is higher. */
  scoreFloor: 0.1,
  /** Measured on MOT17-mini (AP@0.5 over boxes kept): 0.3 → AP 0.37 / recall 0.40, 0.2 → 0.46 / 0.53 at precision 0.61; search favours recall. */
  scoreThreshold: 0.25,
  stripes: 6,
  samplesPerStripe: { rows: 4, cols: 8 },
  centreSigma: 0.2,
  dimension: 128,
  projectionSeed: 20_240_601,
} as const;

export const STUDENT_TENSORS = { input: 'image', boxes: 'boxes', scores: 'scores', embeddings: 'embeddings' } as const;

export interface BuiltModel {
  onnx: Uint8Array;
  manifest: ModelManifest;
}

export async function buildDefaultStudentGraph(): Promise<Uint8Array> {
  const design = STUDENT_DESIGN;
  // Only the person heatmap is converted (channel 0 of the cut model).
  const model = withHeatmapClasses((await readCenternetModel()).model, [design.personClass]);
  const graph = new OnnxGraphBuilder(DEFAULT_STUDENT_ID);
  const inputShape = [1, 3, design.inputSize, design.inputSize];
  const image = graph.addInput(STUDENT_TENSORS.input, OnnxDataType.FLOAT, inputShape);
  const converter = createTfjsConverter(model, graph, { [centernetTensors.input]: { onnxName: image, layout: 'NCHW', shape: inputShape } });

  const persons = addPersonDecoding(graph, {
    heatmap: converter.nchw(converter.tensor(centernetTensors.heatmap)),
    boxDistances: converter.nchw(converter.tensor(centernetTensors.boxDistances)),
    heatmapHeight: design.heatmapSize,
    heatmapWidth: design.heatmapSize,
    stride: design.inputSize / design.heatmapSize,
    inputHeight: design.inputSize,
    inputWidth: design.inputSize,
    personClass: 0,
    topK: design.topK,
    maxDetections: design.maxDetections,
    iouThreshold: design.iouThreshold,
    scoreFloor: design.scoreFloor,
  });
  const embeddings = addReidBranch(graph, {
    image,
    rois: persons.boxes,
    batchIndices: persons.batchIndices,
    stripes: design.stripes,
    samplesPerStripe: design.samplesPerStripe,
    centreSigma: design.centreSigma,
    dimension: design.dimension,
    projectionSeed: design.projectionSeed,
  });

  graph.addOutput(persons.boxes, STUDENT_TENSORS.boxes, OnnxDataType.FLOAT, ['detections', 4]);
  graph.addOutput(persons.scores, STUDENT_TENSORS.scores, OnnxDataType.FLOAT, ['detections']);
  graph.addOutput(embeddings, STUDENT_TENSORS.embeddings, OnnxDataType.FLOAT, ['detections', design.dimension]);
  return graph.serialize({
    opset: CONVERTER_OPSET,
    producerName: '@person-search/model default-student',
    producerVersion: DEFAULT_STUDENT_VERSION,
    docString: `${CENTERNET_SOURCE}; in-graph person decoding + NMS; stripe colour re-ID branch`,
    // The CenterNet weights ship as float16 in the npm package: stored as such, they are bit-identical at half the download.
    float16Storage: true,
  });
}

export async function buildDefaultStudent(): Promise<BuiltModel> {
  const onnx = await buildDefaultStudentGraph();
  const design = STUDENT_DESIGN;
  const manifest = parseManifest({
    schemaVersion: 1,
    id: DEFAULT_STUDENT_ID,
    version: DEFAULT_STUDENT_VERSION,
    role: 'student',
    family: 'end-to-end',
    file: 'model.onnx',
    sha256: await sha256Hex(onnx),
    license: 'MIT',
    source:
      `${CENTERNET_SOURCE}, converted to ONNX by @person-search/model; ` +
      `re-ID branch generated in code (no learned weights): ${design.stripes} horizontal stripes of centre-weighted, brightness-normalised mean colour, ` +
      `fixed orthonormal projection to ${design.dimension} dimensions.`,
    input: {
      name: STUDENT_TENSORS.input,
      layout: 'NCHW',
      height: design.inputSize,
      width: design.inputSize,
      resize: { mode: 'letterbox', padValue: 0, anchor: 'top-left' },
      colorOrder: 'RGB',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    },
    output: {
      decoder: 'end-to-end',
      tensors: { boxes: STUDENT_TENSORS.boxes, scores: STUDENT_TENSORS.scores, embeddings: STUDENT_TENSORS.embeddings },
      personClass: design.personClass,
      scoreThreshold: design.scoreThreshold,
      iouThreshold: design.iouThreshold,
      maxDetections: design.maxDetections,
    },
    embedding: { tensor: STUDENT_TENSORS.embeddings, dimension: design.dimension, normalized: true },
  });
  return { onnx, manifest };
}
