// SQL for tenants. Creating and counting run as the system (RLS bypassed).
import type { DatabaseTransaction, Tenant } from '@person-search/db';

export function insertTenant(tx: DatabaseTransaction, name: string): Promise<Tenant> {
  return tx.tenant.create({ data: { name } });
}

export function countTenants(tx: DatabaseTransaction): Promise<number> {
  return tx.tenant.count();
}

export function findTenant(tx: DatabaseTransaction, tenantId: string): Promise<Tenant | null> {
  return tx.tenant.findUnique({ where: { id: tenantId } });
}
