// A throwaway Postgres 15 cluster in a temp dir on a private port, for tests
// that restart or crash the database itself (they cannot do that to the shared
// TEST_DATABASE_URL server). initdb/pg_ctl run as the `postgres` OS user
// (tests run as root); pgvector comes from the system installation.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const binDir = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** Why a private cluster cannot be started here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!existsSync(path.join(binDir, 'initdb'))) return `no Postgres binaries in ${binDir} (set POSTGRES_BIN_DIR)`;
  if (process.getuid?.() !== 0) return 'initdb must run as the postgres user, which needs root here';
  return null;
}

export interface PrivatePostgres {
  /** Connection URL of database `name` (created by createDatabase). */
  url(name: string): string;
  createDatabase(name: string): Promise<void>;
  query<T extends pg.QueryResultRow>(database: string, sql: string, params?: unknown[]): Promise<T[]>;
  /** `pg_ctl stop -m immediate` (a crash: WAL recovery on start) and start again after `downMs`. */
  crashAndRestart(downMs: number): Promise<void>;
  destroy(): Promise<void>;
}

async function asPostgres(command: string, args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', path.join(binDir, command), ...args], { timeout: 60_000 });
}

export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'person-search-pg-'));
  const { uid, gid } = await run('id', ['-u', 'postgres']).then(async (u) => ({ uid: Number(u.stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) }));
  await chown(dir, uid, gid);
  const dataDir = path.join(dir, 'data');
  await asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // fsync off: the tests crash the server process, never the machine, so the OS still holds every write.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = () => asPostgres('pg_ctl', ['-D', dataDir, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  await start();
  const url = (name: string) => `postgresql://postgres@127.0.0.1:${port}/${name}`;

  async function query<T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  return {
    url,
    query,
    async createDatabase(name) {
      await query('postgres', `CREATE DATABASE ${name}`);
    },
    async crashAndRestart(downMs) {
      await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async destroy() {
      await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
