// SQL for the model registry (global, not tenant-owned).
import { registerEmbeddingModelSql, type DatabaseTransaction, type Model, type ModelRole } from '@person-search/db';

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
  const rows = await tx.$queryRaw<{ index_name: string }[]>(registerEmbeddingModelSql(model));
  return rows[0]!.index_name;
}

export function findModel(tx: DatabaseTransaction, id: string): Promise<Model | null> {
  return tx.model.findUnique({ where: { id } });
}
