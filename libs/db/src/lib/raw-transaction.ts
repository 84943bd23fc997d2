// Tenant-scoped units of work on the driver itself, for the request paths
// where Prisma's cost per statement shows: a search sends five to seven
// statements per request and an ingest four, and each costs 0.25–0.70 ms of
// CPU through Prisma's driver adapter against 0.08–0.17 ms through `pg`
// (docs/scale-out.md). The scope is withTenant's: the application role and
// app.tenant_id, transaction-local, so row-level security applies the same
// way; the work sees only `$queryRaw` / `$executeRaw`, with the same tagged
// templates and Prisma.Sql fragments the repositories already write, so a
// repository function typed with SqlClient runs on either.
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';
import { Prisma } from '../generated/prisma/client';

/** The raw-SQL half of a Prisma transaction client: what a repository function on a hot path may use. */
export interface SqlClient {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

export interface RawTransactionOptions {
  /** Milliseconds the whole unit of work may take: later statements fail, it rolls back, and one statement is cut off there by the server. */
  timeout: number;
  /** Milliseconds to wait for a pooled connection. */
  maxWait: number;
}

/** Runs `work` in one transaction after setting `settings` (name → value) transaction-locally. */
export interface RawTransactionRunner {
  transaction<T>(settings: readonly (readonly [string, string])[], work: (sql: SqlClient) => Promise<T>, options: RawTransactionOptions): Promise<T>;
  /**
   * How many more transactions could start now without waiting for a connection: on the pool's idle
   * connections, and on those it may still open (each a new session first); none while others wait.
   * PGlite is one connection: none.
   */
  freeConnections(): FreeConnections;
}

/** Connections a unit of work could have at once: `idle` ones, and `openable` ones the pool may still open. */
export interface FreeConnections {
  idle: number;
  openable: number;
}

export class TransactionTimeoutError extends Error {
  constructor(timeout: number) {
    super(`transaction timed out after ${timeout} ms; rolled back`);
    this.name = 'TransactionTimeoutError';
  }
}

type Execute = (text: string, values: unknown[]) => Promise<{ rows: unknown[]; count: number }>;

function toSql(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Prisma.Sql {
  return query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
}

/** A SqlClient over `execute` that refuses every statement once the deadline has passed. */
function sqlClient(execute: Execute, expired: () => boolean, timeout: number): SqlClient {
  const run = async (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) => {
    if (expired()) throw new TransactionTimeoutError(timeout);
    const sql = toSql(query, values);
    return execute(sql.text, sql.values);
  };
  return {
    async $queryRaw<T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) {
      return (await run(query, values)).rows as T;
    },
    async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) {
      return (await run(query, values)).count;
    },
  };
}

/** `SET LOCAL statement_timeout`, so no single statement outlives the unit of work by much. */
const statementTimeout = (timeout: number) => `SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(timeout))}`;

async function withDeadline<T>(timeout: number, work: (expired: () => boolean) => Promise<T>): Promise<T> {
  const deadline = performance.now() + timeout;
  const expired = () => performance.now() > deadline;
  const result = await work(expired);
  if (expired()) throw new TransactionTimeoutError(timeout);
  return result;
}

export function pgRawTransactions(pool: pg.Pool): RawTransactionRunner {
  const max = pool.options.max ?? 10;
  return {
    freeConnections: () => (pool.waitingCount > 0 ? { idle: 0, openable: 0 } : { idle: pool.idleCount, openable: Math.max(0, max - pool.totalCount) }),
    async transaction(settings, work, { timeout, maxWait }) {
      let waited: ReturnType<typeof setTimeout> | undefined;
      const connecting = pool.connect();
      const client = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          waited = setTimeout(() => reject(new Error(`no database connection free within ${maxWait} ms`)), maxWait);
        }),
      ]).catch((error: unknown) => {
        // A connection that arrives after the wait gave up goes straight back to the pool.
        connecting.then((late) => late.release(), () => undefined);
        throw error;
      }).finally(() => clearTimeout(waited));
      // One round trip: the simple protocol takes several statements, so the settings go as literals
      // quoted by the driver (escapeLiteral), not as bind parameters.
      const assignments = settings.map(([name, value]) => `set_config(${client.escapeLiteral(name)}, ${client.escapeLiteral(value)}, true)`).join(', ');
      const execute: Execute = async (text, values) => {
        const result = await client.query(text, values);
        return { rows: result.rows, count: result.rowCount ?? 0 };
      };
      let broken: Error | undefined;
      // A connection lost between statements (the server restarted, the backend was terminated) is an 'error'
      // event on a checked-out client, which the pool does not listen for: unheard, it is an uncaught exception
      // that ends the process. Heard, it marks the connection broken; the next statement fails with it.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        // Inside the try: a scope that fails leaves an aborted transaction open, which must not go back to the pool.
        await client.query(`BEGIN; ${statementTimeout(timeout)}; SELECT ${assignments}`);
        const result = await withDeadline(timeout, (expired) => work(sqlClient(execute, expired, timeout)));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: unknown) => {
          broken = rollback instanceof Error ? rollback : new Error(String(rollback));
        });
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: destroyed, not reused.
        client.off('error', onError);
        client.release(broken);
      }
    },
  };
}

export function pgliteRawTransactions(pglite: PGlite): RawTransactionRunner {
  return {
    freeConnections: () => ({ idle: 0, openable: 0 }),
    async transaction(settings, work, { timeout }) {
      // PGlite is one connection that runs one transaction at a time (Prisma's adapter queues on the
      // same lock), so there is no pool to wait for; a round trip is a function call, so the settings
      // go as bind parameters.
      return pglite.transaction(async (tx: PGliteTransaction) => {
        await tx.exec(statementTimeout(timeout));
        const assignments = settings.map((_, index) => `set_config($${2 * index + 1}, $${2 * index + 2}, true)`).join(', ');
        await tx.query(`SELECT ${assignments}`, settings.flat());
        const execute: Execute = async (text, values) => {
          const result = await tx.query(text, values);
          return { rows: result.rows, count: result.affectedRows ?? 0 };
        };
        return withDeadline(timeout, (expired) => work(sqlClient(execute, expired, timeout)));
      });
    },
  };
}
