/**
 * The student: the converted CenterNet detector plus a re-ID branch in one
 * ONNX graph. Input `image` [1, 3, 512, 512] NCHW, RGB 0..255 (the original
 * model's own input range; letterboxed top-left with black). Outputs, persons
 * only, best first: `boxes` [N, 4] x1 y1 x2 y2 in input pixels, `scores` [N],
 * `embeddings` [N, D] L2-normalised. The re-ID branch is either the colour
 * stripes generated in code (D = 128, `colour-student`) or a learned head
 * distilled from the teacher (RoiAlign over a backbone map + the committed
 * head.onnx, in the teacher's space: `alignedWith`).
 */
import { parseManifest, sha256Hex, type ModelManifest } from '@person-search/model';
import { CONVERTER_OPSET, createTfjsConverter } from '../convert';
import { decodeOnnxModel, float, OnnxDataType, OnnxGraphBuilder } from '../onnx';
import { CENTERNET_SOURCE, centernetTensors, readCenternetModel, withHeatmapClasses } from './centernet-source';
import type { LearnedStudentHead } from './learned-weights';
import { addPersonDecoding } from './person-decoder';
import { addReidBranch, l2Normalise } from './reid-branch';

export const DEFAULT_STUDENT_ID = 'default-student';
/** The colour-stripe student, always built: the licence-clean fallback (nothing learned from research-only data). */
export const COLOUR_STUDENT_ID = 'colour-student';
/** Bump when the colour graph or manifest changes: an existing package is rebuilt only when its version differs (or with --force). */
export const DEFAULT_STUDENT_VERSION = '1.7.0';
/** Version prefix of a learned student; the weights' own hash follows, so new weights rebuild. */
export const LEARNED_STUDENT_VERSION = '2.5.0';

/**
 * Person height (student input pixels) at which a learned head embeds a crop query: the largest the
 * distiller trained it on (libs/training distill.py composes frames with people 96-256 px tall), the
 * most detail without leaving the trained range. CUHK03 val, student alone, by pasted height:
 * 128 px 0.259, 176 0.401, 192 0.411, 224 0.458, 256 0.468 mAP; the crop filling the input 0.305.
 */
export const LEARNED_HEAD_PERSON_HEIGHT = 256;

/** Which re-ID branch a student gets, under which package id. */
export interface StudentVariant {
  id: string;
  /** Absent: the colour stripes. */
  learned?: { head: LearnedStudentHead; teacherId: string };
}

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

export const STUDENT_TENSORS = { input: 'image', boxes: 'boxes', scores: 'scores', embeddings: 'embeddings', queryBoxes: 'query_boxes', queryEmbeddings: 'query_embeddings' } as const;

export interface BuiltModel {
  onnx: Uint8Array;
  manifest: ModelManifest;
}

export function studentVersion(variant: StudentVariant): string {
  return variant.learned ? `${LEARNED_STUDENT_VERSION}+${variant.learned.head.sha256.slice(0, 12)}` : DEFAULT_STUDENT_VERSION;
}

export async function buildStudentGraph(variant: StudentVariant): Promise<Uint8Array> {
  const design = STUDENT_DESIGN;
  // Only the person heatmap is converted (channel 0 of the cut model).
  const model = withHeatmapClasses((await readCenternetModel()).model, [design.personClass]);
  const graph = new OnnxGraphBuilder(variant.id);
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
  // Query boxes [M, 4] (model-input pixels) go through the same re-ID branch as the detections, in one
  // RoiAlign: a query crop the detector missed is embedded directly (M = 0 while detecting).
  const queryBoxes = graph.addInput(STUDENT_TENSORS.queryBoxes, OnnxDataType.FLOAT, ['queries', 4]);
  const queryIndices = graph.op('Cast', [graph.op('ReduceSum', [graph.op('Mul', [queryBoxes, graph.scalar('query/zero', 0)]), graph.int64s('query/axes', [1])], { keepdims: 0 })], { to: OnnxDataType.INT64 }, 'query/batch_indices');
  // A learned head (torch export) may not run on an empty batch (a Reshape with 0 and -1 fails on a
  // frame with nobody): it always gets one padding box more, whose embedding is dropped below.
  const pad = variant.learned !== undefined;
  const boxParts = [persons.boxes, queryBoxes, ...(pad ? [graph.addFloatTensor('query/padding_box', [1, 4], [0, 0, 32, 64])] : [])];
  const indexParts = [persons.batchIndices, queryIndices, ...(pad ? [graph.addInt64Tensor('query/padding_index', [1], [0])] : [])];
  const rois = { boxes: graph.op('Concat', boxParts, { axis: 0 }, 'query/all_boxes'), batchIndices: graph.op('Concat', indexParts, { axis: 0 }, 'query/all_batch_indices') };
  const allEmbeddings = variant.learned
    ? addLearnedHead(graph, variant.learned.head, rois)
    : addReidBranch(graph, {
        image,
        rois: rois.boxes,
        batchIndices: rois.batchIndices,
        stripes: design.stripes,
        samplesPerStripe: design.samplesPerStripe,
        centreSigma: design.centreSigma,
        dimension: design.dimension,
        projectionSeed: design.projectionSeed,
      });

  const detected = graph.op('Slice', [graph.op('Shape', [persons.boxes]), graph.int64s('query/zero_index', [0]), graph.int64s('query/one_index', [1])], {}, 'query/detections');
  const embeddings = graph.op('Slice', [allEmbeddings, graph.int64s('query/start', [0]), detected, graph.int64s('query/axis', [0])], {}, 'query/detection_embeddings');
  const queryEmbeddings = graph.op('Slice', [allEmbeddings, detected, graph.int64s('query/end', [pad ? -1 : 2 ** 53 - 1]), graph.int64s('query/axis_0', [0])], {}, 'query/query_embeddings');
  graph.addOutput(queryEmbeddings, STUDENT_TENSORS.queryEmbeddings, OnnxDataType.FLOAT, ['queries', studentDimension(variant)]);
  graph.addOutput(persons.boxes, STUDENT_TENSORS.boxes, OnnxDataType.FLOAT, ['detections', 4]);
  graph.addOutput(persons.scores, STUDENT_TENSORS.scores, OnnxDataType.FLOAT, ['detections']);
  graph.addOutput(embeddings, STUDENT_TENSORS.embeddings, OnnxDataType.FLOAT, ['detections', studentDimension(variant)]);
  return graph.serialize({
    opset: CONVERTER_OPSET,
    producerName: '@person-search/model default-student',
    producerVersion: studentVersion(variant),
    docString: `${CENTERNET_SOURCE}; in-graph person decoding + NMS; ${variant.learned ? 'learned re-ID head distilled from the teacher' : 'stripe colour re-ID branch'}`,
    // The CenterNet weights ship as float16 in the npm package: stored as such, they are bit-identical at half the download.
    float16Storage: true,
  });
}

/**
 * RoiAlign over the head's backbone map (boxes in input pixels, scaled by
 * 1/stride), the committed head spliced in under `reid_head/`, L2-normalised
 * (a no-op for a head that already normalises, kept so the contract holds).
 */
function addLearnedHead(graph: OnnxGraphBuilder, head: LearnedStudentHead, persons: { boxes: string; batchIndices: string }): string {
  const { featureMap, stride, roiAlign } = head.spec;
  if (!graph.hasValue(featureMap)) throw new Error(`student head: feature map "${featureMap}" is not a value of the student graph`);
  const model = decodeOnnxModel(head.onnx);
  const opset = model.opsetImport.find((entry) => entry.domain === '')?.version ?? 0;
  if (opset > CONVERTER_OPSET) throw new Error(`student head: opset ${opset} is newer than the student's ${CONVERTER_OPSET}`);
  const features = graph.op(
    'RoiAlign',
    [featureMap, persons.boxes, persons.batchIndices],
    {
      output_height: roiAlign.outputHeight,
      output_width: roiAlign.outputWidth,
      sampling_ratio: roiAlign.samplingRatio,
      spatial_scale: float(1 / stride),
      mode: roiAlign.mode,
      coordinate_transformation_mode: roiAlign.coordinateTransformationMode,
    },
    'reid_head/roi_features',
  );
  // The head's one graph input (named `features` by convention) takes the RoiAlign output.
  const initializers = new Set(model.graph.initializer.map((tensor) => tensor.name));
  const inputs = model.graph.input.filter((input) => !initializers.has(input.name));
  if (inputs.length !== 1) throw new Error(`student head: head.onnx must have one input (the RoiAlign features), it has ${inputs.map((input) => input.name).join(', ') || 'none'}`);
  const outputs = graph.importGraph(model, { [inputs[0]!.name]: features }, 'reid_head');
  const embeddings = outputs['embeddings'];
  if (embeddings === undefined) throw new Error(`student head: head.onnx has no output "embeddings" (outputs: ${Object.keys(outputs).join(', ')})`);
  return l2Normalise(graph, embeddings, 1, 'reid_head/embedding');
}

function studentDimension(variant: StudentVariant): number {
  return variant.learned ? variant.learned.head.spec.dimension : STUDENT_DESIGN.dimension;
}

export async function buildStudent(variant: StudentVariant): Promise<BuiltModel> {
  const onnx = await buildStudentGraph(variant);
  const design = STUDENT_DESIGN;
  const dimension = studentDimension(variant);
  const reid = variant.learned
    ? `re-ID head distilled (DKD) from teacher "${variant.learned.teacherId}" into its space, weights ${variant.learned.head.spec.version} from libs/training (see MODEL_CARD.md).`
    : `re-ID branch generated in code (no learned weights): ${design.stripes} horizontal stripes of centre-weighted, brightness-normalised mean colour, ` +
      `fixed orthonormal projection to ${design.dimension} dimensions.`;
  const manifest = parseManifest({
    schemaVersion: 1,
    id: variant.id,
    version: studentVersion(variant),
    role: 'student',
    family: 'end-to-end',
    file: 'model.onnx',
    sha256: await sha256Hex(onnx),
    license: variant.learned ? 'MIT (detector); re-ID head: research use only (distilled with CUHK03-trained teacher), see MODEL_CARD.md' : 'MIT',
    source: `${CENTERNET_SOURCE}, converted to ONNX by @person-search/model; ${reid}`,
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
    embedding: {
      tensor: STUDENT_TENSORS.embeddings,
      dimension,
      normalized: true,
      queryBoxes: {
        input: STUDENT_TENSORS.queryBoxes,
        output: STUDENT_TENSORS.queryEmbeddings,
        // A learned head saw people 96-256 px tall on 512 x 512 (libs/training distill.py compose_frames),
        // never one filling the input: a crop query is pasted at a trained scale.
        ...(variant.learned ? { cropQuery: { personHeight: Math.min(LEARNED_HEAD_PERSON_HEIGHT, design.inputSize) } } : {}),
      },
    },
    ...(variant.learned ? { alignedWith: variant.learned.teacherId } : {}),
  });
  return { onnx, manifest };
}

/** The colour student under the default id (what ships when no learned weights are committed). */
export function buildDefaultStudent(): Promise<BuiltModel> {
  return buildStudent({ id: DEFAULT_STUDENT_ID });
}
