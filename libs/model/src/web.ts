/**
 * @person-search/model/web — browser entry: onnxruntime-web sessions
 * (WebGPU, else WASM), model fetching with sha256 check and Cache Storage,
 * canvas/ImageBitmap pixels. Re-exports the isomorphic API too.
 * onnxruntime-web is imported lazily by the loaders, not by this module.
 */
export * from './index.js';
export {
  loadWebStudent,
  imageFromCanvas,
  imageFromImageBitmap,
  imageFromImageData,
  type WebStudent,
  type WebStudentOptions,
  type WebModelSource,
} from './lib/session/web-loaders.js';
export { fetchModelPackage, type FetchModelOptions, type FetchedModel } from './lib/session/web-model-bytes.js';
export { createWebRunner, chooseWebBackend, type WebBackend, type WebSessionOptions } from './lib/session/web-session.js';
