// A small reader of what schema.prisma declares about the database: tables
// (@@map), columns (@map), their Postgres types and nullability, and enums.
// Enough for this repository's schema style; relation fields (whose type is
// another model) have no column and are skipped.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const schemaPath = path.resolve(import.meta.dirname, '../../../../prisma/schema.prisma');

export interface DeclaredColumn {
  name: string;
  /** information_schema.columns.data_type */
  dataType: string;
  /** information_schema.columns.udt_name (distinguishes enums, vector and array element types) */
  udtName: string;
  nullable: boolean;
}

export interface DeclaredSchema {
  /** table name → columns */
  tables: Map<string, DeclaredColumn[]>;
  /** enum type name → labels */
  enums: Map<string, string[]>;
}

interface Block {
  kind: 'model' | 'enum';
  name: string;
  lines: string[];
}

const SCALARS: Record<string, { dataType: string; udtName: string }> = {
  String: { dataType: 'text', udtName: 'text' },
  Int: { dataType: 'integer', udtName: 'int4' },
  BigInt: { dataType: 'bigint', udtName: 'int8' },
  Float: { dataType: 'double precision', udtName: 'float8' },
  Boolean: { dataType: 'boolean', udtName: 'bool' },
  DateTime: { dataType: 'timestamp without time zone', udtName: 'timestamp' },
  Json: { dataType: 'jsonb', udtName: 'jsonb' },
  Bytes: { dataType: 'bytea', udtName: 'bytea' },
};

const NATIVE_TYPES: Record<string, { dataType: string; udtName: string }> = {
  Uuid: { dataType: 'uuid', udtName: 'uuid' },
  Real: { dataType: 'real', udtName: 'float4' },
  Timestamptz: { dataType: 'timestamp with time zone', udtName: 'timestamptz' },
  Text: { dataType: 'text', udtName: 'text' },
};

export function readDeclaredSchema(text = readFileSync(schemaPath, 'utf8')): DeclaredSchema {
  const blocks = parseBlocks(text);
  const enumDbNames = new Map(blocks.filter((b) => b.kind === 'enum').map((b) => [b.name, blockMap(b) ?? b.name]));
  const modelNames = new Set(blocks.filter((b) => b.kind === 'model').map((b) => b.name));

  const enums = new Map<string, string[]>();
  for (const block of blocks.filter((b) => b.kind === 'enum')) {
    enums.set(enumDbNames.get(block.name)!, block.lines.filter((line) => /^\w+$/.test(line)));
  }

  const tables = new Map<string, DeclaredColumn[]>();
  for (const block of blocks.filter((b) => b.kind === 'model')) {
    const columns: DeclaredColumn[] = [];
    for (const line of block.lines) {
      if (line.startsWith('@@')) continue;
      const field = /^(\w+)\s+(\w+)(\("[^"]*"\))?(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) throw new Error(`schema.prisma: cannot read field line in model ${block.name}: ${line}`);
      const [, fieldName, typeName, typeArgument, list, optional, attributes = ''] = field;
      if (modelNames.has(typeName!)) continue; // a relation, not a column
      const column = /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? fieldName!;
      const type = columnType(typeName!, typeArgument, /@db\.(\w+)/.exec(attributes)?.[1], enumDbNames);
      columns.push({
        name: column,
        dataType: list ? 'ARRAY' : type.dataType,
        udtName: list ? `_${type.udtName}` : type.udtName,
        nullable: optional !== undefined,
      });
    }
    tables.set(blockMap(block) ?? block.name, columns);
  }
  return { tables, enums };
}

function columnType(typeName: string, typeArgument: string | undefined, nativeType: string | undefined, enums: Map<string, string>) {
  if (typeName === 'Unsupported') return { dataType: 'USER-DEFINED', udtName: JSON.parse(typeArgument!.slice(1, -1)) as string };
  const enumName = enums.get(typeName);
  if (enumName) return { dataType: 'USER-DEFINED', udtName: enumName };
  if (nativeType) {
    const native = NATIVE_TYPES[nativeType];
    if (!native) throw new Error(`schema.prisma: native type @db.${nativeType} is not known to this reader; add it`);
    return native;
  }
  const scalar = SCALARS[typeName];
  if (!scalar) throw new Error(`schema.prisma: type ${typeName} is not known to this reader; add it`);
  return scalar;
}

function blockMap(block: Block): string | undefined {
  return block.lines.map((line) => /^@@map\("([^"]+)"\)/.exec(line)?.[1]).find((name) => name !== undefined);
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    const opening = /^(model|enum|generator|datasource)\s+(\w+)\s*\{$/.exec(line);
    if (opening) {
      current = opening[1] === 'model' || opening[1] === 'enum' ? { kind: opening[1], name: opening[2]!, lines: [] } : undefined;
      if (current) blocks.push(current);
      continue;
    }
    if (line === '}') {
      current = undefined;
      continue;
    }
    current?.lines.push(line);
  }
  return blocks;
}
