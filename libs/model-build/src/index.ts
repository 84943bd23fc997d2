/**
 * @person-search/model-build — Node-only model tooling beside the runtime
 * (`@person-search/model`): the TF.js-graph → ONNX converter, the ONNX graph
 * builder and protobuf writer, the default-model builders (student and
 * teacher), and the evaluation protocols and metrics the benches use.
 * Servers import it only to build missing default models at start-up; the
 * browser bundle never reaches it (the runtime may not import it: Nx tags).
 */
export {
  buildDefaultModels,
  defaultModelsDir,
  buildDefaultStudent,
  buildStudent,
  modelCatalogue,
  readLearnedWeights,
  learnedWeightsDir,
  CATALOGUE_IDS,
  COLOUR_STUDENT_ID,
  DEFAULT_STUDENT_ID,
  DEFAULT_STUDENT_VERSION,
  STUDENT_DESIGN,
  type BuildDefaultModelsOptions,
  type DefaultModelResult,
  type LearnedWeights,
} from './lib/default-models/index.js';
export { buildDefaultTeacher, COLOUR_TEACHER_ID, DEFAULT_TEACHER_ID, DEFAULT_TEACHER_VERSION, TEACHER_DESIGN, type BuiltModel } from './lib/teacher/index.js';
export { convertTfjsGraphModel, parseTfjsGraphModel, type TfjsModelJson } from './lib/convert/index.js';
export { OnnxGraphBuilder, OnnxDataType, encodeOnnxModel, decodeOnnxModel, float, floats } from './lib/onnx/index.js';
export { retrievalMetrics, averagePrecisionOfRanking, cosineSimilarityOf, type LabelledEmbeddings, type RetrievalMetrics } from './lib/evaluation/retrieval-metrics.js';
export { detectionMetrics, intersectionOverUnion, type DetectionFrame, type DetectionMetrics, type EvaluationBox } from './lib/evaluation/detection-metrics.js';
