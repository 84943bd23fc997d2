// `migrate(target)`: the public entry to the migrator for an open Database or a
// raw driver connection (pg Pool/Client, PGlite).
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { defaultMigrationsDir } from './config';
import { runMigrations, type MigrateOptions, type MigrateResult } from './migrator';
import { sessionSourceOf, type Database } from './open-database';
import { pgliteSessionSource, pgSessionSource } from './sql-session';

export type MigrationTarget = Database | pg.Pool | pg.Client | PGlite;

export async function migrate(target: MigrationTarget, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const log = options.log ?? (() => undefined);
  if (target instanceof PGlite) return runMigrations(pgliteSessionSource(target), migrationsDir, log);
  if (target instanceof pg.Pool || target instanceof pg.Client) return runMigrations(pgSessionSource(target), migrationsDir, log);
  const sessions = sessionSourceOf(target);
  if (!sessions) throw new Error('migrate: the database was not opened with openDatabase()');
  return runMigrations(sessions, migrationsDir, log);
}
