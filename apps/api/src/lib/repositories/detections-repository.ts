// SQL for detections: CRUD through Prisma, vectors through tagged $queryRaw
// with pgvector's text form. Vector queries cast to `vector(D)` and filter on
// the model id exactly as the model's partial HNSW index is declared
// (register_embedding_model), so the planner can use it. D is an integer from
// the models table, inlined with Prisma.raw (a typmod cannot be a parameter).
// The SQL of each vector query is snapshotted in test/sql-snapshots.
import { Prisma, toVectorSql, vectorType, type DatabaseTransaction, type Detection, type FreeConnections, type SqlClient } from '@person-search/db';
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

/** Every column of a detection row but the vectors, under its Prisma field name: raw reads return what `tx.detection` would. */
const DETECTION_COLUMNS = Prisma.raw(`tenant_id AS "tenantId", id, image_id AS "imageId", gallery_id AS "galleryId", captured_at AS "capturedAt",
  x1, y1, x2, y2, score, student_model_id AS "studentModelId", teacher_model_id AS "teacherModelId", teacher_status::text AS "teacherStatus",
  teacher_attempts AS "teacherAttempts", teacher_last_error AS "teacherLastError", teacher_next_attempt_at AS "teacherNextAttemptAt", created_at AS "createdAt"`);

/** Raw SQL, so search and ingest transactions on the driver can use it; the same row as `tx.detection.findUnique`. */
export async function findDetection(tx: SqlClient, tenantId: string, id: string): Promise<Detection | null> {
  const [row] = await tx.$queryRaw<Detection[]>`SELECT ${DETECTION_COLUMNS} FROM detections WHERE tenant_id = ${tenantId}::uuid AND id = ${id}::uuid`;
  return row ?? null;
}

export function findDetections(tx: SqlClient, tenantId: string, ids: readonly string[]): Promise<Detection[]> {
  return tx.$queryRaw<Detection[]>`SELECT ${DETECTION_COLUMNS} FROM detections WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...ids]}::uuid[])`;
}

/** A search hit's detection with its image and gallery: every column a hit's fields show. */
export interface DetectionWithFrameRow {
  id: string;
  imageId: string;
  galleryId: string;
  capturedAt: Date;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  studentModelId: string;
  teacherStatus: Detection['teacherStatus'];
  imageWidth: number;
  imageHeight: number;
  imageCapturedAt: Date;
  galleryName: string;
  galleryRetentionDays: number | null;
  galleryCreatedAt: Date;
}

/**
 * Detections with their image and gallery in one statement (Prisma's `include` sends three, and
 * every statement inside a search's transaction is a round trip on its critical path).
 */
export function findDetectionsWithFrames(tx: SqlClient, tenantId: string, ids: readonly string[]): Promise<DetectionWithFrameRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return tx.$queryRaw<DetectionWithFrameRow[]>`
    SELECT d.id::text AS "id", d.image_id::text AS "imageId", d.gallery_id::text AS "galleryId", d.captured_at AS "capturedAt",
           d.x1, d.y1, d.x2, d.y2, d.score,
           d.student_model_id AS "studentModelId", d.teacher_status::text AS "teacherStatus",
           i.width AS "imageWidth", i.height AS "imageHeight", i.captured_at AS "imageCapturedAt",
           g.name AS "galleryName", g.retention_days AS "galleryRetentionDays", g.created_at AS "galleryCreatedAt"
    FROM detections d
    JOIN images i ON i.tenant_id = d.tenant_id AND i.id = d.image_id
    JOIN galleries g ON g.tenant_id = d.tenant_id AND g.id = d.gallery_id
    WHERE d.tenant_id = ${tenantId}::uuid AND d.id = ANY(${[...ids]}::uuid[])`;
}

export function detectionsOfImages(tx: SqlClient, tenantId: string, imageIds: readonly string[]): Promise<Detection[]> {
  return tx.$queryRaw<Detection[]>`
    SELECT ${DETECTION_COLUMNS} FROM detections
    WHERE tenant_id = ${tenantId}::uuid AND image_id = ANY(${[...imageIds]}::uuid[])
    ORDER BY score DESC, id`;
}

export async function studentEmbeddingOf(tx: SqlClient, tenantId: string, id: string): Promise<string | null> {
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

export type AnnPlan = 'exact' | 'hnsw' | 'hnsw_then_exact';

/**
 * At most this many rows in the filter ⇒ exact scan. Measured (issue 10, 2-core Postgres, 128-d):
 * exact over 10k filtered rows ≈ 10–21 ms, while HNSW under a filter that selective scans
 * 96–241 ms and loses recall (pool / selectivity tuples before enough rows pass).
 */
export const EXACT_SCAN_MAX_ROWS = 10_000;

/**
 * Under a gallery or time filter, the exact scan also runs while the filter admits at most this
 * share of the rows of the HNSW graph the tenant's search walks (its partition's: every tenant's
 * in the shared one, its own once isolated; estimated by `pg_class.reltuples`), up to
 * EXACT_SCAN_MAX_FILTERED_ROWS. Measured at 1M rows/tenant (docs/scale-out.md): in a shared index
 * of 2 tenants, a 10-day filter (100k rows, 5 %) took HNSW 110 ms with min recall@20 0.35 where the
 * exact scan took 134 ms with recall 1.00, and one gallery (333k rows, 17 %) kept HNSW at min recall
 * 0.90 in 36 ms where exact took 479 ms; in the tenant's own partition the same 10 days (10 % of its
 * graph) took HNSW 37 ms at min recall 0.50 (exact 278 ms, 1.00) and one gallery (33 %) 16 ms at
 * 0.90. HNSW's recall under a filter falls below 0.9 somewhere between 10 % and 17 %: the share is
 * 15 %. The count is an index range on (tenant_id, gallery_id, captured_at).
 */
export const EXACT_SCAN_MAX_FILTERED_SHARE = 0.15;
export const EXACT_SCAN_MAX_FILTERED_ROWS = 250_000;

/**
 * Without a gallery or time filter the tenant is still a filter of the shared index, but one its own
 * queries agree with (its people are near its rows), so HNSW serves it well until it would starve:
 * pgvector's iterative scan gives up after `hnsw.max_scan_tuples` (20,000 by default) index tuples,
 * which hold about share × 20,000 of the tenant's rows. The exact scan runs while the tenant holds at
 * most 2 × pool / 20,000 of the index (2 % for a pool of 200; never more than the filtered share).
 * Measured at 1M rows/tenant (docs/scale-out.md): a 1 % time window came back short 18–19 times in 20;
 * a tenant of 25k rows (1.2 %) filled its pool with recall@20 1.00 in 34 ms against 43 ms exact.
 */
export const HNSW_MAX_SCAN_TUPLES = 20_000;
/** pgvector's largest hnsw.ef_search. */
const MAX_EF_SEARCH = 1000;

/**
 * An exact scan of at least twice this many rows may be split across connections (exactScanSplit), each
 * part holding about this many or more. Measured on a 1M-row scratch table with the bench's vectors, one
 * session against two on this 2-core machine (docs/scale-out.md): 10k rows 3.3 ms either way, 20k rows
 * 9.1 → 5.4 ms, 100k rows 45 → 23.5 ms (three parts: 28 ms; more parts than the server's cores only add
 * switching).
 */
export const EXACT_SCAN_PART_MIN_ROWS = 10_000;

/**
 * A split exact scan opens a connection the pool does not hold yet only for at least this many rows:
 * a new session took 13–23 ms here (connect, SCRAM authentication, first statement), which a 100k-row
 * scan's split repays (45 → 23.5 ms) and a 20k-row one's does not (9.1 → 5.4). Smaller scans use idle
 * connections only.
 */
export const EXACT_SCAN_OPEN_MIN_ROWS = 100_000;

/** Where an exact scan of many rows may run its parts: on connections other than the transaction's own. */
export interface ExactScanSplit {
  /** Most statements one exact scan becomes, the transaction's own included (SEARCH_SCAN_CONNECTIONS; 1 = never split). */
  maxParts: number;
  /** Connections free at once (Database.freeConnections): a part never waits for one. */
  freeConnections(): FreeConnections;
  /**
   * Runs `work` in a transaction of its own on another connection, with this one's tenant scope and
   * stage-1 settings (Database.withTenantRaw); it must start the transaction before its first `await`.
   */
  run<T>(work: (sql: SqlClient) => Promise<T>): Promise<T>;
  /** Rows per part at least (default EXACT_SCAN_PART_MIN_ROWS). */
  minRowsPerPart?: number;
  /** Rows a scan must hold to open a connection for a part (default EXACT_SCAN_OPEN_MIN_ROWS); below, idle ones only. */
  openMinRows?: number;
}

export interface AnnPlanOptions {
  exactMaxRows?: number;
  exactMaxFilteredShare?: number;
  exactMaxFilteredRows?: number;
  /** The transaction already runs with annTransactionSettings(limit) (withTenant `settings`): no settings statement of its own. */
  presetSettings?: boolean;
  /**
   * The plan this search's count chose moments ago (for the tenant, or its gallery set): skip the count
   * and run it. Both are safe while the row count drifts: the exact scan is always complete, and a
   * short HNSW pool is redone exactly. Ignored under a time window, whose count changes with the window.
   */
  knownPlan?: 'exact' | 'hnsw';
  /** Split a counted exact scan of many rows by time across free connections (see splitExactScan). */
  exactScanSplit?: ExactScanSplit;
}

export interface AnnPlanChoice {
  plan: 'exact' | 'hnsw';
  /** hnsw.ef_search for the HNSW plan: the pool's breadth (baseEfSearch). */
  efSearch: number;
}

/** hnsw.ef_search for a pool of `limit`: the pool (pgvector returns at most ef_search rows), at least pgvector's default 40, at most its 1000. */
export function baseEfSearch(limit: number): number {
  return Math.min(MAX_EF_SEARCH, Math.max(40, limit));
}

/**
 * The HNSW settings stage 1 runs a search of `limit` candidates with, for withTenant's `settings`
 * (set with the tenant scope, no round trip of their own); with them in place, pass
 * `presetSettings` for the same `limit` and stage 1 sends no settings statement.
 */
export function annTransactionSettings(limit: number): Readonly<Record<string, string>> {
  return stage1Settings(baseEfSearch(limit));
}

/** The settings stage 1 runs with, whether set with the tenant scope or by annSettingsSql (why each: there). */
function stage1Settings(efSearch: number): Readonly<Record<string, string>> {
  return { 'hnsw.ef_search': String(efSearch), 'hnsw.iterative_scan': 'relaxed_order', max_parallel_workers_per_gather: '0', jit: 'off' };
}

/** Whether the search narrows the tenant's rows by gallery or time (the detection exclusion does not count). */
export function hasNarrowingFilter(filter: Pick<AnnFilter, 'galleryIds' | 'capturedAfter' | 'capturedBefore'>): boolean {
  return filter.galleryIds !== null || filter.capturedAfter !== null || filter.capturedBefore !== null;
}

/** A capturedAfter/capturedBefore bound: the filter's count depends on the window, so it is never remembered. */
export function hasTimeWindow(filter: Pick<AnnFilter, 'capturedAfter' | 'capturedBefore'>): boolean {
  return filter.capturedAfter !== null || filter.capturedBefore !== null;
}

/**
 * How many admitted rows the count must reach before the plan is known (it stops one row later):
 * `narrowed` (a gallery or time filter) up to the filtered share of the index; the tenant alone up to
 * the share at which HNSW would starve a pool of `limit` (see HNSW_MAX_SCAN_TUPLES); never under
 * EXACT_SCAN_MAX_ROWS.
 */
export function admittedRowCountCap(indexRows: number, search: { narrowed: boolean; limit: number }, options: AnnPlanOptions = {}): number {
  const exactMaxRows = options.exactMaxRows ?? EXACT_SCAN_MAX_ROWS;
  if (!(indexRows > 0)) return exactMaxRows;
  const filteredShare = options.exactMaxFilteredShare ?? EXACT_SCAN_MAX_FILTERED_SHARE;
  const share = search.narrowed ? filteredShare : Math.min(filteredShare, (2 * search.limit) / HNSW_MAX_SCAN_TUPLES);
  return Math.max(exactMaxRows, Math.min(Math.floor(indexRows * share), options.exactMaxFilteredRows ?? EXACT_SCAN_MAX_FILTERED_ROWS));
}

/**
 * Stage 1's plan from the admitted-row count (counted up to `cap` + 1): exact while the count stays
 * within the cap, else HNSW at the pool's breadth. An earlier rule widened ef_search to
 * pool / √(the filter's share of the index) under a filter; measured, it bought no recall for its
 * time: at 100k rows/tenant one gallery had recall 1.00 at 200 and at 633 (34.8 vs 45.8 ms); at 1M
 * (pool 200, one gallery) min/mean recall@20 stayed 0.85/0.952 from ef_search 200 to 1000 while p50
 * went 21 → 41 ms, and the stage-1 run read 0.90 at both 200 and 633 (20.7 vs 46.4 ms). What HNSW
 * misses there the graph misses (docs/scale-out.md), not the search breadth.
 */
export function chooseAnnPlan(input: { limit: number; admittedRows: number; cap: number }): AnnPlanChoice {
  return { plan: input.admittedRows <= input.cap ? 'exact' : 'hnsw', efSearch: baseEfSearch(input.limit) };
}

/**
 * `everyGallery`: without a gallery filter, list the tenant's galleries anyway (as the count does), so
 * that a time window is an index range per gallery on (tenant_id, gallery_id, captured_at) and the scan
 * reads the window's rows only, not every row of the tenant. For the exact plan: the HNSW plan's filter
 * is checked on the rows its graph walk reaches, and an index condition there would only tempt the
 * planner away from the graph.
 */
function filterSql(tenantId: string, filter: AnnFilter, galleryIds: readonly string[] | null, everyGallery = false): Prisma.Sql {
  const galleries = galleryIds ? [...galleryIds] : null;
  const galleryCondition = everyGallery ? listedGalleriesSql(tenantId, galleryIds) : Prisma.sql`(${galleries}::uuid[] IS NULL OR gallery_id = ANY(${galleries}::uuid[]))`;
  return Prisma.sql`tenant_id = ${tenantId}::uuid
        AND student_model_id = ${filter.modelId}
        AND ${galleryCondition}
        AND ${timeWindowSql(filter)}
        AND (${filter.excludeDetectionId}::uuid IS NULL OR id <> ${filter.excludeDetectionId}::uuid)`;
}

/** The filter's galleries, or all the tenant's when it names none: an index range per gallery (filterSql's `everyGallery`, the count). */
function listedGalleriesSql(tenantId: string, galleryIds: readonly string[] | null): Prisma.Sql {
  const galleries = galleryIds ? [...galleryIds] : null;
  return Prisma.sql`gallery_id = ANY(COALESCE(${galleries}::uuid[], ARRAY(SELECT id FROM galleries WHERE tenant_id = ${tenantId}::uuid)))`;
}

/** capturedAfter ≤ captured_at ≤ capturedBefore, either bound optional. */
function timeWindowSql(filter: Pick<AnnFilter, 'capturedAfter' | 'capturedBefore'>): Prisma.Sql {
  return Prisma.sql`(${filter.capturedAfter}::timestamptz IS NULL OR captured_at >= ${filter.capturedAfter}::timestamptz)
        AND (${filter.capturedBefore}::timestamptz IS NULL OR captured_at <= ${filter.capturedBefore}::timestamptz)`;
}

/** One part of a split exact scan: from ≤ captured_at < before, either bound open (the filter's own bounds still apply). */
export interface TimeSlice {
  from: Date | null;
  before: Date | null;
}

function timeSliceSql(slice: TimeSlice): Prisma.Sql {
  const from = slice.from ? Prisma.sql`
        AND captured_at >= ${slice.from}::timestamptz` : Prisma.empty;
  const before = slice.before ? Prisma.sql`
        AND captured_at < ${slice.before}::timestamptz` : Prisma.empty;
  return Prisma.sql`${from}${before}`;
}

/**
 * The time slices an exact scan of `admittedRows` rows captured between `earliest` and `latest` runs as:
 * at most `maxParts`, each of at least `minRowsPerPart` rows on average, each at least a millisecond wide
 * (captured_at's precision); the span cut into equal times, so the parts are even in rows when the rows
 * are even in time. Together they cover every instant exactly once: the first is open below, the last
 * above. One part (no slicing) when the scan is too small to gain from more.
 */
export function exactScanSlices(input: { admittedRows: number; earliest: Date | null; latest: Date | null; maxParts: number; minRowsPerPart: number }): TimeSlice[] {
  const { earliest, latest } = input;
  const span = earliest && latest ? latest.getTime() - earliest.getTime() : 0;
  const parts = Math.max(1, Math.min(Math.floor(input.maxParts), Math.floor(input.admittedRows / Math.max(1, input.minRowsPerPart)), span));
  if (parts === 1 || !earliest) return [{ from: null, before: null }];
  const bounds = Array.from({ length: parts - 1 }, (_, i) => new Date(earliest.getTime() + Math.floor(((i + 1) * span) / parts)));
  return Array.from({ length: parts }, (_, i) => ({ from: i === 0 ? null : bounds[i - 1]!, before: i === parts - 1 ? null : bounds[i]! }));
}

/** Candidates of several parts in the exact scan's order (similarity descending, then id: uuid order is its text's), the first `limit`. */
export function mergeCandidates(parts: readonly (readonly AnnCandidate[])[], limit: number): AnnCandidate[] {
  return parts.flat().sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, limit);
}

/**
 * The stage-1 statement (exported for the SQL snapshot and EXPLAIN tests). `hnsw`: the index scan
 * in a MATERIALIZED CTE, re-sorted outside — inlined, the outer ORDER BY would trust the index order,
 * which iterative_scan = relaxed_order does not keep. The outer sort key is the similarity, not the
 * CTE's distance column: Postgres 17 (PGlite) carries a materialised CTE's sort order up to the outer
 * query and would skip a sort on `distance` too (seen: unsorted pools on PGlite). `exact`: a top-N sort on the
 * similarity of every filtered row, which no index can order by (the HNSW index orders by distance, so the
 * planner cannot swap its walk in); the ids become text only for the N kept. It read 100k filtered rows of
 * 1M in 58 ms against 200 ms for the earlier shape (every distance materialised into a CTE that spilled
 * to disk, every id turned into text, and a time window without a gallery filter scanning the whole
 * tenant: docs/scale-out.md).
 */
export function nearestStudentNeighboursSql(tenantId: string, query: Float32Array, filter: AnnFilter, limit: number, plan: 'hnsw' | 'exact' = 'hnsw', slice?: TimeSlice): Prisma.Sql {
  const type = vectorType(filter.dimension);
  const vector = toVectorSql(query);
  if (plan === 'exact') {
    return Prisma.sql`
    SELECT id::text AS id, similarity FROM (
      SELECT id, (1 - (student_embedding::${type} <=> ${vector}::${type}))::float8 AS similarity
      FROM detections
      WHERE ${filterSql(tenantId, filter, filter.galleryIds, true)}${slice ? timeSliceSql(slice) : Prisma.empty}
      ORDER BY similarity DESC, id
      LIMIT ${limit}
    ) AS nearest
    ORDER BY similarity DESC, nearest.id`;
  }
  const where = filterSql(tenantId, filter, filter.galleryIds);
  return Prisma.sql`
    WITH candidates AS MATERIALIZED (
      SELECT id, (student_embedding::${type} <=> ${vector}::${type}) AS distance
      FROM detections
      WHERE ${where}
      ORDER BY student_embedding::${type} <=> ${vector}::${type}
      LIMIT ${limit}
    )
    SELECT id::text AS id, (1 - distance)::float8 AS similarity FROM candidates ORDER BY similarity DESC, id`;
}

/**
 * Rows the filter admits, counted up to `cap` + 1 (so the cost is bounded by the cap). Without a
 * gallery filter the tenant's galleries are listed, so a time window is an index range per gallery
 * on (tenant_id, gallery_id, captured_at) rather than a walk over the whole tenant. The model id is
 * left out (it would need the heap): a few rows of a retired model only make HNSW likelier, and the
 * exact retry covers that. The earliest and latest capture times come from the same index entries (no
 * measurable cost: 5.0 ms either way for 100k rows) and place the time slices of a split exact scan; they
 * are the admitted rows' own only when the count stayed within the cap, the only case that scans exactly.
 */
export function filteredRowCountSql(tenantId: string, filter: AnnFilter, cap: number): Prisma.Sql {
  return Prisma.sql`
    SELECT count(*)::int AS count, min(captured_at) AS earliest, max(captured_at) AS latest FROM (
      SELECT captured_at FROM detections
      WHERE tenant_id = ${tenantId}::uuid
        AND ${listedGalleriesSql(tenantId, filter.galleryIds)}
        AND ${timeWindowSql(filter)}
      LIMIT ${cap + 1}
    ) AS admitted`;
}

/**
 * The row estimate of the partition holding the tenant's detections, i.e. of the HNSW graph its
 * search walks: every tenant's rows in the shared partition, or its own once isolated
 * (`detections_partition_of`; `pg_class` is not row-secured, and a tenant never sees the number).
 * 0 when the partition was never analysed.
 */
export function indexRowsEstimateSql(tenantId: string): Prisma.Sql {
  return Prisma.sql`SELECT GREATEST(reltuples, 0)::float8 AS rows FROM pg_class WHERE oid = detections_partition_of(${tenantId}::uuid)`;
}

/**
 * HNSW search breadth for this transaction: pgvector's ef_search must be at least the LIMIT to return it.
 * And stage 1 runs in its session's process alone (max_parallel_workers_per_gather 0): an exact scan of
 * 100k rows of 1M took 128 ms with the two parallel workers the planner chose and 58 ms without (one
 * worker: ~110 against 44–55 ms, with 2 MB huge pages too, so not the workers' page faults alone;
 * docs/scale-out.md), and on a busy server the searches already keep every core busy.
 * Nor does it compile its expressions (jit off): an exact scan of a 100k-row window is costed over
 * jit_above_cost (100,000); EXPLAIN ANALYZE showed 12.7–14.9 ms of JIT in such plans, and the serial scan
 * took 58.8 / 58.9 ms p50 with it against 44.2 / 55.2 without on a scratch table; at 1M rows/tenant, query
 * by query in one bench run, 63.6 against 59.9 ms (docs/scale-out.md). A no-op on PGlite, which is built
 * without JIT.
 */
export function annSettingsSql(efSearch: number): Prisma.Sql {
  const settings = Object.entries(stage1Settings(efSearch)).map(([name, value]) => Prisma.sql`set_config(${name}, ${value}, true)`);
  return Prisma.sql`SELECT ${Prisma.join(settings, ', ')}`;
}

/** What the count saw: rows the filter admits (up to its cap + 1) and the first and last capture time among them. */
interface AdmittedRows {
  count: number;
  earliest: Date | null;
  latest: Date | null;
}

export interface AnnResult {
  candidates: AnnCandidate[];
  plan: AnnPlan;
  /** Rows the filter admits, counted up to the plan's cap + 1 (see admittedRowCountCap); null when not counted (knownPlan). */
  admittedRows: number | null;
  /** hnsw.ef_search the HNSW plan ran with (also reported for exact plans: the breadth HNSW would have had). */
  efSearch: number;
  /** Statements the exact scan ran as, at once on separate connections (1 unless exactScanSplit split it; 1 for HNSW). */
  parts: number;
}

/**
 * Stage 1 of search: the `limit` nearest student vectors by cosine distance.
 * Few admitted rows, a gallery/time filter admitting a small share of the index, or a tenant too
 * small a share of it for HNSW to fill the pool ⇒ exact scan (faster than HNSW there, and exact).
 * Otherwise HNSW with iterative scan at the pool's breadth, set for this transaction only (here, or
 * beforehand by withTenant: `presetSettings`); if it comes back short of the pool (the filter starved
 * it), the exact scan runs instead, so a search never returns fewer candidates than exist.
 */
export async function nearestStudentNeighbours(
  tx: SqlClient,
  tenantId: string,
  query: Float32Array,
  filter: AnnFilter,
  limit: number,
  options: AnnPlanOptions = {},
): Promise<AnnResult> {
  const exactScan = (sql: SqlClient = tx, slice?: TimeSlice) => sql.$queryRaw<AnnCandidate[]>(nearestStudentNeighboursSql(tenantId, query, filter, limit, 'exact', slice));
  const efSearch = baseEfSearch(limit);
  // Before the count: the settings keep the count and the exact scan in this process too (annSettingsSql).
  if (!options.presetSettings) await tx.$queryRaw(annSettingsSql(efSearch));
  let admitted: AdmittedRows | null = null;
  let plan: AnnPlanChoice['plan'];
  if (options.knownPlan && !hasTimeWindow(filter)) {
    plan = options.knownPlan;
  } else {
    const indexRows = (await tx.$queryRaw<{ rows: number }[]>(indexRowsEstimateSql(tenantId)))[0]?.rows ?? 0;
    const cap = admittedRowCountCap(indexRows, { narrowed: hasNarrowingFilter(filter), limit }, options);
    admitted = (await tx.$queryRaw<AdmittedRows[]>(filteredRowCountSql(tenantId, filter, cap)))[0] ?? { count: 0, earliest: null, latest: null };
    ({ plan } = chooseAnnPlan({ limit, admittedRows: admitted.count, cap }));
  }
  const admittedRows = admitted?.count ?? null;
  if (plan === 'exact') {
    const split = options.exactScanSplit;
    if (!split || !admitted) return { candidates: await exactScan(), plan: 'exact', admittedRows, efSearch, parts: 1 };
    const { candidates, parts } = await splitExactScan(tx, split, admitted, exactScan, limit);
    return { candidates, plan: 'exact', admittedRows, efSearch, parts };
  }
  const approximate = await tx.$queryRaw<AnnCandidate[]>(nearestStudentNeighboursSql(tenantId, query, filter, limit, 'hnsw'));
  if (approximate.length >= limit) return { candidates: approximate, plan: 'hnsw', admittedRows, efSearch, parts: 1 };
  return { candidates: await exactScan(), plan: 'hnsw_then_exact', admittedRows, efSearch, parts: 1 };
}

/**
 * The exact scan as time slices run at once: the first in this transaction, the others each on a
 * connection that was free (never one waited for), their candidates merged into the order one scan
 * gives, so the answer is the same set in the same order. Postgres's own parallel workers were slower
 * here than one process (max_parallel_workers_per_gather stays 0, annSettingsSql); separate sessions
 * each read and score only their slice's rows. Each part sees the rows committed when it starts, as
 * every statement of a read-committed transaction does.
 */
async function splitExactScan(
  tx: SqlClient,
  split: ExactScanSplit,
  admitted: AdmittedRows,
  scan: (sql: SqlClient, slice?: TimeSlice) => Promise<AnnCandidate[]>,
  limit: number,
): Promise<{ candidates: AnnCandidate[]; parts: number }> {
  // No await between asking how many connections are free and starting a transaction on each.
  const free = split.freeConnections();
  const connections = free.idle + (admitted.count >= (split.openMinRows ?? EXACT_SCAN_OPEN_MIN_ROWS) ? free.openable : 0);
  const slices = exactScanSlices({ ...admitted, admittedRows: admitted.count, maxParts: Math.min(split.maxParts, 1 + connections), minRowsPerPart: split.minRowsPerPart ?? EXACT_SCAN_PART_MIN_ROWS });
  if (slices.length === 1) return { candidates: await scan(tx), parts: 1 };
  const [own, ...others] = slices;
  const running = [...others.map((slice) => split.run((sql) => scan(sql, slice))), scan(tx, own)];
  // Every part settles before the transaction goes on (or rolls back): none is left running on its own.
  const settled = await Promise.allSettled(running);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return { candidates: mergeCandidates(settled.map((outcome) => (outcome as PromiseFulfilledResult<AnnCandidate[]>).value), limit), parts: slices.length };
}

/** Teacher cosine similarity of each candidate that has a teacher vector of `modelId`. */
export async function teacherSimilarities(
  tx: SqlClient,
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
  tx: SqlClient,
  tenantId: string,
  modelId: string,
  embeddings: readonly { id: string; embedding: Float32Array }[],
): Promise<void> {
  if (embeddings.length === 0) return;
  await tx.$executeRaw`
    UPDATE detections AS d
    SET teacher_model_id = ${modelId}, teacher_embedding = v.embedding::halfvec, teacher_status = 'done', teacher_last_error = NULL
    FROM unnest(${embeddings.map((e) => e.id)}::uuid[], ${embeddings.map((e) => toVectorSql(e.embedding))}::text[]) AS v(id, embedding)
    WHERE d.tenant_id = ${tenantId}::uuid AND d.id = v.id`;
}
