// searchPerson: stage 1, ANN over student vectors inside the tenant, the
// key's galleries and the time window; stage 2, teacher re-rank of the
// candidate pool (teacher vectors from the worker, missing ones computed now
// and stored). `score` is the teacher cosine when re-ranked, else the student's.
import { cosineSimilarity } from '@person-search/model';
import type { BoxValue, DetectionParent } from '@person-search/schema';
import { galleriesInScope, requireKey, type Principal } from '../auth/principal.js';
import { badInput, notFound } from '../errors.js';
import { findGalleries } from '../repositories/galleries-repository.js';
import { embedStoredCrops } from '../inference/teacher-embeddings.js';
import {
  findDetections,
  nearestStudentNeighbours,
  teacherSimilarities,
  writeTeacherEmbeddings,
} from '../repositories/detections-repository.js';
import { findImages } from '../repositories/images-repository.js';
import { isUuid } from '../repositories/ids.js';
import { toDetectionParent } from './frame-mapping.js';
import { resolvePersonQuery, teacherQueryEmbedding, type PersonQueryInput } from './search-query.js';
import type { ServiceDeps } from './service-deps.js';

export interface SearchPersonInput {
  query: PersonQueryInput;
  galleryIds?: readonly string[] | null;
  capturedAfter?: Date | null;
  capturedBefore?: Date | null;
  topK?: number | null;
  candidatePool?: number | null;
  rerank?: boolean | null;
}

export interface SearchHitResult {
  rank: number;
  score: number;
  studentScore: number;
  teacherScore: number | null;
  detection: DetectionParent;
}

export interface SearchPersonResult {
  hits: SearchHitResult[];
  queryBox: BoxValue | null;
  stats: { candidates: number; reranked: number; teacherComputed: number; queryMs: number; annMs: number; teacherMs: number; rerankMs: number; totalMs: number };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function createSearchService(deps: ServiceDeps) {
  const { db, config, models, metrics, log } = deps;

  function checkInput(input: SearchPersonInput) {
    const topK = input.topK ?? 20;
    if (!Number.isInteger(topK) || topK < 1 || topK > config.limits.topK) throw badInput('input.topK', `must be between 1 and ${config.limits.topK}`);
    const candidatePool = input.candidatePool ?? 200;
    if (!Number.isInteger(candidatePool) || candidatePool < 1 || candidatePool > config.limits.candidatePool) {
      throw badInput('input.candidatePool', `must be between 1 and ${config.limits.candidatePool}`);
    }
    (input.galleryIds ?? []).forEach((id, index) => {
      if (!isUuid(id)) throw badInput(`input.galleryIds[${index}]`, 'is not a gallery id');
    });
    if (input.capturedAfter && input.capturedBefore && input.capturedAfter > input.capturedBefore) {
      throw badInput('input.capturedBefore', 'must not be earlier than capturedAfter');
    }
    return { topK, candidatePool: Math.max(candidatePool, topK) };
  }

  return {
    async searchPerson(actor: Principal, input: SearchPersonInput): Promise<SearchPersonResult> {
      const searcher = requireKey(actor, 'SEARCH', 'ADMIN');
      const started = performance.now();
      const { topK, candidatePool } = checkInput(input);
      const galleryIds = galleriesInScope(searcher, input.galleryIds);
      const tenantId = searcher.tenantId;
      const student = models.requireStudent();

      if (input.galleryIds?.length) {
        const requested = [...new Set(input.galleryIds)];
        const found = await db.withTenant(tenantId, (tx) => findGalleries(tx, tenantId, requested));
        const missing = requested.findIndex((id) => !found.some((gallery) => gallery.id === id));
        if (missing >= 0) throw notFound('gallery', `input.galleryIds[${input.galleryIds.indexOf(requested[missing]!)}]`);
      }
      const query = await resolvePersonQuery(deps, searcher, input.query);
      const rerank = (input.rerank ?? true) && query.crop !== null && models.teacher !== null;
      const teacherQuery = rerank ? await teacherQueryEmbedding(deps, tenantId, query) : null;
      const queryDone = performance.now();

      const candidates = await db.withTenant(tenantId, (tx) =>
        nearestStudentNeighbours(tx, tenantId, query.studentEmbedding, {
          modelId: student.manifest.id,
          dimension: student.dimension,
          galleryIds,
          capturedAfter: input.capturedAfter ?? null,
          capturedBefore: input.capturedBefore ?? null,
          excludeDetectionId: query.detectionId,
        }, candidatePool),
      );
      const annDone = performance.now();

      let teacherScores = new Map<string, number>();
      let teacherComputed = 0;
      if (teacherQuery && candidates.length > 0) {
        const teacher = models.requireTeacher();
        const ids = candidates.map((candidate) => candidate.id);
        teacherScores = await db.withTenant(tenantId, (tx) => teacherSimilarities(tx, tenantId, teacherQuery, { id: teacher.manifest.id, dimension: teacher.dimension }, ids));
        const missing = ids.filter((id) => !teacherScores.has(id));
        if (missing.length > 0) {
          const crops = await db.withTenant(tenantId, async (tx) => {
            const detections = await findDetections(tx, tenantId, missing);
            const images = new Map((await findImages(tx, tenantId, [...new Set(detections.map((d) => d.imageId))])).map((image) => [image.id, image]));
            return detections.flatMap((d) => {
              const image = images.get(d.imageId);
              return image ? [{ id: d.id, imageBlobSha256: image.blobSha256, box: { x1: d.x1, y1: d.y1, x2: d.x2, y2: d.y2 } }] : [];
            });
          });
          const outcomes = await embedStoredCrops({ ...deps, maxPixels: config.limits.imagePixels }, tenantId, crops);
          const computed = outcomes.flatMap((outcome) => (outcome.embedding ? [{ id: outcome.id, embedding: outcome.embedding }] : []));
          for (const { id, embedding } of computed) teacherScores.set(id, cosineSimilarity(teacherQuery, embedding));
          for (const failed of outcomes.filter((outcome) => outcome.error)) log.warn({ err: failed.error, detectionId: failed.id }, 'teacher embedding failed during search');
          teacherComputed = computed.length;
          // Stored so the next search (and the worker) need not compute them again.
          await db.withTenant(tenantId, (tx) => writeTeacherEmbeddings(tx, tenantId, teacher.manifest.id, computed));
        }
      }
      const teacherDone = performance.now();

      const ranked = candidates
        .map((candidate) => ({ ...candidate, teacherScore: teacherScores.get(candidate.id) ?? null }))
        .sort((a, b) =>
          teacherQuery ? (b.teacherScore ?? -2) - (a.teacherScore ?? -2) || b.similarity - a.similarity : b.similarity - a.similarity,
        )
        .slice(0, topK);
      const rows = await db.withTenant(tenantId, (tx) => findDetections(tx, tenantId, ranked.map((hit) => hit.id)));
      const byId = new Map(rows.map((row) => [row.id, toDetectionParent(row)]));
      const hits = ranked.flatMap((hit, index) => {
        const detection = byId.get(hit.id);
        if (!detection) return [];
        const score = teacherQuery && hit.teacherScore !== null ? hit.teacherScore : hit.similarity;
        return [{ rank: index + 1, score, studentScore: hit.similarity, teacherScore: hit.teacherScore, detection }];
      });
      const done = performance.now();

      const stats = {
        candidates: candidates.length,
        reranked: teacherQuery ? teacherScores.size : 0,
        teacherComputed,
        queryMs: round(queryDone - started),
        annMs: round(annDone - queryDone),
        teacherMs: round(teacherDone - annDone),
        rerankMs: round(done - teacherDone),
        totalMs: round(done - started),
      };
      for (const [stage, ms] of [['query', stats.queryMs], ['ann', stats.annMs], ['teacher', stats.teacherMs], ['rerank', stats.rerankMs]] as const) {
        metrics.searchStageSeconds.observe({ stage }, ms / 1000);
      }
      return { hits, queryBox: query.queryBox, stats };
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
