// The one database factory: DATABASE_URL set ⇒ a pg pool behind
// @prisma/adapter-pg; unset ⇒ embedded PGlite (with pgvector) persisted under
// `<dataDir>/pglite` behind pglite-prisma-adapter. Pending migrations are
// applied before the Database is handed out.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client';
import { defaultMigrationsDir, readDatabaseConfig } from './config';
import { runMigrations, type MigrateOptions, type MigrateResult } from './migrator';
import { pgliteSessionSource, pgSessionSource, type SqlSessionSource } from './sql-session';
import { pgliteRawTransactions, pgRawTransactions, type FreeConnections, type RawTransactionRunner, type SqlClient } from './raw-transaction';
import { runAsSystem, runAsTenant, tenantScopeSettings, type DatabaseTransaction, type TransactionOptions } from './tenant-scope';

export interface OpenDatabaseOptions {
  /** Postgres URL; defaults to DATABASE_URL. `null` forces embedded PGlite even when DATABASE_URL is set. */
  databaseUrl?: string | null;
  /** Local data folder; defaults to DATA_DIR, else `<repo>/.data`. `memory://` keeps PGlite in memory. */
  dataDir?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  migrationsDir?: string;
  log?: (message: string) => void;
  /** Postgres only: most pooled connections (default 10). */
  poolSize?: number;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** The raw client, as the owner (RLS bypassed): prefer withTenant / asSystem. */
  readonly prisma: PrismaClient;
  /** Runs `work` in one transaction as the application role, scoped to `tenantId` by row-level security. */
  withTenant<T>(tenantId: string, work: (tx: DatabaseTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * withTenant on the driver itself (`pg`, or PGlite), not through Prisma: the same scope, settings
   * and timeouts, but the work gets only `$queryRaw` / `$executeRaw` (SqlClient), at about a third
   * of Prisma's CPU per statement. For the request paths that send several statements per request
   * (search, ingest); everything else uses withTenant.
   */
  withTenantRaw<T>(tenantId: string, work: (sql: SqlClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * How many more units of work could start now without waiting for a connection: on the pool's `idle`
   * connections, and on the ones it may still open (`openable`: a new session first, ~13–23 ms here);
   * none while any request waits, and none on PGlite (one connection). For splitting one request's
   * statement across connections while the request holds one already: a request that held a connection
   * and waited for another could deadlock a full pool. Start the units (withTenantRaw) before the next
   * `await`: the pool hands out connections in call order.
   */
  freeConnections(): FreeConnections;
  /**
   * Runs `work` in one transaction as the table owner, across tenants. Only for
   * operator tenant creation, API-key lookup by prefix, teacher-worker claiming
   * and the retention sweeper.
   */
  asSystem<T>(work: (tx: DatabaseTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/** Raw SQL access of each Database this module opened, for `migrate(database)`. */
const sessionSources = new WeakMap<Database, SqlSessionSource>();

export function sessionSourceOf(database: Database): SqlSessionSource | undefined {
  return sessionSources.get(database);
}

// Interactive transactions also build HNSW indexes (model registration) and
// run on a single-threaded wasm Postgres, so Prisma's 5 s default is too short.
const DEFAULT_TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 60_000 };

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const config = readDatabaseConfig();
  const databaseUrl = options.databaseUrl === null ? undefined : (options.databaseUrl ?? config.databaseUrl);
  const dataDir = options.dataDir ?? config.dataDir;
  const log = options.log ?? (() => undefined);

  const opened = databaseUrl ? openPostgres(databaseUrl, options.poolSize ?? 10, log) : await openPGlite(dataDir);
  try {
    if (options.migrate ?? true) {
      const { applied } = await runMigrations(opened.sessions, options.migrationsDir ?? defaultMigrationsDir, log);
      log(applied.length ? `database migrated: ${applied.join(', ')}` : 'database schema up to date');
    }
  } catch (error) {
    await opened.close();
    throw error;
  }

  // errorFormat 'minimal': Prisma's other formats build a call site (new Error()) for every query to
  // point pretty errors at the calling line; profiled in the API, 463 ms per 1,800 searches (~0.26 ms
  // each; docs/scale-out.md). The project maps database errors to its own codes anyway.
  const prisma = new PrismaClient({ adapter: opened.adapter, transactionOptions: DEFAULT_TRANSACTION_OPTIONS, errorFormat: 'minimal' });
  const database: Database = {
    kind: opened.kind,
    prisma,
    withTenant: (tenantId, work, transactionOptions) => runAsTenant(prisma, tenantId, work, transactionOptions),
    withTenantRaw: async (tenantId, work, { settings, timeout, maxWait } = {}) =>
      opened.raw.transaction(tenantScopeSettings(tenantId, settings), work, {
        timeout: timeout ?? DEFAULT_TRANSACTION_OPTIONS.timeout,
        maxWait: maxWait ?? DEFAULT_TRANSACTION_OPTIONS.maxWait,
      }),
    freeConnections: () => opened.raw.freeConnections(),
    asSystem: (work, transactionOptions) => runAsSystem(prisma, work, transactionOptions),
    async close() {
      await prisma.$disconnect();
      await opened.close();
    },
  };
  sessionSources.set(database, opened.sessions);
  log(`database: ${opened.description}`);
  return database;
}

interface OpenedDriver {
  kind: Database['kind'];
  description: string;
  adapter: PrismaPg | PrismaPGlite;
  sessions: SqlSessionSource;
  raw: RawTransactionRunner;
  close(): Promise<void>;
}

function openPostgres(databaseUrl: string, poolSize: number, log: (message: string) => void): OpenedDriver {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle pooled connection that dies (server restart, network) emits 'error'
  // on the pool; unhandled, that would crash the process. The pool replaces it.
  pool.on('error', (error) => log(`postgres: idle connection lost: ${error.message}`));
  const url = new URL(databaseUrl);
  return {
    kind: 'postgres',
    description: `postgres ${url.hostname}:${url.port || 5432}${url.pathname}`,
    adapter: new PrismaPg(pool),
    sessions: pgSessionSource(pool),
    raw: pgRawTransactions(pool),
    close: () => pool.end(),
  };
}

async function openPGlite(dataDir: string): Promise<OpenedDriver> {
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = path.join(dataDir, 'pglite');
    await mkdir(location, { recursive: true });
  }
  const pglite = await PGlite.create(location, { extensions: { vector } });
  return {
    kind: 'pglite',
    description: `pglite ${location}`,
    adapter: new PrismaPGlite(pglite),
    sessions: pgliteSessionSource(pglite),
    raw: pgliteRawTransactions(pglite),
    close: () => pglite.close(),
  };
}

export type { MigrateOptions, MigrateResult };
