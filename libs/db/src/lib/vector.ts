// pgvector text serialisation for tagged `$queryRaw` parameters. Embedding
// columns are dimensionless `vector`, so queries cast: `${toVectorSql(v)}::vector`.
import pgvector from 'pgvector';

/** Serialises an embedding for a query parameter (pgvector's `[x,y,…]` text form). */
export function toVectorSql(embedding: Float32Array | readonly number[]): string {
  return pgvector.toSql(Array.from(embedding)) as string;
}

/** Parses a vector returned as text (e.g. `SELECT student_embedding::text`). */
export function fromVectorSql(text: string): Float32Array {
  return Float32Array.from(pgvector.fromSql(text) as number[]);
}
