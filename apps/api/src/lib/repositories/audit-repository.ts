// SQL for the append-only audit log.
import type { AuditLogEntry, DatabaseTransaction, Prisma } from '@person-search/db';

export interface AuditRecord {
  actorKeyId: string | null;
  action: string;
  target: string | null;
  details?: Prisma.InputJsonObject;
}

export async function insertAuditEntry(tx: DatabaseTransaction, tenantId: string, record: AuditRecord): Promise<void> {
  await tx.auditLogEntry.create({ data: { tenantId, ...record, details: record.details ?? {} } });
}

/** Newest first; `before` is the keyset cursor (createdAt, id) of the last entry seen. */
export function listAuditEntries(
  tx: DatabaseTransaction,
  tenantId: string,
  page: { limit: number; before: { createdAt: Date; id: string } | null },
): Promise<AuditLogEntry[]> {
  const { before } = page;
  return tx.auditLogEntry.findMany({
    where: {
      tenantId,
      ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit,
  });
}
