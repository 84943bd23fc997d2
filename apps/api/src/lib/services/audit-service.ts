// The tenant's audit logs, for admins: admin actions and searches. A
// gallery-scoped admin sees only rows within its scope. A successful search
// writes its row inside its own transaction (searchAuditRecord); a failed one
// is recorded by `recordSearch`, called by the searchPerson resolver.
import { requireKey, type KeyPrincipal, type Principal } from '../auth/principal.js';
import { isAppError } from '../errors.js';
import { listAuditEntries } from '../repositories/audit-repository.js';
import { insertSearchAuditEntry, listSearchAuditEntries, type SearchAuditRecord } from '../repositories/search-audit-repository.js';
import { decodeCursor, toConnection, pageSize } from './cursor.js';
import type { ServiceDeps } from './service-deps.js';

type Page = { first?: number | null; after?: string | null };

export interface SearchOutcome {
  /** The galleries searched (the request ∩ the key's scope); null = every gallery. */
  galleryIds: readonly string[] | null;
  hits: number;
  latencyMs: number;
  /** The error the search failed with, if it did. */
  error?: unknown;
}

/** The audit row of one search by `searcher` (an enrolled device is recorded as the device, not a key). */
export function searchAuditRecord(searcher: KeyPrincipal, outcome: SearchOutcome): SearchAuditRecord {
  const code = outcome.error === undefined ? 'OK' : isAppError(outcome.error) ? outcome.error.code : 'INTERNAL_SERVER_ERROR';
  return {
    actorKeyId: searcher.deviceId ? null : searcher.keyId,
    deviceId: searcher.deviceId ?? null,
    galleryIds: [...(outcome.galleryIds ?? [])],
    hits: outcome.hits,
    latencyMs: Math.round(outcome.latencyMs * 100) / 100,
    outcome: code,
  };
}

export function createAuditService({ db, log }: ServiceDeps) {
  function pageOf(actor: Principal, page: Page) {
    const admin = requireKey(actor, 'ADMIN');
    const size = pageSize(page.first, 'first');
    const before = decodeCursor(page.after, 'after');
    return { admin, size, query: { limit: size + 1, before, scope: admin.galleryScope } };
  }

  return {
    async list(actor: Principal, page: Page) {
      const { admin, size, query } = pageOf(actor, page);
      const rows = await db.withTenant(admin.tenantId, (tx) => listAuditEntries(tx, admin.tenantId, query));
      return toConnection(rows, size, (row) => ({
        id: row.id,
        actorKeyId: row.actorKeyId,
        action: row.action,
        target: row.target,
        details: JSON.stringify(row.details),
        galleryIds: row.galleryIds.length > 0 ? row.galleryIds : null,
        createdAt: row.createdAt,
      }));
    },

    async listSearches(actor: Principal, page: Page) {
      const { admin, size, query } = pageOf(actor, page);
      const rows = await db.withTenant(admin.tenantId, (tx) => listSearchAuditEntries(tx, admin.tenantId, query));
      return toConnection(rows, size, (row) => ({
        id: row.id,
        actorKeyId: row.actorKeyId,
        deviceId: row.deviceId,
        galleryIds: row.galleryIds.length > 0 ? row.galleryIds : null,
        hits: row.hits,
        latencyMs: row.latencyMs,
        outcome: row.outcome,
        createdAt: row.createdAt,
      }));
    },

    /**
     * Writes the audit row of a search that failed (a successful search writes
     * its row in its own transaction). Only callers that reached the search (a
     * key of the tenant) are recorded. A failed write is logged, never turned
     * into a different error.
     */
    async recordSearch(actor: Principal, outcome: SearchOutcome): Promise<void> {
      if (actor.kind !== 'key') return;
      await db
        .withTenant(actor.tenantId, (tx) => insertSearchAuditEntry(tx, actor.tenantId, searchAuditRecord(actor, outcome)))
        .catch((error: unknown) => log.error({ err: error }, 'search audit write failed'));
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
