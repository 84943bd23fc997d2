// The migrator against real databases: applies from empty, is idempotent,
// records Prisma-compatible history, applies each migration in its own
// transaction, and refuses a folder that disagrees with the applied history.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MigrationError, type Database } from '../src/index';
import { backends, reportBackends, type TestDatabase } from './support/backends';
import { copyOfMigrations, migrationNames, migrationsDir } from './support/migrations-folder';
import { registerModel, seedTenant } from './support/seed';

interface HistoryRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

async function history(database: Database): Promise<HistoryRow[]> {
  return database.asSystem(
    (tx) => tx.$queryRaw<HistoryRow[]>`SELECT id, migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
                                       FROM _prisma_migrations ORDER BY migration_name`,
  );
}

async function tableExists(database: Database, table: string): Promise<boolean> {
  const [row] = await database.asSystem((tx) => tx.$queryRaw<{ found: boolean }[]>`SELECT to_regclass(${table}) IS NOT NULL AS found`);
  return row?.found ?? false;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

beforeAll(() => reportBackends('migrations'));

describe.each(backends)('migrations on $name', (backend) => {
  let testDatabase: TestDatabase;
  let database: Database;
  const scratchFolders: string[] = [];

  beforeAll(async () => {
    testDatabase = await backend.createDatabase();
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
    await Promise.all(scratchFolders.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('applies every migration from empty and records it as Prisma does', async () => {
    const applied: string[] = [];
    database = await testDatabase.open({ log: (message) => applied.push(message) });
    const expected = await migrationNames();
    expect(expected.length).toBeGreaterThan(0);
    expect(applied).toEqual(expect.arrayContaining(expected.map((name) => `applied migration ${name}`)));

    const rows = await history(database);
    expect(rows.map((row) => row.migration_name)).toEqual(expected);
    for (const row of rows) {
      const file = await readFile(path.join(migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('creates _prisma_migrations with exactly Prisma’s columns', async () => {
    const columns = await database.asSystem(
      (tx) => tx.$queryRaw<{ column_name: string; data_type: string; is_nullable: string }[]>`
        SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'checksum', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'migration_name', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'logs', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'started_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'applied_steps_count', data_type: 'integer', is_nullable: 'NO' },
    ]);
  });

  it('applies nothing on a second run, through migrate() and through a reopen', async () => {
    expect(await migrate(database)).toEqual({ applied: [] });
    await database.close();
    const messages: string[] = [];
    database = await testDatabase.open({ log: (message) => messages.push(message) });
    expect(messages.filter((message) => message.startsWith('applied migration'))).toEqual([]);
    expect(messages).toContain('database schema up to date');
  });

  it('migrates a bare driver connection (PGlite instance or pg Pool) the same way', async () => {
    const other = await backend.createDatabase();
    try {
      const { connection, close } = await other.openRawConnection();
      try {
        expect(await migrate(connection)).toEqual({ applied: await migrationNames() });
        expect(await migrate(connection)).toEqual({ applied: [] });
      } finally {
        await close();
      }
      // A Database opened afterwards finds the schema up to date.
      const messages: string[] = [];
      const reopened = await other.open({ log: (message) => messages.push(message) });
      await reopened.close();
      expect(messages).toContain('database schema up to date');
    } finally {
      await other.drop();
    }
  });

  it('rolls back a failing migration, keeps the ones before it, and names it', async () => {
    const before = await history(database);
    const dir = await copyOfMigrations();
    scratchFolders.push(dir);
    await addMigration(dir, '29991230000000_probe_ok', 'CREATE TABLE probe_ok (id integer);\n');
    await addMigration(dir, '29991231000000_probe_broken', 'CREATE TABLE probe_broken (id integer);\nSELECT 1 / 0;\n');

    const failure = migrate(database, { migrationsDir: dir });
    await expect(failure).rejects.toThrow(MigrationError);
    await expect(failure).rejects.toThrow(/29991231000000_probe_broken.*division by zero/);
    await expect(failure).rejects.toMatchObject({ migration: '29991231000000_probe_broken' });

    // Each migration has its own transaction: the good one stays, the broken one leaves no trace.
    expect(await tableExists(database, 'probe_ok')).toBe(true);
    expect(await tableExists(database, 'probe_broken')).toBe(false);
    const after = await history(database);
    expect(after.map((row) => row.migration_name)).toEqual([...before.map((row) => row.migration_name), '29991230000000_probe_ok']);

    // Fixing the broken migration lets it apply on the next run.
    await addMigration(dir, '29991231000000_probe_broken', 'CREATE TABLE probe_broken (id integer);\n');
    expect(await migrate(database, { migrationsDir: dir })).toEqual({ applied: ['29991231000000_probe_broken'] });
  });

  it('refuses a folder where an applied migration is missing, naming it', async () => {
    // The database now has the two probe migrations; the real folder lacks them.
    const refusal = migrate(database, { migrationsDir });
    await expect(refusal).rejects.toThrow(/29991230000000_probe_ok is applied to the database but missing/);
    await expect(refusal).rejects.toMatchObject({ migration: '29991230000000_probe_ok' });
  });

  it('refuses a tampered migration file (checksum mismatch), naming it, at open and in migrate()', async () => {
    const dir = await copyOfMigrations();
    scratchFolders.push(dir);
    await addMigration(dir, '29991230000000_probe_ok', 'CREATE TABLE probe_ok (id integer);\n');
    await addMigration(dir, '29991231000000_probe_broken', 'CREATE TABLE probe_broken (id integer);\n');
    const [first] = await migrationNames(dir);
    await appendFile(path.join(dir, first!, 'migration.sql'), '\n-- an edit after the fact\n');

    const refusal = migrate(database, { migrationsDir: dir });
    await expect(refusal).rejects.toThrow(new RegExp(`migration ${first} was modified after it was applied`));
    await expect(refusal).rejects.toMatchObject({ migration: first });

    // The same refusal when the platform starts against that folder.
    await database.close();
    await expect(testDatabase.open({ migrationsDir: dir })).rejects.toThrow(new RegExp(`migration ${first} was modified`));
    database = await testDatabase.open({ migrate: false });
  });
});

const PARTITIONING = '20261203150000_detections_by_tenant';

describe.each(backends)('partitioning detections by tenant on $name, over existing rows', (backend) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let scratch: string;

  beforeAll(async () => {
    testDatabase = await backend.createDatabase();
    // The schema as it was before the migration, with rows and a student model's HNSW index in it.
    scratch = await copyOfMigrations();
    const names = await migrationNames(scratch);
    for (const name of names.filter((name) => name >= PARTITIONING)) await rm(path.join(scratch, name), { recursive: true });
    database = await testDatabase.open({ migrationsDir: scratch });
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('keeps every row, adopts the HNSW graph without rebuilding it, and keeps RLS, grants and cascades on the parent', async () => {
    // The registration function of that schema (five arguments; later migrations add graph options).
    const [{ indexName }] = (await database.asSystem((tx) =>
      tx.$queryRaw<{ indexName: string }[]>`SELECT register_embedding_model('upgrade-student', '1.0.0', 'student'::model_role, 4, ${'0'.repeat(64)}) AS "indexName"`,
    )) as [{ indexName: string }];
    const a = await seedTenant(database, 'upgrade-a', 'upgrade-student', [1, 0, 0, 0]);
    const b = await seedTenant(database, 'upgrade-b', 'upgrade-student', [0, 1, 0, 0]);
    const indexOid = async (name: string) => (await database.asSystem((tx) => tx.$queryRaw<{ oid: number }[]>`SELECT ${name}::regclass::oid::int AS oid`))[0]!.oid;
    const graphBefore = await indexOid(indexName);

    const later = (await migrationNames()).filter((name) => name >= PARTITIONING);
    expect(later[0]).toBe(PARTITIONING);
    expect(await migrate(database, { migrationsDir })).toEqual({ applied: later });

    const [kinds] = await database.asSystem((tx) => tx.$queryRaw<{ parent: string; shared: boolean }[]>`
      SELECT (SELECT relkind::text FROM pg_class WHERE oid = 'detections'::regclass) AS parent,
             (SELECT relispartition FROM pg_class WHERE oid = 'detections_shared'::regclass) AS shared`);
    expect(kinds).toEqual({ parent: 'p', shared: true });
    // The same index (same relation, so the same graph) now serves the shared partition under the parent's index.
    const [adopted] = await database.asSystem((tx) => tx.$queryRaw<{ child: string; parent: string }[]>`
      SELECT inhrelid::regclass::text AS child, inhparent::regclass::text AS parent FROM pg_inherits WHERE inhrelid = ${graphBefore}::oid`);
    expect(adopted).toEqual({ child: `dshared_${indexName.slice('detections_'.length)}`, parent: indexName });
    // Rows, tenancy and the application role's access.
    expect(await database.asSystem((tx) => tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM detections ORDER BY id`)).toEqual(
      [{ id: a.detectionId }, { id: b.detectionId }].sort((x, y) => x.id.localeCompare(y.id)),
    );
    expect(await database.withTenant(a.tenantId, (tx) => tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM detections`)).toEqual([{ id: a.detectionId }]);
    await expect(database.withTenant(a.tenantId, (tx) => tx.$queryRaw`SELECT count(*) FROM detections_shared`)).rejects.toThrow(/permission denied/);
    // Foreign keys hold through the parent: deleting a gallery still removes its detections.
    await database.asSystem((tx) => tx.gallery.delete({ where: { tenantId_id: { tenantId: a.tenantId, id: a.galleryId } } }));
    expect(await database.asSystem((tx) => tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM detections`)).toEqual([{ id: b.detectionId }]);
    // Registering a new student model after the migration indexes every partition.
    const next = await registerModel(database, 'upgrade-student-2', 'student', 8);
    const children = await database.asSystem((tx) => tx.$queryRaw<{ child: string }[]>`SELECT inhrelid::regclass::text AS child FROM pg_inherits WHERE inhparent = ${next}::regclass`);
    expect(children).toHaveLength(1);
  });
});
