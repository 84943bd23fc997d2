// SQL for the retention sweeper (system, across tenants): frames older than
// their gallery's retention_days; detections and vectors go with them (FK cascade).
import type { DatabaseTransaction } from '@person-search/db';

export function deleteExpiredImages(tx: DatabaseTransaction, limit: number): Promise<{ tenantId: string; sha256: string }[]> {
  return tx.$queryRaw<{ tenantId: string; sha256: string }[]>`
    DELETE FROM images AS i
    WHERE (i.tenant_id, i.id) IN (
      SELECT im.tenant_id, im.id FROM images AS im
      JOIN galleries AS g ON g.tenant_id = im.tenant_id AND g.id = im.gallery_id
      WHERE g.retention_days IS NOT NULL AND im.captured_at < now() - make_interval(days => g.retention_days)
      LIMIT ${limit}
    )
    RETURNING i.tenant_id::text AS "tenantId", i.blob_sha256 AS sha256`;
}
