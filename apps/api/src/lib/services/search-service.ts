// searchPerson: stage 1, nearest student vectors inside the tenant, the key's
// galleries and the time window (exact scan or HNSW, by how many rows the
// filter admits); stage 2, teacher re-rank of the candidate pool (teacher
// vectors from the worker, missing ones computed now within a time budget and
// stored). One tenant transaction per request, on the driver rather than
// through Prisma (withTenantRaw: a third of the CPU per statement): it also reads the hits' images
// and galleries (returned for the request's loaders, so the hit fields need no
// further query) and writes the search-audit row. Round trips are counted: the
// HNSW settings go with the tenant scope's statement, and a search without a
// time window reuses the plan its tenant's or gallery set's count chose in the
// last minute instead of counting. A large exact scan (a wide time window) also
// runs time slices of itself on pooled connections that are free at that moment,
// in transactions of their own, one SELECT each (SEARCH_SCAN_CONNECTIONS; never waiting
// for one). `score` is the teacher cosine when re-ranked, else the student's.
import type { Detection, SqlClient } from '@person-search/db';
import { cosineSimilarity, type RgbImage } from '@person-search/model';
import type { BoxValue, DetectionParent, GalleryParent, ImageParent } from '@person-search/schema';
import { createKeyCache } from '../auth/key-cache.js';
import { galleriesInScope, requireKey, type Principal } from '../auth/principal.js';
import { badInput, notFound } from '../errors.js';
import { checkCaptureWindow } from './capture-window.js';
import { findGalleries } from '../repositories/galleries-repository.js';
import { embedStoredCrops } from '../inference/teacher-embeddings.js';
import {
  annTransactionSettings,
  findDetections,
  findDetectionsWithFrames,
  hasTimeWindow,
  nearestStudentNeighbours,
  teacherSimilarities,
  type AnnPlan,
  writeTeacherEmbeddings,
} from '../repositories/detections-repository.js';
import { findImages } from '../repositories/images-repository.js';
import { insertSearchAuditEntry } from '../repositories/search-audit-repository.js';
import { searchAuditRecord } from './audit-service.js';
import { isUuid } from '../repositories/ids.js';
import { toHitParents } from './frame-mapping.js';
import { resolvePersonQuery, resolvePhotoQuery, teacherQueryEmbedding, type PersonQueryInput } from './search-query.js';
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

export interface SearchStats {
  candidates: number;
  /** How stage 1 ran: exact scan (few admitted rows), HNSW, or HNSW that came back short and was redone exactly. */
  annPlan: 'EXACT' | 'HNSW' | 'HNSW_THEN_EXACT';
  /** Statements the exact scan ran as, at once on separate connections (SEARCH_SCAN_CONNECTIONS); 1 otherwise. */
  annParts: number;
  reranked: number;
  teacherComputed: number;
  /** Candidates left without a teacher score: their frame failed to decode/embed, the worker gave up on them, or the time budget ran out. */
  teacherSkipped: number;
  queryMs: number;
  annMs: number;
  teacherMs: number;
  rerankMs: number;
  totalMs: number;
}

export interface SearchPersonResult {
  hits: SearchHitResult[];
  queryBox: BoxValue | null;
  stats: SearchStats;
  /** The hits' images and galleries, read in the search's transaction (to prime the request's loaders). */
  frames: { images: ImageParent[]; galleries: GalleryParent[] };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

const ANN_PLAN_NAMES = { exact: 'EXACT', hnsw: 'HNSW', hnsw_then_exact: 'HNSW_THEN_EXACT' } as const satisfies Record<AnnPlan, SearchStats['annPlan']>;

/** Transaction timeout besides the teacher budget: query inference, stage 1 and the reads (generous; Prisma's default is 5 s). */
const SEARCH_TRANSACTION_BASE_MS = 10_000;
/** A scan part asks for a connection only when one is free; this bounds the wait should another request take it first. */
const SCAN_PART_MAX_WAIT_MS = 1_000;

/**
 * How long the plan a count chose for a search without a time window (a tenant, or a gallery set)
 * is reused instead of counting again: the count walks the index up to the cap (2 % of the index
 * for the tenant alone, 15 % under a gallery filter; at most 250k entries: ~20 ms at 1M rows/tenant)
 * in two round trips. Stale for at most this long after the rows change, and then only slower or,
 * for a tenant that shrank, answered by HNSW where the exact scan would have (a short pool is still
 * redone exactly).
 */
const PLAN_MEMORY_MS = 60_000;
const PLAN_MEMORY_KEYS = 10_000;

export function createSearchService(deps: ServiceDeps) {
  const { db, config, models, metrics, log } = deps;
  /**
   * `tenant/student model/gallery set ('*': all the key's)` → the plan its last count chose, reused by searches
   * without a time window for PLAN_MEMORY_MS; the least recently used key goes past PLAN_MEMORY_KEYS (the cost of a
   * dropped key is one count again). The same bounded TTL cache as verified API keys.
   */
  const knownPlans = createKeyCache<'exact' | 'hnsw'>({ ttlMs: PLAN_MEMORY_MS, maxEntries: PLAN_MEMORY_KEYS });

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
    checkCaptureWindow(input.capturedAfter, input.capturedBefore, 'input.capturedBefore');
    return { topK, candidatePool: Math.max(candidatePool, topK) };
  }

  /**
   * Teacher vectors for candidates the worker has not reached, within the request's time budget.
   * Candidates the worker gave up on (failed) are not retried here; a frame that fails or outlasts
   * the budget is skipped and counted, never waited for.
   */
  async function computeMissingTeacher(tx: SqlClient, tenantId: string, teacherQuery: Float32Array, missing: readonly Detection[], imageShas: Map<string, string>, decoded: Map<string, RgbImage>, deadline: number) {
    const teacher = models.requireTeacher();
    const crops = missing.flatMap((d) => {
      const sha = imageShas.get(d.imageId);
      return d.teacherStatus !== 'failed' && sha ? [{ id: d.id, imageBlobSha256: sha, box: { x1: d.x1, y1: d.y1, x2: d.x2, y2: d.y2 } }] : [];
    });
    const outcomes = crops.length > 0 ? await embedStoredCrops({ ...deps, maxPixels: config.limits.imagePixels }, tenantId, crops, { deadline, decoded }) : [];
    const computed = outcomes.flatMap((outcome) => (outcome.embedding ? [{ id: outcome.id, embedding: outcome.embedding }] : []));
    for (const failed of outcomes.filter((outcome) => outcome.error)) log.warn({ err: failed.error, detectionId: failed.id }, 'teacher embedding failed during search; candidate skipped');
    // Stored so the next search (and the worker) need not compute them again.
    await writeTeacherEmbeddings(tx, tenantId, teacher.manifest.id, computed);
    const scores = new Map(computed.map(({ id, embedding }) => [id, cosineSimilarity(teacherQuery, embedding)]));
    return { scores, computed: computed.length, skipped: missing.length - computed.length };
  }

  return {
    async searchPerson(actor: Principal, input: SearchPersonInput): Promise<SearchPersonResult> {
      const searcher = requireKey(actor, 'SEARCH', 'ADMIN');
      const started = performance.now();
      const { topK, candidatePool } = checkInput(input);
      const galleryIds = galleriesInScope(searcher, input.galleryIds);
      const tenantId = searcher.tenantId;
      const student = models.requireStudent();
      // A photo needs no database: decode and detect before the transaction, so inference holds no connection.
      const photo = input.query.photo != null ? await resolvePhotoQuery(deps, searcher, input.query.photo) : null;
      const teacherBudgetMs = config.limits.searchTeacherBudgetMs;

      // One tenant transaction for the whole request, on the driver directly (every statement is on the
      // request's critical path); its timeout covers the teacher budget.
      return db.withTenantRaw(tenantId, async (tx) => {
        if (input.galleryIds?.length) {
          const requested = [...new Set(input.galleryIds)];
          const found = await findGalleries(tx, tenantId, requested);
          const missing = requested.findIndex((id) => !found.some((gallery) => gallery.id === id));
          if (missing >= 0) throw notFound('gallery', `input.galleryIds[${input.galleryIds.indexOf(requested[missing]!)}]`);
        }
        const query = await resolvePersonQuery(deps, tx, searcher, input.query, photo);
        // A bare student embedding has no crop for the teacher; a student distilled into the teacher's
        // space (alignedWith) is compared with the stored teacher vectors directly instead.
        const aligned = query.crop === null && models.studentAlignedWithTeacher;
        const rerank = (input.rerank ?? true) && (query.crop !== null || aligned) && models.teacher !== null;
        const decoded = new Map<string, RgbImage>();
        const teacherQuery = !rerank ? null : aligned ? query.studentEmbedding : await teacherQueryEmbedding(deps, tenantId, query, decoded);
        const queryDone = performance.now();

        const filter = {
          modelId: student.manifest.id,
          dimension: student.dimension,
          galleryIds,
          capturedAfter: input.capturedAfter ?? null,
          capturedBefore: input.capturedBefore ?? null,
          excludeDetectionId: query.detectionId,
        };
        // The plan a count without a time window chose (for the tenant, or a gallery set) is reused for a while.
        const planKey = hasTimeWindow(filter) ? null : `${tenantId}/${student.manifest.id}/${galleryIds ? [...galleryIds].sort().join(',') : '*'}`;
        // A large exact scan also runs on connections the pool has free, in time slices (never waiting for one).
        const exactScanSplit = {
          maxParts: config.limits.searchScanConnections,
          freeConnections: () => db.freeConnections(),
          run: <T>(work: (sql: SqlClient) => Promise<T>) => db.withTenantRaw(tenantId, work, { timeout: SEARCH_TRANSACTION_BASE_MS, maxWait: SCAN_PART_MAX_WAIT_MS, settings: annTransactionSettings(candidatePool) }),
        };
        const ann = await nearestStudentNeighbours(tx, tenantId, query.studentEmbedding, filter, candidatePool, { presetSettings: true, knownPlan: planKey === null ? undefined : knownPlans.get(planKey), exactScanSplit });
        if (planKey !== null && ann.admittedRows !== null) knownPlans.set(planKey, ann.plan === 'exact' ? 'exact' : 'hnsw');
        const { candidates } = ann;
        const annDone = performance.now();

        let teacherScores = new Map<string, number>();
        let teacherComputed = 0;
        let teacherSkipped = 0;
        if (teacherQuery && candidates.length > 0) {
          const teacher = models.requireTeacher();
          const ids = candidates.map((candidate) => candidate.id);
          teacherScores = await teacherSimilarities(tx, tenantId, teacherQuery, { id: teacher.manifest.id, dimension: teacher.dimension }, ids);
          const missingIds = ids.filter((id) => !teacherScores.has(id));
          if (missingIds.length > 0) {
            const missing = await findDetections(tx, tenantId, missingIds);
            const images = await findImages(tx, tenantId, [...new Set(missing.map((d) => d.imageId))]);
            const imageShas = new Map(images.map((image) => [image.id, image.blobSha256]));
            const extra = await computeMissingTeacher(tx, tenantId, teacherQuery, missing, imageShas, decoded, performance.now() + teacherBudgetMs);
            for (const [id, score] of extra.scores) teacherScores.set(id, score);
            teacherComputed = extra.computed;
            teacherSkipped = extra.skipped;
          }
        }
        const teacherDone = performance.now();

        const ranked = candidates
          .map((candidate) => ({ ...candidate, teacherScore: teacherScores.get(candidate.id) ?? null }))
          .sort((a, b) =>
            teacherQuery ? (b.teacherScore ?? -2) - (a.teacherScore ?? -2) || b.similarity - a.similarity : b.similarity - a.similarity,
          )
          .slice(0, topK);
        const hitRows = new Map((await findDetectionsWithFrames(tx, tenantId, ranked.map((hit) => hit.id))).map((row) => [row.id, toHitParents(row)]));
        const hits = ranked.flatMap((hit, index) => {
          const row = hitRows.get(hit.id);
          if (!row) return [];
          const score = teacherQuery && hit.teacherScore !== null ? hit.teacherScore : hit.similarity;
          return [{ rank: index + 1, score, studentScore: hit.similarity, teacherScore: hit.teacherScore, detection: row.detection }];
        });
        const done = performance.now();

        const stats: SearchStats = {
          candidates: candidates.length,
          annPlan: ANN_PLAN_NAMES[ann.plan],
          annParts: ann.parts,
          reranked: teacherQuery ? teacherScores.size : 0,
          teacherComputed,
          teacherSkipped,
          queryMs: round(queryDone - started),
          annMs: round(annDone - queryDone),
          teacherMs: round(teacherDone - annDone),
          rerankMs: round(done - teacherDone),
          totalMs: round(done - started),
        };
        for (const [stage, ms] of [['query', stats.queryMs], ['ann', stats.annMs], ['teacher', stats.teacherMs], ['rerank', stats.rerankMs]] as const) {
          metrics.searchStageSeconds.observe({ stage }, ms / 1000);
        }
        // In this transaction: a search that commits is audited, and the row costs no transaction of its own.
        await insertSearchAuditEntry(tx, tenantId, searchAuditRecord(searcher, { galleryIds, hits: hits.length, latencyMs: performance.now() - started }));
        const linked = [...hitRows.values()];
        const frames = {
          images: [...new Map(linked.map((row) => [row.image.id, row.image])).values()],
          galleries: [...new Map(linked.map((row) => [row.gallery.id, row.gallery])).values()],
        };
        return { hits, queryBox: query.queryBox, stats, frames };
      }, { timeout: SEARCH_TRANSACTION_BASE_MS + teacherBudgetMs, settings: annTransactionSettings(candidatePool) });
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
