/**
 * A fixed, data-free projection for the student's embedding: a random ±1
 * matrix from a seeded integer PRNG, orthonormalised (Gram–Schmidt, in
 * float64) along its shorter side. When the projection widens the
 * descriptor (inputs ≤ outputs) its rows are orthonormal, so it is an exact
 * isometry: cosine similarities are preserved, nothing is lost, and the
 * embedding gets the size the manifest declares. Integer PRNG plus IEEE
 * add/multiply/divide/sqrt (all correctly rounded) make the bytes identical
 * on every build and platform.
 */

/** mulberry32: a tiny 32-bit PRNG with good statistical quality for this use. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Row-major [inputs, outputs] matrix for MatMul(x [N, inputs], P) → [N, outputs]. */
export function orthonormalProjection(inputs: number, outputs: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const vectorCount = Math.min(inputs, outputs);
  const length = Math.max(inputs, outputs);
  // Orthonormalise `vectorCount` random ±1 vectors of `length`: rows when widening, columns when narrowing.
  const vectors = Array.from({ length: vectorCount }, () => Float64Array.from({ length }, () => (next() & 1 ? 1 : -1)));
  for (let i = 0; i < vectorCount; i++) {
    const vector = vectors[i]!;
    for (let j = 0; j < i; j++) {
      const previous = vectors[j]!;
      let dot = 0;
      for (let k = 0; k < length; k++) dot += vector[k]! * previous[k]!;
      for (let k = 0; k < length; k++) vector[k]! -= dot * previous[k]!;
    }
    let norm = 0;
    for (let k = 0; k < length; k++) norm += vector[k]! * vector[k]!;
    norm = Math.sqrt(norm);
    if (norm < 1e-9) throw new Error(`projection vector ${i} is degenerate; choose another seed`);
    for (let k = 0; k < length; k++) vector[k]! /= norm;
  }
  const matrix = new Float32Array(inputs * outputs);
  for (let row = 0; row < inputs; row++) {
    for (let col = 0; col < outputs; col++) {
      matrix[row * outputs + col] = inputs <= outputs ? vectors[row]![col]! : vectors[col]![row]!;
    }
  }
  return matrix;
}
