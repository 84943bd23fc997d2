// A minimal raw-SQL session over either driver, for the work Prisma cannot do:
// multi-statement migration scripts, each inside its own transaction, under a
// cross-process migration lock. Application queries go through Prisma instead.
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';

export interface SqlSession {
  /** One parameterised statement; returns its rows. */
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** A script of one or more statements without parameters (a migration file). */
  exec(script: string): Promise<void>;
}

export interface LockedSqlSession extends SqlSession {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
}

export interface SqlSessionSource {
  /** Runs `work` on one session that holds the migration lock (one migrator at a time). */
  withMigrationLock<T>(work: (session: LockedSqlSession) => Promise<T>): Promise<T>;
}

/**
 * The advisory lock key Prisma's own migrate engine takes on Postgres, so this
 * migrator and `prisma migrate deploy` also exclude each other.
 */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

export function pgliteSessionSource(pglite: PGlite): SqlSessionSource {
  const wrap = (client: PGlite | PGliteTransaction): SqlSession => ({
    async query<Row>(sql: string, params: unknown[] = []) {
      return (await client.query<Row>(sql, params)).rows;
    },
    async exec(script: string) {
      await client.exec(script);
    },
  });
  return {
    // PGlite is one in-process connection and serialises transactions itself;
    // its data folder cannot be opened by a second process, so no lock is needed.
    async withMigrationLock(work) {
      return work({ ...wrap(pglite), transaction: (inner) => pglite.transaction((tx) => inner(wrap(tx))) });
    },
  };
}

export function pgSessionSource(connection: pg.Pool | pg.Client): SqlSessionSource {
  return {
    async withMigrationLock(work) {
      const client = connection instanceof pg.Pool ? await connection.connect() : connection;
      const session: SqlSession = {
        async query<Row>(sql: string, params: unknown[] = []) {
          return (await client.query(sql, params)).rows as Row[];
        },
        async exec(script: string) {
          // No parameters ⇒ the simple query protocol, which accepts several statements.
          await client.query(script);
        },
      };
      const transaction = async <T>(inner: (tx: SqlSession) => Promise<T>): Promise<T> => {
        await client.query('BEGIN');
        try {
          const result = await inner(session);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      };
      try {
        await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
        try {
          return await work({ ...session, transaction });
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
        }
      } finally {
        if (connection instanceof pg.Pool) (client as pg.PoolClient).release();
      }
    },
  };
}
