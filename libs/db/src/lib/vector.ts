// pgvector helpers for tagged `$queryRaw`: the `pgvector` text serialisation
// for parameters, the `vector(D)` cast that selects a model's HNSW expression
// index, and the transaction-local index-scan settings.
import pgvector from 'pgvector';
import { Prisma } from '../generated/prisma/client';
import type { DatabaseTransaction } from './tenant-scope';

/** pgvector's HNSW indexes vectors of up to 2,000 dimensions (also a CHECK on models.dimension). */
const MAX_INDEXED_DIMENSION = 2000;

/** Serialises an embedding for a query parameter (pgvector's `[x,y,…]` text form): `${toVectorSql(v)}::vector`. */
export function toVectorSql(embedding: Float32Array | readonly number[]): string {
  return pgvector.toSql(Array.from(embedding)) as string;
}

/** Parses a vector returned as text (e.g. `SELECT student_embedding::text`). */
export function fromVectorSql(text: string): Float32Array {
  return Float32Array.from(pgvector.fromSql(text) as number[]);
}

/**
 * The SQL type `vector(D)`. A model's HNSW index is on `(<role>_embedding::vector(D))`,
 * partial on `<role>_model_id`, so a query uses it only when it orders by
 * `<role>_embedding::${vectorType(D)} <=> ${query}::${vectorType(D)}` and filters
 * `<role>_model_id = ${modelId}`. A type modifier cannot be a bind parameter,
 * hence this validated raw fragment.
 */
export function vectorType(dimension: number): Prisma.Sql {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_INDEXED_DIMENSION) {
    throw new RangeError(`vector dimension must be an integer in 1..${MAX_INDEXED_DIMENSION}, got ${dimension}`);
  }
  return Prisma.raw(`vector(${dimension})`);
}

export interface VectorSearchSettings {
  /** Candidate list size of an HNSW scan (pgvector default 40); recall rises with it. */
  efSearch?: number;
  /**
   * pgvector ≥ 0.8: keep scanning the index until enough rows pass the filters
   * (tenant, gallery, time). `relaxed_order` may return rows slightly out of
   * order: re-sort in an outer query over a MATERIALIZED CTE.
   */
  iterativeScan?: 'off' | 'relaxed_order' | 'strict_order';
  /** Upper bound on tuples an iterative scan visits (pgvector default 20,000). */
  maxScanTuples?: number;
}

/** Applies HNSW scan settings for the rest of the current transaction only (SET LOCAL). */
export async function configureVectorSearch(tx: DatabaseTransaction, settings: VectorSearchSettings): Promise<void> {
  const values: [string, string][] = [];
  if (settings.efSearch !== undefined) values.push(['hnsw.ef_search', String(positiveInteger(settings.efSearch, 'efSearch'))]);
  if (settings.iterativeScan !== undefined) values.push(['hnsw.iterative_scan', settings.iterativeScan]);
  if (settings.maxScanTuples !== undefined) values.push(['hnsw.max_scan_tuples', String(positiveInteger(settings.maxScanTuples, 'maxScanTuples'))]);
  for (const [name, value] of values) {
    await tx.$queryRaw`SELECT set_config(${name}, ${value}, true)`;
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
