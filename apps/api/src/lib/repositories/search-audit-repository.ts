// SQL for the search audit: one append-only row per searchPerson.
import type { DatabaseTransaction, SearchAuditEntry, SqlClient } from '@person-search/db';
import { olderThan, scopedAuditPageIds, type AuditPage } from './audit-repository.js';

export interface SearchAuditRecord {
  actorKeyId: string | null;
  deviceId: string | null;
  /** Searched galleries; empty = every gallery of the tenant. */
  galleryIds: string[];
  hits: number;
  latencyMs: number;
  /** `OK` or the error code the search failed with. */
  outcome: string;
}

/** Raw SQL: it is the last statement of a search's transaction, which runs on the driver directly. */
export async function insertSearchAuditEntry(tx: SqlClient, tenantId: string, record: SearchAuditRecord): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO search_audit (tenant_id, actor_key_id, device_id, gallery_ids, hits, latency_ms, outcome)
    VALUES (${tenantId}::uuid, ${record.actorKeyId}::uuid, ${record.deviceId}::uuid, ${record.galleryIds}::uuid[], ${record.hits}::int, ${record.latencyMs}::float8, ${record.outcome})`;
}

export async function listSearchAuditEntries(tx: DatabaseTransaction, tenantId: string, page: AuditPage): Promise<SearchAuditEntry[]> {
  const orderBy = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
  if (page.scope) {
    const ids = await scopedAuditPageIds(tx, 'search_audit', tenantId, { ...page, scope: page.scope });
    return tx.searchAuditEntry.findMany({ where: { tenantId, id: { in: ids } }, orderBy });
  }
  return tx.searchAuditEntry.findMany({ where: { tenantId, ...olderThan(page.before) }, orderBy, take: page.limit });
}
