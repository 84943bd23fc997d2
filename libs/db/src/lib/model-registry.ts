// Registration of embedding models: a row in the global `models` registry plus,
// for a student, the model's cosine HNSW index, both done by the SQL function
// register_embedding_model() (see the migrations) as the table owner.
import type { Database } from './open-database';

export interface EmbeddingModelRegistration {
  /** Model id, `[a-z0-9-]+` (the manifest id). */
  id: string;
  version: string;
  role: 'student' | 'teacher';
  /** Embedding length; fixed for the id once registered. */
  dimension: number;
  /** Hex SHA-256 of the model file. */
  sha256: string;
  /**
   * A student's HNSW graph: pgvector's `m` and `ef_construction` (default 24 / 128, measured to keep
   * recall@20 at 1.00 at 1M rows where 16 / 64 did not; docs/scale-out.md). Used when the index is
   * created; an existing index keeps its graph.
   */
  graph?: { m: number; efConstruction: number };
}

/**
 * Registers a model (idempotent; a new version or sha256 updates the row, a
 * changed role or dimension is refused) and returns the name of its HNSW index:
 * students only (null for a teacher, whose vectors are read by id, never
 * searched). Creating the index scans the detections table once, under a write lock.
 */
export async function registerEmbeddingModel(database: Database, model: EmbeddingModelRegistration): Promise<{ indexName: string | null }> {
  const [row] = await database.asSystem(
    (tx) => tx.$queryRaw<{ index_name: string | null }[]>`
      SELECT register_embedding_model(${model.id}, ${model.version}, ${model.role}::model_role, ${model.dimension}::integer, ${model.sha256},
                                      ${model.graph?.m ?? 24}::integer, ${model.graph?.efConstruction ?? 128}::integer) AS index_name`,
  );
  if (!row) throw new Error(`register_embedding_model returned no row for ${model.id}`);
  return { indexName: row.index_name };
}
