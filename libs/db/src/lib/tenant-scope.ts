// Units of work as one interactive Prisma transaction, either scoped to a
// tenant (row-level security enforced) or as the table owner (RLS bypassed).
import { Prisma, type PrismaClient } from '../generated/prisma/client';

/** The transaction client handed to a unit of work. */
export type DatabaseTransaction = Prisma.TransactionClient;

export interface TransactionOptions {
  /** Milliseconds the whole unit of work may take (Prisma's interactive-transaction timeout). */
  timeout?: number;
  /** Milliseconds to wait for a connection. */
  maxWait?: number;
  /**
   * withTenant only: further transaction-local settings (`set_config(name, value, true)`), applied in
   * the statement that scopes the tenant, so they cost no round trip of their own (a search sets
   * pgvector's `hnsw.ef_search` this way). `role` and `app.tenant_id` are the scope's own: refused.
   */
  settings?: Readonly<Record<string, string>>;
}

const SCOPE_SETTINGS = new Set(['role', 'app.tenant_id']);

/** The non-owner role the migrations create; RLS policies apply to it. */
export const APPLICATION_ROLE = 'person_search_app';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refuses a tenant id that is not a uuid, naming `caller`, before any SQL sees it. */
export function checkTenantId(tenantId: string, caller: string): void {
  if (!UUID_PATTERN.test(tenantId)) throw new Error(`${caller}: tenant id must be a uuid, got ${JSON.stringify(tenantId)}`);
}

/**
 * The settings that scope a unit of work to `tenantId` (the application role, then app.tenant_id),
 * followed by the caller's `settings`; refuses a malformed id or a caller setting of the scope's own.
 */
export function tenantScopeSettings(tenantId: string, settings: Readonly<Record<string, string>> = {}): [string, string][] {
  // Checked here so a malformed id fails loudly instead of as a cast error inside every policy.
  checkTenantId(tenantId, 'withTenant');
  const extra = Object.entries(settings);
  const reserved = extra.find(([name]) => SCOPE_SETTINGS.has(name.toLowerCase()));
  if (reserved) throw new Error(`withTenant: setting ${JSON.stringify(reserved[0])} belongs to the tenant scope`);
  return [['role', APPLICATION_ROLE], ['app.tenant_id', tenantId], ...extra];
}

export async function runAsTenant<T>(
  prisma: PrismaClient,
  tenantId: string,
  work: (tx: DatabaseTransaction) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  const { settings, ...transactionOptions } = options ?? {};
  const scope = tenantScopeSettings(tenantId, settings);
  // Names and values are bind parameters of set_config, never SQL text.
  const assignments = Prisma.join(scope.map(([name, value]) => Prisma.sql`set_config(${name}, ${value}, true)`));
  return prisma.$transaction(async (tx) => {
    // Every setting is transaction-local (is_local = true): it ends with the
    // transaction, so a pooled connection never carries one tenant into the next.
    // Switching role matters on PGlite (a superuser bypasses RLS) and on Postgres
    // (the owner bypasses RLS).
    await tx.$queryRaw`SELECT ${assignments}`;
    return work(tx);
  }, transactionOptions);
}

export function runAsSystem<T>(
  prisma: PrismaClient,
  work: (tx: DatabaseTransaction) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  return prisma.$transaction((tx) => work(tx), options);
}
