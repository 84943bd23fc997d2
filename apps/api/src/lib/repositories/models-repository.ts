// SQL for the model registry (global, not tenant-owned).
import type { DatabaseTransaction, Model, ModelRole } from '@person-search/db';

export interface ModelRegistration {
  id: string;
  version: string;
  role: ModelRole;
  dimension: number;
  sha256: string;
  /** A student's HNSW graph options (HNSW_M / HNSW_EF_CONSTRUCTION), used when its index is created. */
  graph: { m: number; efConstruction: number };
}

/** Registers the model and creates its HNSW index (run as the system: owner of the table). */
export async function registerModel(tx: DatabaseTransaction, model: ModelRegistration): Promise<string> {
  const rows = await tx.$queryRaw<{ index_name: string }[]>`
    SELECT register_embedding_model(${model.id}, ${model.version}, ${model.role}::model_role, ${model.dimension}::int, ${model.sha256},
                                    ${model.graph.m}::int, ${model.graph.efConstruction}::int) AS index_name`;
  return rows[0]!.index_name;
}

export function findModel(tx: DatabaseTransaction, id: string): Promise<Model | null> {
  return tx.model.findUnique({ where: { id } });
}
