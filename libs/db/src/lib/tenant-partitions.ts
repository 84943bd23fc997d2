// Tenant partitions of `detections`: every tenant's rows live in the shared
// partition until an operator isolates a large tenant, whose rows then move
// into a partition of their own with its own indexes (HNSW included), done by
// the SQL function isolate_tenant_detections() as the table owner (see the
// migration 20261203150000_detections_by_tenant).
import type { Database } from './open-database';
import { checkTenantId } from './tenant-scope';

export interface IsolateTenantOptions {
  /**
   * `maintenance_work_mem` for the move's index builds (the new partition's HNSW graph among them),
   * e.g. '1GB'. Without it the server's setting applies; a graph that does not fit spills and builds
   * several times slower (docs/scale-out.md).
   */
  maintenanceWorkMem?: string;
  /** Postgres only: `max_parallel_maintenance_workers` for those builds. */
  parallelWorkers?: number;
  /** Milliseconds the move may take (default one hour). */
  timeoutMs?: number;
}

export interface TenantPartition {
  /** The partition's table name (`detections_t_<tenant id without dashes>`, or `detections_shared`). */
  partition: string;
  isolated: boolean;
  /** Detections in it that belong to the tenant. */
  rows: number;
}

/** Where a tenant's detections are stored, and how many; refuses an unknown tenant. */
export async function tenantPartition(database: Database, tenantId: string): Promise<TenantPartition> {
  checkTenantId(tenantId, 'tenantPartition');
  const [row] = await database.asSystem(
    (tx) => tx.$queryRaw<{ known: boolean; partition: string; rows: number }[]>`
      SELECT EXISTS (SELECT FROM tenants WHERE id = ${tenantId}::uuid) AS known,
             detections_partition_of(${tenantId}::uuid)::text AS partition,
             (SELECT count(*)::int FROM detections WHERE tenant_id = ${tenantId}::uuid) AS rows`,
  );
  if (!row) throw new Error('detections_partition_of returned no row');
  if (!row.known) throw new Error(`no tenant ${tenantId}`);
  return { partition: row.partition, isolated: row.partition !== 'detections_shared', rows: row.rows };
}

/**
 * Moves a tenant's detections into a partition of their own (idempotent: an isolated tenant is
 * left as it is) and reports where they are. One transaction: the shared partition is locked
 * against writes meanwhile (other tenants' ingest waits), and the new partition's indexes are built
 * before it commits. Refuses an unknown tenant.
 */
export async function isolateTenantDetections(database: Database, tenantId: string, options: IsolateTenantOptions = {}): Promise<TenantPartition & { moved: boolean }> {
  checkTenantId(tenantId, 'isolateTenantDetections');
  const moved = await database.asSystem(
    async (tx) => {
      const [state] = await tx.$queryRaw<{ known: boolean; isolated: boolean }[]>`
        SELECT EXISTS (SELECT FROM tenants WHERE id = ${tenantId}::uuid) AS known,
               detections_partition_of(${tenantId}::uuid) <> 'detections_shared'::regclass AS isolated`;
      if (!state?.known) throw new Error(`no tenant ${tenantId}`);
      if (state.isolated) return false;
      if (options.maintenanceWorkMem) await tx.$queryRaw`SELECT set_config('maintenance_work_mem', ${options.maintenanceWorkMem}, true)`;
      if (database.kind === 'postgres' && options.parallelWorkers !== undefined) {
        await tx.$queryRaw`SELECT set_config('max_parallel_maintenance_workers', ${String(options.parallelWorkers)}, true)`;
      }
      await tx.$queryRaw`SELECT isolate_tenant_detections(${tenantId}::uuid)::text AS partition`;
      return true;
    },
    { timeout: options.timeoutMs ?? 3_600_000, maxWait: 60_000 },
  );
  return { ...(await tenantPartition(database, tenantId)), moved };
}
