// SQL for detections: CRUD through Prisma, vectors through tagged $queryRaw
// with pgvector's text form. Vector queries cast to `vector(D)` and filter on
// the model id exactly as the model's partial HNSW index is declared
// (register_embedding_model), so the planner can use it. D is an integer from
// the models table, inlined with Prisma.raw (a typmod cannot be a parameter).
// The SQL of each vector query is snapshotted in test/sql-snapshots.
import { Prisma, toVectorSql, type DatabaseTransaction, type Detection } from '@person-search/db';
import type { BoxValue } from '@person-search/schema';

export interface NewDetection {
  id: string;
  box: BoxValue;
  score: number;
  embedding: Float32Array;
}

export async function insertDetections(
  tx: DatabaseTransaction,
  tenantId: string,
  image: { id: string; galleryId: string; capturedAt: Date },
  studentModelId: string,
  detections: readonly NewDetection[],
): Promise<void> {
  if (detections.length === 0) return;
  // One statement for the whole frame: parallel arrays unnested into rows.
  const column = <T,>(pick: (d: NewDetection) => T) => detections.map(pick);
  await tx.$executeRaw`
    INSERT INTO detections (tenant_id, id, image_id, gallery_id, captured_at, x1, y1, x2, y2, score, student_model_id, student_embedding)
    SELECT ${tenantId}::uuid, d.id, ${image.id}::uuid, ${image.galleryId}::uuid, ${image.capturedAt}::timestamptz,
           d.x1, d.y1, d.x2, d.y2, d.score, ${studentModelId}, d.embedding::vector
    FROM unnest(${column((d) => d.id)}::uuid[], ${column((d) => d.box.x1)}::real[], ${column((d) => d.box.y1)}::real[],
                ${column((d) => d.box.x2)}::real[], ${column((d) => d.box.y2)}::real[], ${column((d) => d.score)}::real[],
                ${column((d) => toVectorSql(d.embedding))}::text[])
         AS d(id, x1, y1, x2, y2, score, embedding)`;
}

export function findDetection(tx: DatabaseTransaction, tenantId: string, id: string): Promise<Detection | null> {
  return tx.detection.findUnique({ where: { tenantId_id: { tenantId, id } } });
}

export function findDetections(tx: DatabaseTransaction, tenantId: string, ids: readonly string[]): Promise<Detection[]> {
  return tx.detection.findMany({ where: { tenantId, id: { in: [...ids] } } });
}

export function detectionsOfImages(tx: DatabaseTransaction, tenantId: string, imageIds: readonly string[]): Promise<Detection[]> {
  return tx.detection.findMany({ where: { tenantId, imageId: { in: [...imageIds] } }, orderBy: [{ score: 'desc' }, { id: 'asc' }] });
}

export async function studentEmbeddingOf(tx: DatabaseTransaction, tenantId: string, id: string): Promise<string | null> {
  const rows = await tx.$queryRaw<{ embedding: string | null }[]>`
    SELECT student_embedding::text AS embedding FROM detections WHERE tenant_id = ${tenantId}::uuid AND id = ${id}::uuid`;
  return rows[0]?.embedding ?? null;
}

export interface AnnFilter {
  modelId: string;
  dimension: number;
  galleryIds: readonly string[] | null;
  capturedAfter: Date | null;
  capturedBefore: Date | null;
  excludeDetectionId: string | null;
}

export interface AnnCandidate {
  id: string;
  similarity: number;
}

/** The stage-1 statement (exported for the SQL snapshot and EXPLAIN tests). */
export function nearestStudentNeighboursSql(tenantId: string, query: Float32Array, filter: AnnFilter, limit: number): Prisma.Sql {
  const dimension = Prisma.raw(String(Math.trunc(filter.dimension)));
  const vector = toVectorSql(query);
  const galleryIds = filter.galleryIds ? [...filter.galleryIds] : null;
  // Ordered by distance inside the CTE (the HNSW index scan), re-sorted
  // outside: with iterative_scan = relaxed_order rows may come slightly out of order.
  return Prisma.sql`
    WITH candidates AS (
      SELECT id, (student_embedding::vector(${dimension}) <=> ${vector}::vector(${dimension})) AS distance
      FROM detections
      WHERE tenant_id = ${tenantId}::uuid
        AND student_model_id = ${filter.modelId}
        AND (${galleryIds}::uuid[] IS NULL OR gallery_id = ANY(${galleryIds}::uuid[]))
        AND (${filter.capturedAfter}::timestamptz IS NULL OR captured_at >= ${filter.capturedAfter}::timestamptz)
        AND (${filter.capturedBefore}::timestamptz IS NULL OR captured_at <= ${filter.capturedBefore}::timestamptz)
        AND (${filter.excludeDetectionId}::uuid IS NULL OR id <> ${filter.excludeDetectionId}::uuid)
      ORDER BY student_embedding::vector(${dimension}) <=> ${vector}::vector(${dimension})
      LIMIT ${limit}
    )
    SELECT id::text AS id, (1 - distance)::float8 AS similarity FROM candidates ORDER BY distance, id`;
}

/** HNSW search breadth for a pool of `limit` candidates: pgvector's ef_search must be at least the LIMIT to return it. */
export function annSettingsSql(limit: number): Prisma.Sql {
  const efSearch = Math.min(1000, Math.max(40, limit));
  return Prisma.sql`SELECT set_config('hnsw.ef_search', ${String(efSearch)}, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`;
}

/**
 * Stage 1 of search: the `limit` nearest student vectors by cosine distance.
 * Sets the HNSW search breadth and iterative scan for this transaction only,
 * so that filtered rows (tenant, galleries, time) do not starve the result.
 */
export async function nearestStudentNeighbours(
  tx: DatabaseTransaction,
  tenantId: string,
  query: Float32Array,
  filter: AnnFilter,
  limit: number,
): Promise<AnnCandidate[]> {
  await tx.$queryRaw(annSettingsSql(limit));
  return tx.$queryRaw<AnnCandidate[]>(nearestStudentNeighboursSql(tenantId, query, filter, limit));
}

/** Teacher cosine similarity of each candidate that has a teacher vector of `modelId`. */
export async function teacherSimilarities(
  tx: DatabaseTransaction,
  tenantId: string,
  query: Float32Array,
  model: { id: string; dimension: number },
  ids: readonly string[],
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const dimension = Prisma.raw(String(Math.trunc(model.dimension)));
  const rows = await tx.$queryRaw<{ id: string; similarity: number }[]>`
    SELECT id::text AS id, (1 - (teacher_embedding::vector(${dimension}) <=> ${toVectorSql(query)}::vector(${dimension})))::float8 AS similarity
    FROM detections
    WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...ids]}::uuid[])
      AND teacher_model_id = ${model.id} AND teacher_status = 'done' AND teacher_embedding IS NOT NULL`;
  return new Map(rows.map((row) => [row.id, row.similarity]));
}

/** Stores teacher vectors computed for detections of this tenant (worker or on-demand in search). */
export async function writeTeacherEmbeddings(
  tx: DatabaseTransaction,
  tenantId: string,
  modelId: string,
  embeddings: readonly { id: string; embedding: Float32Array }[],
): Promise<void> {
  if (embeddings.length === 0) return;
  await tx.$executeRaw`
    UPDATE detections AS d
    SET teacher_model_id = ${modelId}, teacher_embedding = v.embedding::vector, teacher_status = 'done', teacher_last_error = NULL
    FROM unnest(${embeddings.map((e) => e.id)}::uuid[], ${embeddings.map((e) => toVectorSql(e.embedding))}::text[]) AS v(id, embedding)
    WHERE d.tenant_id = ${tenantId}::uuid AND d.id = v.id`;
}
