/**
 * @person-search/model/node — Node-only entry: sharp image decoding and
 * onnxruntime-node model loading. Re-exports the isomorphic API too.
 * Model building (converter, default models) lives in @person-search/model-build.
 */
export * from './index.js';
export { decodeImage, DEFAULT_MAX_PIXELS, type DecodeImageOptions } from './lib/image/decode-node.js';
export { loadStudent, loadTeacher, type StudentOptions, type Teacher } from './lib/session/node-loaders.js';
export { readManifest, loadModelPackage, type LoadedModel } from './lib/session/model-package.js';
export { createNodeRunner } from './lib/session/node-session.js';
