// The teacher-embedding queue is the detections table itself: rows with
// teacher_status = 'pending' whose teacher_next_attempt_at has passed. A
// claim pushes teacher_next_attempt_at forward by a short lease that the
// claiming worker's heartbeats keep extending while it works, so a worker that
// dies mid-batch releases its rows one lease later (work resumes on another
// worker), and concurrent workers skip each other's rows (SKIP LOCKED).
import type { DatabaseTransaction } from '@person-search/db';

export interface ClaimedDetection {
  tenantId: string;
  id: string;
  imageId: string;
  /** The frame's blob (read with the claim: no image lookup per batch). */
  imageBlobSha256: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  attempts: number;
}

/**
 * System-wide claim across tenants (the only cross-tenant read the worker does). Whole frames:
 * the first `limit` due rows in (due time, tenant, image) order pick the frames, and every due row
 * of those frames is claimed, so a frame is decoded once rather than once per batch it would
 * straddle. A batch is therefore at most `limit` + one frame's detections − 1 rows. Rows locked by
 * another worker's claim in progress are skipped (SKIP LOCKED) at both steps.
 */
export function claimPendingDetections(tx: DatabaseTransaction, limit: number, leaseSeconds: number): Promise<ClaimedDetection[]> {
  return tx.$queryRaw<ClaimedDetection[]>`
    WITH first_rows AS (
      SELECT tenant_id, image_id FROM detections
      WHERE teacher_status = 'pending' AND teacher_next_attempt_at <= now()
      ORDER BY teacher_next_attempt_at, tenant_id, image_id, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), frames AS (
      SELECT DISTINCT tenant_id, image_id FROM first_rows
    ), claimed AS (
      SELECT d.tenant_id, d.id FROM detections d
      JOIN frames f ON f.tenant_id = d.tenant_id AND f.image_id = d.image_id
      WHERE d.teacher_status = 'pending' AND d.teacher_next_attempt_at <= now()
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE detections AS d
    SET teacher_attempts = d.teacher_attempts + 1,
        teacher_next_attempt_at = now() + make_interval(secs => ${leaseSeconds}::float8)
    FROM claimed, images AS i
    WHERE d.tenant_id = claimed.tenant_id AND d.id = claimed.id AND i.tenant_id = d.tenant_id AND i.id = d.image_id
    RETURNING d.tenant_id::text AS "tenantId", d.id::text AS id, d.image_id::text AS "imageId", i.blob_sha256 AS "imageBlobSha256",
              d.x1::float8 AS x1, d.y1::float8 AS y1, d.x2::float8 AS x2, d.y2::float8 AS y2, d.teacher_attempts AS attempts`;
}

/**
 * Heartbeat: extends the lease of rows this worker still holds. A claim is
 * identified by (tenant, id, attempts): every claim increments attempts, so a
 * row another worker re-claimed after our lease lapsed is left alone.
 * Returns how many rows were extended.
 */
export function extendTeacherLease(tx: DatabaseTransaction, claims: readonly ClaimedDetection[], leaseSeconds: number): Promise<number> {
  if (claims.length === 0) return Promise.resolve(0);
  return tx.$executeRaw`
    UPDATE detections AS d
    SET teacher_next_attempt_at = now() + make_interval(secs => ${leaseSeconds}::float8)
    FROM unnest(${claims.map((c) => c.tenantId)}::uuid[], ${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.attempts)}::int[])
      AS held(tenant_id, id, attempts)
    WHERE d.tenant_id = held.tenant_id AND d.id = held.id AND d.teacher_attempts = held.attempts AND d.teacher_status = 'pending'`;
}

/** After a failed attempt: retry after `retryAfterSeconds`, or give up (failed) with the reason. */
export async function recordTeacherFailure(
  tx: DatabaseTransaction,
  tenantId: string,
  ids: readonly string[],
  reason: string,
  retryAfterSeconds: number | null,
): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE detections
    SET teacher_last_error = ${reason.slice(0, 1000)},
        teacher_status = ${retryAfterSeconds === null ? 'failed' : 'pending'}::teacher_status,
        teacher_next_attempt_at = now() + make_interval(secs => ${retryAfterSeconds ?? 0}::float8)
    WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...ids]}::uuid[])`;
}

export async function pendingTeacherCount(tx: DatabaseTransaction): Promise<number> {
  const rows = await tx.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM detections WHERE teacher_status = 'pending'`;
  return rows[0]?.count ?? 0;
}
