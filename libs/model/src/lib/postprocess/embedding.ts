/**
 * Embedding maths and wire format. Embeddings are float32 vectors compared by
 * cosine similarity; on the wire they are base64 of little-endian float32.
 */
/** Returns a unit-length copy (a zero vector stays zero rather than becoming NaN). */
export function l2Normalize(vector: ArrayLike<number>): Float32Array {
  let sumOfSquares = 0;
  for (let i = 0; i < vector.length; i++) sumOfSquares += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sumOfSquares);
  const out = new Float32Array(vector.length);
  if (norm === 0) return out;
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / norm;
  return out;
}

/** Cosine similarity in [-1, 1]; 0 when either vector is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosineSimilarity: lengths differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** base64 of the vector as little-endian float32, whatever the host byte order. */
export function embeddingToBase64(embedding: Float32Array): string {
  const bytes = new Uint8Array(embedding.length * 4);
  const view = new DataView(bytes.buffer);
  embedding.forEach((value, i) => view.setFloat32(i * 4, value, true));
  let binary = '';
  // Chunked: String.fromCharCode(...bytes) overflows the stack for large vectors.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Inverse of embeddingToBase64. Bad input is the caller's (client's) fault,
 * not a model failure, so it throws a RangeError for the caller to map.
 */
export function embeddingFromBase64(encoded: string, expectedDimension?: number): Float32Array {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch (error) {
    throw new RangeError('embedding is not valid base64', { cause: error });
  }
  if (binary.length % 4 !== 0 || (expectedDimension !== undefined && binary.length !== expectedDimension * 4)) {
    const expected = expectedDimension === undefined ? 'a multiple of 4' : String(expectedDimension * 4);
    throw new RangeError(`embedding has ${binary.length} bytes; expected ${expected}`);
  }
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out = new Float32Array(binary.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
