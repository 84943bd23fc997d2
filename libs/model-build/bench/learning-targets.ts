/**
 * The learning targets of issue 9 on CUHK03 val, from embeddings the bench
 * already computed: teacher alone, student alone, two-stage search (student
 * top-200 → teacher, as the API runs it) and, for a student aligned with the
 * teacher, student queries against teacher gallery vectors — each beside its
 * target, with OSNet and the HSV histogram for reference.
 */
import { retrievalMetrics, twoStageRetrievalMetrics, type RetrievalMetrics } from '../src/lib/evaluation/retrieval-metrics.js';
import type { QueryGallery } from './reid-bench.js';
import type { Row, Table } from './report.js';

/** The API's default candidate pool: stage 1 hands this many to the teacher. */
export const TWO_STAGE_POOL = 200;
export const TEACHER_TARGET_MAP = 0.55;

export interface TargetInputs {
  teacher?: QueryGallery;
  student?: QueryGallery;
  /** The student's manifest says alignedWith the measured teacher (same dimension). */
  aligned: boolean;
  references: { name: string; embeddings?: QueryGallery }[];
  skipped?: string;
}

const row = (name: string, metrics: RetrievalMetrics | undefined, target: number | undefined, skipped?: string): Row =>
  metrics === undefined
    ? { name, values: {}, skipped: skipped ?? 'not measured' }
    : {
        name,
        values: {
          mAP: metrics.meanAveragePrecision,
          'top-1': metrics.top1,
          target: target === undefined ? undefined : `>= ${target.toFixed(3)}`,
          met: target === undefined ? undefined : metrics.meanAveragePrecision >= target ? 'yes' : `no (${(metrics.meanAveragePrecision / target).toFixed(2)}x)`,
        },
      };

export function learningTargetsTable(inputs: TargetInputs): Table {
  const { teacher, student } = inputs;
  const teacherMetrics = teacher ? retrievalMetrics(teacher.queries, teacher.gallery) : undefined;
  const teacherMap = teacherMetrics?.meanAveragePrecision;
  const rows: Row[] = [
    row('default-teacher alone', teacherMetrics, TEACHER_TARGET_MAP, inputs.skipped),
    row('default-student alone (box given)', student ? retrievalMetrics(student.queries, student.gallery) : undefined, teacherMap === undefined ? undefined : 0.8 * teacherMap, inputs.skipped),
    row(`two-stage: student top-${TWO_STAGE_POOL} -> teacher`, student && teacher ? twoStageRetrievalMetrics(student, teacher, TWO_STAGE_POOL) : undefined, teacherMap === undefined ? undefined : 0.95 * teacherMap, inputs.skipped),
    inputs.aligned && student && teacher
      ? row('aligned: student query vs teacher gallery', retrievalMetrics(student.queries, teacher.gallery), 0.9 * teacherMap!)
      : row('aligned: student query vs teacher gallery', undefined, undefined, inputs.skipped ?? 'the student has no alignedWith naming this teacher'),
    ...inputs.references.map((reference) => row(reference.name, reference.embeddings ? retrievalMetrics(reference.embeddings.queries, reference.embeddings.gallery) : undefined, undefined, inputs.skipped)),
  ];
  return { title: 'Learning targets (issue 9), CUHK03 val: teacher >= 0.55 mAP; student >= 0.8x, two-stage >= 0.95x, aligned >= 0.9x teacher', columns: ['mAP', 'top-1', 'target', 'met'], rows };
}
