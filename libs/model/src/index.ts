/**
 * @person-search/model — the isomorphic model runtime: manifests, image
 * pre-processing, decoders, NMS and embedding maths. Pure: nothing here
 * imports Node-only modules, and nothing runs at import time.
 * Node loaders live in '@person-search/model/node', browser ones in '/web'.
 */
export { ModelError, isModelError, MODEL_ERROR_CODES, type ModelErrorCode } from './lib/errors/model-error.js';
export { parseManifest } from './lib/manifest/manifest-schema.js';
export type { ModelManifest, ManifestInput, ManifestOutput, ManifestEmbedding, ResizeSpec } from './lib/manifest/manifest-schema.js';
export { DECODER_REGISTRY, DECODERS, detectorDecoder, type DecoderName } from './lib/postprocess/decoders/registry.js';
export type { DetectorDecoder, DecodeContext, ShapeCheckContext } from './lib/postprocess/decoders/decoder.js';
export { checkManifestAgainstSignature, verifyModelChecksum, sha256Hex, type ModelSignature, type TensorInfo } from './lib/manifest/manifest-checks.js';
export { assertValidImage, assertPixelLimit, type RgbImage, type Box } from './lib/image/rgb-image.js';
export { boxArea, iou, clampBox, cropRegion } from './lib/image/box.js';
export { computeResizeGeometry, boxToOriginal, type ResizeGeometry, type Size } from './lib/image/geometry.js';
export { sampleBilinear, resizeBilinear, cropImage } from './lib/image/bilinear.js';
export { resampleAntialiased, resizeAntialiased, triangleTaps, type FilterTaps } from './lib/image/antialias.js';
export { cropOnCanvas, isCropQuery, CROP_QUERY_MIN_COVERAGE, type CropCanvas } from './lib/image/crop-canvas.js';
export { prepareImage, prepareCrops, mirrorCrops, type Float32Tensor, type PreparedImage } from './lib/image/input-tensor.js';
export { nonMaxSuppression, type Candidate } from './lib/postprocess/nms.js';
export { decodeYolox, YOLOX_STRIDES } from './lib/postprocess/decoders/yolox.js';
export { decodeYolov8 } from './lib/postprocess/decoders/yolov8.js';
export { decodeCenternet } from './lib/postprocess/decoders/centernet.js';
export { decodeEndToEnd } from './lib/postprocess/decoders/end-to-end.js';
export { decodeDetections, type PersonDetection, type ModelOutputs } from './lib/postprocess/decode-detections.js';
export { l2Normalize, cosineSimilarity, embeddingToBase64, embeddingFromBase64 } from './lib/postprocess/embedding.js';
export type { InferenceRunner, SessionOptions } from './lib/runtime/inference-runner.js';
export { createCropEmbedder, type CropEmbedder } from './lib/runtime/embedder.js';
export { createStudent, type Student } from './lib/runtime/student.js';
