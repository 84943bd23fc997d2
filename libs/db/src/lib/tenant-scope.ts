// Units of work as one interactive Prisma transaction, either scoped to a
// tenant (row-level security enforced) or as the table owner (RLS bypassed).
import type { PrismaClient, Prisma } from '../generated/prisma/client';

/** The transaction client handed to a unit of work. */
export type DatabaseTransaction = Prisma.TransactionClient;

export interface TransactionOptions {
  /** Milliseconds the whole unit of work may take (Prisma's interactive-transaction timeout). */
  timeout?: number;
  /** Milliseconds to wait for a connection. */
  maxWait?: number;
}

/** The non-owner role the migrations create; RLS policies apply to it. */
export const APPLICATION_ROLE = 'person_search_app';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function runAsTenant<T>(
  prisma: PrismaClient,
  tenantId: string,
  work: (tx: DatabaseTransaction) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  // Checked here so a malformed id fails loudly instead of as a cast error inside every policy.
  if (!UUID_PATTERN.test(tenantId)) throw new Error(`withTenant: tenant id must be a uuid, got ${JSON.stringify(tenantId)}`);
  return prisma.$transaction(async (tx) => {
    // Both settings are transaction-local (is_local = true): they end with the
    // transaction, so a pooled connection never carries one tenant into the next.
    // Switching role matters on PGlite (a superuser bypasses RLS) and on Postgres
    // (the owner bypasses RLS).
    await tx.$queryRaw`SELECT set_config('role', ${APPLICATION_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`;
    return work(tx);
  }, options);
}

export function runAsSystem<T>(
  prisma: PrismaClient,
  work: (tx: DatabaseTransaction) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  return prisma.$transaction((tx) => work(tx), options);
}
