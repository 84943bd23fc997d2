// Reads migrations in Prisma's folder layout: `<dir>/<timestamp>_<name>/migration.sql`,
// applied in name order, each identified by the SHA-256 of its file (hex), the
// same checksum Prisma's migrate engine stores in `_prisma_migrations`.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface MigrationFile {
  /** The folder name, e.g. `20261128114500_init`; stored as `migration_name`. */
  name: string;
  script: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  checksum: string;
}

export async function readMigrationFiles(migrationsDir: string): Promise<MigrationFile[]> {
  if (!existsSync(migrationsDir)) throw new Error(`migrations folder not found: ${migrationsDir}`);
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const files: MigrationFile[] = [];
  for (const name of folders) {
    const file = path.join(migrationsDir, name, 'migration.sql');
    if (!existsSync(file)) continue;
    const bytes = await readFile(file);
    files.push({ name, script: bytes.toString('utf8'), checksum: sha256Hex(bytes) });
  }
  return files;
}

export function sha256Hex(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Whether a file still matches the checksum recorded when it was applied, by
 * Prisma's rules: a checkout that only changed line endings (CRLF ⇄ LF) still
 * matches, and a recorded checksum shorter than 64 characters is compared in
 * the unpadded hex an old Prisma engine wrote (prisma-engines#1887).
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')];
  const render = checksum.length === 64 ? sha256Hex : unpaddedSha256Hex;
  return variants.some((variant) => render(variant) === checksum);
}

function unpaddedSha256Hex(content: string): string {
  return Array.from(createHash('sha256').update(content).digest(), (byte) => byte.toString(16)).join('');
}
