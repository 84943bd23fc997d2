// The database backends every data-layer suite runs against: embedded PGlite
// always, and real Postgres when TEST_DATABASE_URL is set. Each test database
// is fresh: a temporary PGlite folder, or a throwaway database created with
// CREATE DATABASE from the TEST_DATABASE_URL connection and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { openDatabase, type Database, type MigrationTarget, type OpenDatabaseOptions } from '../../src/index';

export interface TestDatabase {
  /** Opens (and by default migrates) this database through the public factory. */
  open(options?: Omit<OpenDatabaseOptions, 'databaseUrl' | 'dataDir'>): Promise<Database>;
  /** A bare driver connection to this database (PGlite instance or pg Pool), for migrate(connection). */
  openRawConnection(): Promise<{ connection: MigrationTarget; close(): Promise<void> }>;
  /** Deletes the database and its files. */
  drop(): Promise<void>;
}

export interface Backend {
  name: 'pglite' | 'postgres';
  createDatabase(): Promise<TestDatabase>;
}

const testDatabaseUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

const pgliteBackend: Backend = {
  name: 'pglite',
  async createDatabase() {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'person-search-db-test-'));
    return {
      open: (options) => openDatabase({ ...options, databaseUrl: null, dataDir }),
      async openRawConnection() {
        const pglite = await PGlite.create(path.join(dataDir, 'pglite'), { extensions: { vector } });
        return { connection: pglite, close: () => pglite.close() };
      },
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
};

function postgresBackend(adminUrl: string): Backend {
  return {
    name: 'postgres',
    async createDatabase() {
      const name = `person_search_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
      await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        open: (options) => openDatabase({ ...options, databaseUrl: url.toString() }),
        async openRawConnection() {
          const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
          return { connection: pool, close: () => pool.end() };
        },
        drop: () => withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
      };
    },
  };
}

async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const backends: Backend[] = testDatabaseUrl ? [pgliteBackend, postgresBackend(testDatabaseUrl)] : [pgliteBackend];

/** Prints which backends this suite runs on (and why Postgres is missing, if it is). */
export function reportBackends(suite: string): void {
  const names = backends.map((backend) => backend.name).join(', ');
  const note = testDatabaseUrl ? '' : ' (postgres skipped: TEST_DATABASE_URL is not set)';
  console.log(`db backends for ${suite}: ${names}${note}`);
}
