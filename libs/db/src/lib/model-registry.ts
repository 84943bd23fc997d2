// Registration of embedding models: a row in the global `models` registry plus,
// for a student, the model's cosine HNSW index, both done by the SQL function
// register_embedding_model() (see the migrations) as the table owner.
import { Prisma } from '../generated/prisma/client';
import type { Database } from './open-database';

/**
 * A student's HNSW graph unless the caller passes another: pgvector's `m` / `ef_construction` at
 * 24 / 128 (its own defaults are 16 / 64), measured to keep recall@20 at 1.00 at 1M rows where 16 / 64
 * did not (docs/scale-out.md). The same defaults as register_embedding_model's own.
 */
export const DEFAULT_STUDENT_GRAPH: Readonly<{ m: number; efConstruction: number }> = { m: 24, efConstruction: 128 };

export interface EmbeddingModelRegistration {
  /** Model id, `[a-z0-9-]+` (the manifest id). */
  id: string;
  version: string;
  role: 'student' | 'teacher';
  /** Embedding length; fixed for the id once registered. */
  dimension: number;
  /** Hex SHA-256 of the model file. */
  sha256: string;
  /** A student's HNSW graph (default DEFAULT_STUDENT_GRAPH). Used when the index is created; an existing index keeps its graph. */
  graph?: { m: number; efConstruction: number };
}

/**
 * Registers a model (idempotent; a new version or sha256 updates the row, a
 * changed role or dimension is refused) and returns the name of its HNSW index:
 * students only (null for a teacher, whose vectors are read by id, never
 * searched). Creating the index scans the detections table once, under a write lock.
 */
export async function registerEmbeddingModel(database: Database, model: EmbeddingModelRegistration): Promise<{ indexName: string | null }> {
  const [row] = await database.asSystem((tx) => tx.$queryRaw<{ index_name: string | null }[]>(registerEmbeddingModelSql(model)));
  if (!row) throw new Error(`register_embedding_model returned no row for ${model.id}`);
  return { indexName: row.index_name };
}

/** The register_embedding_model call for `model` (one row, `index_name`), for callers already in a system transaction. */
export function registerEmbeddingModelSql(model: EmbeddingModelRegistration): Prisma.Sql {
  const graph = model.graph ?? DEFAULT_STUDENT_GRAPH;
  return Prisma.sql`
    SELECT register_embedding_model(${model.id}, ${model.version}, ${model.role}::model_role, ${model.dimension}::integer, ${model.sha256},
                                    ${graph.m}::integer, ${graph.efConstruction}::integer) AS index_name`;
}
