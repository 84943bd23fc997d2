// SQL for the search audit: one append-only row per searchPerson.
import type { DatabaseTransaction, SearchAuditEntry } from '@person-search/db';
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

export async function insertSearchAuditEntry(tx: DatabaseTransaction, tenantId: string, record: SearchAuditRecord): Promise<void> {
  await tx.searchAuditEntry.create({ data: { tenantId, ...record } });
}

export async function listSearchAuditEntries(tx: DatabaseTransaction, tenantId: string, page: AuditPage): Promise<SearchAuditEntry[]> {
  const orderBy = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
  if (page.scope) {
    const ids = await scopedAuditPageIds(tx, 'search_audit', tenantId, { ...page, scope: page.scope });
    return tx.searchAuditEntry.findMany({ where: { tenantId, id: { in: ids } }, orderBy });
  }
  return tx.searchAuditEntry.findMany({ where: { tenantId, ...olderThan(page.before) }, orderBy, take: page.limit });
}
