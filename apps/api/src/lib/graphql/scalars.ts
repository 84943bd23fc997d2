// Custom scalars. Their parse errors surface as BAD_USER_INPUT with the
// variable path in the message (graphql-js adds it), so the field is named.
import { embeddingFromBase64, embeddingToBase64 } from '@person-search/model';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** Largest embedding accepted before any model check (a 4096-d float32 vector). */
const MAX_EMBEDDING_DIMENSION = 4096;

function inputError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw inputError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-01-31T12:00:00Z');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw inputError(`DateTime ${JSON.stringify(value)} is not a valid date`);
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw inputError('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

function parseEmbedding(value: unknown): Float32Array {
  if (typeof value !== 'string') throw inputError('Embedding must be a base64 string of little-endian float32 values');
  if (value.length === 0 || value.length > Math.ceil((MAX_EMBEDDING_DIMENSION * 4) / 3) * 4 + 4) {
    throw inputError(`Embedding must hold 1..${MAX_EMBEDDING_DIMENSION} float32 values`);
  }
  let embedding: Float32Array;
  try {
    embedding = embeddingFromBase64(value);
  } catch (error) {
    throw inputError(`Embedding ${(error as Error).message}`);
  }
  if (embedding.length === 0) throw inputError('Embedding is empty');
  if (!embedding.every(Number.isFinite)) throw inputError('Embedding holds a non-finite value (NaN or infinity)');
  return embedding;
}

export const EmbeddingScalar = new GraphQLScalarType<Float32Array, string>({
  name: 'Embedding',
  serialize: (value) => embeddingToBase64(value as Float32Array),
  parseValue: parseEmbedding,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw inputError('Embedding must be a string');
    return parseEmbedding(ast.value);
  },
});
