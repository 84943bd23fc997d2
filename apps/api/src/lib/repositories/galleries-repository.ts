// SQL for galleries, and the device lookup ingest uses (device registration and credentials: devices-repository).
import type { DatabaseTransaction, Device, Gallery, SqlClient } from '@person-search/db';

export function insertGallery(tx: DatabaseTransaction, tenantId: string, gallery: { name: string; retentionDays: number | null }): Promise<Gallery> {
  return tx.gallery.create({ data: { tenantId, ...gallery } });
}

export function findGallery(tx: DatabaseTransaction, tenantId: string, id: string): Promise<Gallery | null> {
  return tx.gallery.findUnique({ where: { tenantId_id: { tenantId, id } } });
}

/** Raw SQL (a search's transaction runs on the driver directly); the same rows as `tx.gallery.findMany`. */
export function findGalleries(tx: SqlClient, tenantId: string, ids: readonly string[]): Promise<Gallery[]> {
  return tx.$queryRaw<Gallery[]>`
    SELECT tenant_id AS "tenantId", id, name, retention_days AS "retentionDays", created_at AS "createdAt"
    FROM galleries WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...ids]}::uuid[])`;
}

export function findGalleryByName(tx: DatabaseTransaction, tenantId: string, name: string): Promise<Gallery | null> {
  return tx.gallery.findUnique({ where: { tenantId_name: { tenantId, name } } });
}

/** Oldest first, keyset-paged on (createdAt, id); `scope` null = all galleries. */
export function listGalleries(
  tx: DatabaseTransaction,
  tenantId: string,
  page: { limit: number; after: { createdAt: Date; id: string } | null; scope: readonly string[] | null },
): Promise<Gallery[]> {
  const { after, scope } = page;
  return tx.gallery.findMany({
    where: {
      tenantId,
      ...(scope ? { id: { in: [...scope] } } : {}),
      ...(after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: page.limit,
  });
}

export function updateGallery(
  tx: DatabaseTransaction,
  tenantId: string,
  id: string,
  changes: { name?: string; retentionDays?: number | null },
): Promise<Gallery> {
  return tx.gallery.update({ where: { tenantId_id: { tenantId, id } }, data: changes });
}

export async function deleteGallery(tx: DatabaseTransaction, tenantId: string, id: string): Promise<void> {
  await tx.gallery.delete({ where: { tenantId_id: { tenantId, id } } });
}

export function findDevice(tx: DatabaseTransaction, tenantId: string, id: string): Promise<Device | null> {
  return tx.device.findUnique({ where: { tenantId_id: { tenantId, id } } });
}
