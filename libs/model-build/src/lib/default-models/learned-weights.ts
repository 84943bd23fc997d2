/**
 * Learned weights committed by the offline training project (libs/training,
 * `npm run train:teacher` / `npm run distill`; see its README): a re-ID
 * teacher package and the distilled student's re-ID head. `npm run models`
 * only reads these files — it never runs Python and downloads nothing — so a
 * clone without them (or with only one) still builds the colour models.
 *
 *   <weights>/teacher/       model.onnx, manifest.json (platform format), MODEL_CARD.md
 *   <weights>/student-head/  head.onnx (features [N,C,h,w] → embeddings [N,D], L2-normalised),
 *                            head.json (HEAD_SPEC below), MODEL_CARD.md
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest, type ModelManifest } from '@person-search/model';
import { z } from 'zod';

/** `<repo>/libs/training/weights`, or LEARNED_WEIGHTS_DIR (tests, and customers packaging their own). */
export function learnedWeightsDir(): string {
  const fromEnvironment = process.env['LEARNED_WEIGHTS_DIR'];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return path.resolve(fromEnvironment);
  return path.resolve(import.meta.dirname, '../../../../training/weights');
}

export interface LearnedTeacher {
  onnx: Uint8Array;
  /** The manifest as trained (its own id); republished under the default id. */
  manifest: ModelManifest;
  card: string;
  sha256: string;
}

const headSpec = z.strictObject({
  /** ONNX value name of an NCHW backbone map in the student graph (the converter's names, as in .models/default-student/model.onnx). */
  featureMap: z.string().min(1),
  stride: z.number().positive(),
  channels: z.number().int().positive(),
  roiAlign: z.strictObject({
    outputHeight: z.number().int().positive(),
    outputWidth: z.number().int().positive(),
    samplingRatio: z.number().int().min(0).default(2),
    mode: z.enum(['avg', 'max']).default('avg'),
    coordinateTransformationMode: z.enum(['half_pixel', 'output_half_pixel']).default('half_pixel'),
  }),
  dimension: z.number().int().positive().max(2000),
  /** sha256 of the teacher model.onnx the head was distilled from: the student is aligned only with that exact teacher. */
  teacherSha256: z.string().regex(/^[0-9a-f]{64}$/),
  version: z.string().min(1),
});
export type StudentHeadSpec = z.output<typeof headSpec>;

export interface LearnedStudentHead {
  onnx: Uint8Array;
  spec: StudentHeadSpec;
  card: string;
  /** sha256 over head.onnx and head.json: names these weights in the package version. */
  sha256: string;
}

export interface LearnedWeights {
  teacher: LearnedTeacher | null;
  studentHead: LearnedStudentHead | null;
}

const sha256 = (...parts: (Uint8Array | string)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

function readCard(dir: string): string {
  const file = path.join(dir, 'MODEL_CARD.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Reads what is committed; a folder that is present but inconsistent is an error, not a silent fallback. */
export function readLearnedWeights(dir = learnedWeightsDir()): LearnedWeights {
  return { teacher: readTeacher(path.join(dir, 'teacher')), studentHead: readStudentHead(path.join(dir, 'student-head')) };
}

function readTeacher(dir: string): LearnedTeacher | null {
  if (!existsSync(path.join(dir, 'model.onnx'))) return null;
  const manifest = parseManifest(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const onnx = new Uint8Array(readFileSync(path.join(dir, manifest.file)));
  const actual = sha256(onnx);
  if (actual !== manifest.sha256) throw new Error(`${dir}: ${manifest.file} has sha256 ${actual} but its manifest says ${manifest.sha256}`);
  if (manifest.family !== 'reid-embedder' || !manifest.embedding) throw new Error(`${dir}: the learned teacher must be a reid-embedder with an embedding section`);
  return { onnx, manifest, card: readCard(dir), sha256: actual };
}

function readStudentHead(dir: string): LearnedStudentHead | null {
  if (!existsSync(path.join(dir, 'head.onnx'))) return null;
  const json = readFileSync(path.join(dir, 'head.json'), 'utf8');
  const parsed = headSpec.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`${dir}/head.json: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const onnx = new Uint8Array(readFileSync(path.join(dir, 'head.onnx')));
  return { onnx, spec: parsed.data, card: readCard(dir), sha256: sha256(onnx, json) };
}
