// Applies pending SQL migrations, each in its own transaction, and records them
// in `_prisma_migrations` with Prisma's columns and checksums so that
// `prisma migrate deploy` sees the same history. Refuses to touch a database
// whose applied history no longer matches the migrations folder.
import { randomUUID } from 'node:crypto';
import { readMigrationFiles, scriptMatchesChecksum, type MigrationFile } from './migration-files';
import type { LockedSqlSession, SqlSessionSource } from './sql-session';

export interface MigrateOptions {
  /** Defaults to the repository's `prisma/migrations`. */
  migrationsDir?: string;
  log?: (message: string) => void;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call, in order; empty when up to date. */
  applied: string[];
}

/** Why the migrator refused or failed; `migration` names the migration at fault. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

interface AppliedMigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
}

// Prisma's own DDL for its history table (Postgres flavour), column for column.
const CREATE_HISTORY_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64) NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function runMigrations(source: SqlSessionSource, migrationsDir: string, log: (message: string) => void): Promise<MigrateResult> {
  const files = await readMigrationFiles(migrationsDir);
  return source.withMigrationLock(async (session) => {
    await session.exec(CREATE_HISTORY_TABLE);
    const history = await session.query<AppliedMigrationRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    );
    const appliedNames = checkHistory(history, files, migrationsDir);
    const pending = files.filter((file) => !appliedNames.has(file.name));
    const applied: string[] = [];
    for (const file of pending) {
      await applyMigration(session, file);
      log(`applied migration ${file.name}`);
      applied.push(file.name);
    }
    return { applied };
  });
}

/** Returns the names already applied; throws when the history and the folder disagree. */
function checkHistory(history: AppliedMigrationRow[], files: MigrationFile[], migrationsDir: string): Set<string> {
  const filesByName = new Map(files.map((file) => [file.name, file]));
  const applied = new Set<string>();
  for (const row of history) {
    if (row.rolled_back_at !== null) continue; // marked rolled back (prisma migrate resolve): may be re-applied
    if (row.finished_at === null) {
      throw new MigrationError(
        `migration ${row.migration_name} started but never finished (a failed \`prisma migrate deploy\`?); ` +
          `repair the database, then mark it with \`prisma migrate resolve\``,
        row.migration_name,
      );
    }
    const file = filesByName.get(row.migration_name);
    if (!file) {
      throw new MigrationError(
        `migration ${row.migration_name} is applied to the database but missing from ${migrationsDir}; ` +
          `restore the folder (migrations are never deleted once applied)`,
        row.migration_name,
      );
    }
    if (!scriptMatchesChecksum(file.script, row.checksum)) {
      throw new MigrationError(
        `migration ${row.migration_name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… ` +
          `in the database, ${file.checksum.slice(0, 12)}… on disk); revert the file and add a new migration instead`,
        row.migration_name,
      );
    }
    applied.add(row.migration_name);
  }
  return applied;
}

async function applyMigration(session: LockedSqlSession, file: MigrationFile): Promise<void> {
  try {
    await session.transaction(async (tx) => {
      const startedAt = new Date();
      await tx.exec(file.script);
      // Recorded in the same transaction: the row exists exactly when the schema change does.
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
        [randomUUID(), file.checksum, file.name, startedAt],
      );
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${file.name} failed and was rolled back: ${reason}`, file.name, { cause: error });
  }
}
