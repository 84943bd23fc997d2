// The tenant's audit log, for admins.
import { requireKey, type Principal } from '../auth/principal.js';
import { listAuditEntries } from '../repositories/audit-repository.js';
import { decodeCursor, toConnection, pageSize } from './cursor.js';
import type { ServiceDeps } from './service-deps.js';

export function createAuditService({ db }: ServiceDeps) {
  return {
    async list(actor: Principal, page: { first?: number | null; after?: string | null }) {
      const admin = requireKey(actor, 'ADMIN');
      const size = pageSize(page.first, 'first');
      const before = decodeCursor(page.after, 'after');
      const rows = await db.withTenant(admin.tenantId, (tx) => listAuditEntries(tx, admin.tenantId, { limit: size + 1, before }));
      return toConnection(rows, size, (row) => ({
        id: row.id,
        actorKeyId: row.actorKeyId,
        action: row.action,
        target: row.target,
        details: JSON.stringify(row.details),
        createdAt: row.createdAt,
      }));
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
