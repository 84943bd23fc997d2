// schema.prisma (what the typed client believes) and the migrated database
// (what the SQL migrations built) must agree on every table, column, type,
// nullability and enum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/index';
import { backends, reportBackends, type TestDatabase } from './support/backends';
import { readDeclaredSchema, type DeclaredColumn } from './support/prisma-schema';

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

beforeAll(() => reportBackends('schema agreement'));

describe.each(backends)('schema.prisma vs the migrated database on $name', (backend) => {
  let testDatabase: TestDatabase;
  let database: Database;
  const declared = readDeclaredSchema();

  beforeAll(async () => {
    testDatabase = await backend.createDatabase();
    database = await testDatabase.open();
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  async function actualTables(): Promise<Map<string, DeclaredColumn[]>> {
    const rows = await database.asSystem(
      (tx) => tx.$queryRaw<ColumnRow[]>`
        SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable
        FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        JOIN pg_class r ON r.oid = format('%I.%I', c.table_schema, c.table_name)::regclass
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> '_prisma_migrations'
          AND NOT r.relispartition -- a partition (detections_shared, an isolated tenant's) is storage of its parent
        ORDER BY c.table_name, c.ordinal_position`,
    );
    const tables = new Map<string, DeclaredColumn[]>();
    for (const row of rows) {
      const columns = tables.get(row.table_name) ?? [];
      columns.push({ name: row.column_name, dataType: row.data_type, udtName: row.udt_name, nullable: row.is_nullable === 'YES' });
      tables.set(row.table_name, columns);
    }
    return tables;
  }

  it('declares exactly the tables the migrations create', async () => {
    const actual = await actualTables();
    expect([...actual.keys()].sort()).toEqual([...declared.tables.keys()].sort());
    expect(declared.tables.size).toBeGreaterThanOrEqual(8);
  });

  it('agrees on every column: name, type and nullability', async () => {
    const actual = await actualTables();
    for (const [table, declaredColumns] of declared.tables) {
      const byName = (columns: DeclaredColumn[]) => [...columns].sort((a, b) => a.name.localeCompare(b.name));
      expect({ table, columns: byName(actual.get(table) ?? []) }).toEqual({ table, columns: byName(declaredColumns) });
    }
  });

  it('agrees on every enum and its labels', async () => {
    const rows = await database.asSystem(
      (tx) => tx.$queryRaw<{ name: string; labels: string[] }[]>`
        SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = current_schema() GROUP BY t.typname ORDER BY t.typname`,
    );
    expect(new Map(rows.map((row) => [row.name, row.labels]))).toEqual(declared.enums);
  });
});
