/** The model packages `npm run models` builds: catalogue, builder, output folder, learned weights, the student's design constants. Node-only. */
export { buildDefaultModels, defaultModelsDir, type BuildDefaultModelsOptions, type DefaultModelResult } from './build-default-models';
export { modelCatalogue, CATALOGUE_IDS, type CatalogueEntry, type BuiltPackage } from './catalogue';
export { readLearnedWeights, learnedWeightsDir, type LearnedWeights, type LearnedTeacher, type LearnedStudentHead, type StudentHeadSpec } from './learned-weights';
export {
  buildDefaultStudent,
  buildStudent,
  COLOUR_STUDENT_ID,
  DEFAULT_STUDENT_ID,
  DEFAULT_STUDENT_VERSION,
  STUDENT_DESIGN,
  STUDENT_TENSORS,
  type StudentVariant,
} from './student';
export { readTfjsModelFiles, readCenternetModel, centernetTensors, CENTERNET_SOURCE } from './centernet-source';
