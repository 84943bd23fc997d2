// SQL for the append-only audit logs: admin actions (`audit_log`) and searches
// (`search_audit`). Both are listed newest first, keyset-paged on (createdAt,
// id), and filtered to a gallery-scoped admin's scope: a row is visible to it
// when the row's galleries are non-empty and all lie inside the scope.
import { Prisma, type AuditLogEntry, type DatabaseTransaction } from '@person-search/db';

export interface AuditRecord {
  actorKeyId: string | null;
  action: string;
  target: string | null;
  /** Galleries the action touched; omitted or empty for tenant-wide actions. */
  galleryIds?: string[];
  details?: Prisma.InputJsonObject;
}

export interface AuditPage {
  limit: number;
  before: { createdAt: Date; id: string } | null;
  /** The caller's gallery scope; null = unscoped (every row of the tenant). */
  scope: readonly string[] | null;
}

export async function insertAuditEntry(tx: DatabaseTransaction, tenantId: string, record: AuditRecord): Promise<void> {
  await tx.auditLogEntry.create({ data: { tenantId, ...record, galleryIds: record.galleryIds ?? [], details: record.details ?? {} } });
}

/**
 * Ids of one page of rows visible to a scoped caller. Prisma has no "array is
 * a subset of" filter, so the scope test (`<@`) is SQL; the rows themselves
 * are then read through Prisma. The table name is one of two constants.
 */
export async function scopedAuditPageIds(tx: DatabaseTransaction, table: 'audit_log' | 'search_audit', tenantId: string, page: AuditPage & { scope: readonly string[] }): Promise<string[]> {
  const { before } = page;
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM ${Prisma.raw(`"${table}"`)}
    WHERE tenant_id = ${tenantId}::uuid
      AND cardinality(gallery_ids) > 0 AND gallery_ids <@ ${[...page.scope]}::uuid[]
      AND (${before?.createdAt ?? null}::timestamptz IS NULL OR (created_at, id) < (${before?.createdAt ?? null}::timestamptz, ${before?.id ?? null}::uuid))
    ORDER BY created_at DESC, id DESC
    LIMIT ${page.limit}`;
  return rows.map((row) => row.id);
}

/** The keyset condition "older than `before`" in Prisma's terms. */
export function olderThan(before: AuditPage['before']) {
  return before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {};
}

export async function listAuditEntries(tx: DatabaseTransaction, tenantId: string, page: AuditPage): Promise<AuditLogEntry[]> {
  const orderBy = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
  if (page.scope) {
    const ids = await scopedAuditPageIds(tx, 'audit_log', tenantId, { ...page, scope: page.scope });
    return tx.auditLogEntry.findMany({ where: { tenantId, id: { in: ids } }, orderBy });
  }
  return tx.auditLogEntry.findMany({ where: { tenantId, ...olderThan(page.before) }, orderBy, take: page.limit });
}
