import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrationFiles, scriptMatchesChecksum, sha256Hex } from './migration-files';

describe('migration files', () => {
  const folders: string[] = [];
  afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

  it('reads migration folders in name order, skipping other entries, with SHA-256 checksums of the bytes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'migration-files-'));
    folders.push(dir);
    for (const [name, sql] of [['20260102000000_second', 'SELECT 2;\n'], ['20260101000000_first', 'SELECT 1;\n']]) {
      await mkdir(path.join(dir, name!));
      await writeFile(path.join(dir, name!, 'migration.sql'), sql!);
    }
    await mkdir(path.join(dir, '20260103000000_empty_folder'));
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');

    const files = await readMigrationFiles(dir);
    expect(files.map((file) => file.name)).toEqual(['20260101000000_first', '20260102000000_second']);
    // sha256("SELECT 1;\n"), computed independently with `printf 'SELECT 1;\n' | sha256sum`.
    expect(files[0]!.checksum).toBe('b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd');
  });

  it('matches a checksum across CRLF/LF checkouts but not across a real edit', () => {
    const lf = 'CREATE TABLE t (id int);\nSELECT 1;\n';
    const checksum = sha256Hex(lf);
    expect(scriptMatchesChecksum(lf, checksum)).toBe(true);
    expect(scriptMatchesChecksum(lf.replace(/\n/g, '\r\n'), checksum)).toBe(true);
    expect(scriptMatchesChecksum(`${lf}-- edited\n`, checksum)).toBe(false);
  });

  it('accepts the unpadded checksums an old Prisma engine recorded', () => {
    // sha256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824: bytes 0x0e and 0x04 lose their zero.
    expect(sha256Hex('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(scriptMatchesChecksum('hello', '2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9824')).toBe(true);
    expect(scriptMatchesChecksum('hello!', '2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9824')).toBe(false);
  });

  it('refuses a missing folder with its path', async () => {
    await expect(readMigrationFiles('/nonexistent/migrations')).rejects.toThrow('/nonexistent/migrations');
  });
});
