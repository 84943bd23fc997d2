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

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** base64 of the vector as little-endian float32, whatever the host byte order. */
export function embeddingToBase64(embedding: Float32Array): string {
  let bytes: Uint8Array;
  if (LITTLE_ENDIAN_HOST) {
    bytes = new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength);
  } else {
    bytes = new Uint8Array(embedding.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < embedding.length; i++) view.setFloat32(i * 4, embedding[i]!, true);
  }
  return base64OfBytes(bytes);
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Two base64 characters per 12 bits, so the loop emits one table entry per 12 bits. */
const BASE64_PAIRS = Array.from({ length: 4096 }, (_, i) => BASE64_ALPHABET[i >> 6]! + BASE64_ALPHABET[i & 63]!);

/** Standard base64 with padding (what btoa gives), without btoa's per-character string round trip. */
function base64OfBytes(bytes: Uint8Array): string {
  let out = '';
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64_PAIRS[n >> 12]! + BASE64_PAIRS[n & 4095]!;
  }
  if (bytes.length - whole === 1) {
    const n = bytes[whole]! << 16;
    out += BASE64_PAIRS[n >> 12]! + '==';
  } else if (bytes.length - whole === 2) {
    const n = (bytes[whole]! << 16) | (bytes[whole + 1]! << 8);
    out += BASE64_PAIRS[n >> 12]! + BASE64_ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
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
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (LITTLE_ENDIAN_HOST) return new Float32Array(bytes.buffer);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(binary.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
