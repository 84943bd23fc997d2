// Deterministic test embeddings: a seeded PRNG, Gaussian clusters (re-ID
// embeddings of the same person cluster together), and exact cosine maths.

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box–Muller. */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A Float32Array of `dimension` standard normal values. */
export function randomVector(normal: () => number, dimension: number): Float32Array {
  return Float32Array.from({ length: dimension }, normal);
}

/** `count` points around `centers`, each centre plus Gaussian noise of standard deviation `spread`. */
export function clusteredVectors(normal: () => number, centers: Float32Array[], count: number, spread: number): Float32Array[] {
  return Array.from({ length: count }, (_, index) => {
    const center = centers[index % centers.length]!;
    return center.map((value) => value + spread * normal());
  });
}

/** Cosine distance 1 − a·b / (|a||b|), in float64, as pgvector's `<=>` computes it. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(normA * normB);
}
