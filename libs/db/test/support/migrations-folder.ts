// The repository's migrations folder, and scratch copies of it that tests
// extend, edit or prune without touching the real one.
import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const migrationsDir = path.resolve(import.meta.dirname, '../../../../prisma/migrations');

export async function migrationNames(dir = migrationsDir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort();
}

export async function copyOfMigrations(): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), 'person-search-migrations-'));
  await cp(migrationsDir, copy, { recursive: true });
  return copy;
}
