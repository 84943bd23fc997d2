/** The default model packages: builder, output folder, and the student's design constants. Node-only. */
export { buildDefaultModels, defaultModelsDir, type BuildDefaultModelsOptions, type DefaultModelResult } from './build-default-models';
export { buildDefaultStudent, DEFAULT_STUDENT_ID, DEFAULT_STUDENT_VERSION, STUDENT_DESIGN, STUDENT_TENSORS } from './student';
export { readTfjsModelFiles, readCenternetModel, centernetTensors, CENTERNET_SOURCE } from './centernet-source';
