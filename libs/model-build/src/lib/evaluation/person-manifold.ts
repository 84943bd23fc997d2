/**
 * "Distance to the person manifold" (issue 9, fewer non-person boxes): a
 * re-ID space is trained on people only, so a box's embedding far from every
 * person prototype may mark a box that is not a person. Prototypes come from
 * person crops (per-identity means or spherical k-means centres, unit
 * length); a box's personness is the mean of its top-k cosines to them; a
 * rule drops or rescores boxes by personness. All vectors are embeddings
 * compared by cosine; personness is a cosine, in [-1, 1].
 */
import { mulberry32 } from '../default-models/random-projection.js';
export { quantile } from './statistics.js';
import type { ScoredBox } from './detection-metrics.js';

function unitLength(vector: ArrayLike<number>): Float32Array {
  let sumOfSquares = 0;
  for (let i = 0; i < vector.length; i++) sumOfSquares += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sumOfSquares);
  const out = new Float32Array(vector.length);
  if (norm > 0) for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / norm;
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** The unit-length mean of each label's embeddings (each embedding made unit first), labels in first-seen order. */
export function labelMeanPrototypes(embeddings: readonly ArrayLike<number>[], labels: readonly string[]): Float32Array[] {
  if (embeddings.length !== labels.length) throw new RangeError(`labelMeanPrototypes: ${embeddings.length} embeddings but ${labels.length} labels`);
  const sums = new Map<string, Float64Array>();
  embeddings.forEach((embedding, index) => {
    const label = labels[index]!;
    const sum = sums.get(label) ?? new Float64Array(embedding.length);
    const unit = unitLength(embedding);
    for (let i = 0; i < unit.length; i++) sum[i]! += unit[i]!;
    sums.set(label, sum);
  });
  return [...sums.values()].map(unitLength);
}

/** Seeded uniform [0, 1) from the project's mulberry32, so prototypes are the same on every run. */
function seededUnitRandom(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

export interface KMeansOptions {
  /** Lloyd iterations at most (stops early when no assignment changes). */
  iterations?: number;
  seed?: number;
}

/**
 * Spherical k-means: points and centres unit length, assignment by the
 * largest cosine, a centre is its members' unit-length mean. Seeded by
 * k-means++ with the distance 1 - cosine; a centre left without members
 * keeps its place.
 */
export function sphericalKMeans(embeddings: readonly ArrayLike<number>[], k: number, { iterations = 50, seed = 1 }: KMeansOptions = {}): Float32Array[] {
  if (k < 1 || k > embeddings.length) throw new RangeError(`sphericalKMeans: k = ${k} needs 1..${embeddings.length}`);
  const points = embeddings.map(unitLength);
  const random = seededUnitRandom(seed);
  const centres = [points[Math.floor(random() * points.length)]!];
  const distance = points.map((point) => 1 - dot(point, centres[0]!));
  while (centres.length < k) {
    const total = distance.reduce((sum, value) => sum + Math.max(0, value), 0);
    let pick = random() * total;
    let index = 0;
    while (index < points.length - 1 && pick >= Math.max(0, distance[index]!)) pick -= Math.max(0, distance[index++]!);
    // Every point already a centre (total 0): take the next one that is not.
    if (total === 0) index = points.findIndex((point) => !centres.includes(point));
    centres.push(points[index]!);
    points.forEach((point, i) => (distance[i] = Math.min(distance[i]!, 1 - dot(point, centres.at(-1)!))));
  }
  const assignment = new Int32Array(points.length).fill(-1);
  for (let iteration = 0; iteration < iterations; iteration++) {
    let changed = 0;
    points.forEach((point, i) => {
      const nearest = argMax(centres.map((centre) => dot(point, centre)));
      if (nearest !== assignment[i]) changed += 1;
      assignment[i] = nearest;
    });
    if (changed === 0) break;
    centres.forEach((centre, c) => {
      const sum = new Float64Array(centre.length);
      let members = 0;
      points.forEach((point, i) => {
        if (assignment[i] !== c) return;
        members += 1;
        for (let d = 0; d < point.length; d++) sum[d]! += point[d]!;
      });
      if (members > 0) centres[c] = unitLength(sum);
    });
  }
  return centres;
}

function argMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The mean of the `topK` largest cosines between `embedding` and the
 * (unit-length) prototypes: topK 1 is the cosine to the nearest prototype.
 */
export function personness(embedding: ArrayLike<number>, prototypes: readonly ArrayLike<number>[], topK = 1): number {
  if (topK < 1 || topK > prototypes.length) throw new RangeError(`personness: topK = ${topK} needs 1..${prototypes.length}`);
  const unit = unitLength(embedding);
  const cosines = prototypes.map((prototype) => dot(unit, prototype)).sort((a, b) => b - a);
  return cosines.slice(0, topK).reduce((sum, value) => sum + value, 0) / topK;
}

/**
 * How well a score separates two groups: the chance that a random member of `higher` scores above a
 * random member of `lower` (ties count half), i.e. the ROC AUC; 0.5 is no separation.
 */
export function separationAuc(higher: readonly number[], lower: readonly number[]): number {
  if (higher.length === 0 || lower.length === 0) throw new RangeError('separationAuc needs both groups');
  let wins = 0;
  for (const a of higher) for (const b of lower) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (higher.length * lower.length);
}

export interface PersonnessDetection extends ScoredBox {
  personness: number;
  /** Box height in model-input pixels; needed by the `drop-by-height` rule. */
  inputHeight?: number;
}

/** A threshold measured on people of one height (model-input pixels). */
export interface HeightThreshold {
  height: number;
  threshold: number;
}

/**
 * The threshold for a box `height` pixels tall: linear in log(height) between the two nearest
 * calibration heights (people at half the height differ as much at any scale), the end value outside.
 */
export function thresholdAtHeight(curve: readonly HeightThreshold[], height: number): number {
  if (curve.length === 0) throw new RangeError('thresholdAtHeight needs a calibration curve');
  const points = [...curve].sort((a, b) => a.height - b.height);
  if (height <= points[0]!.height) return points[0]!.threshold;
  if (height >= points.at(-1)!.height) return points.at(-1)!.threshold;
  const above = points.findIndex((point) => point.height >= height);
  const low = points[above - 1]!;
  const high = points[above]!;
  const along = Math.log(height / low.height) / Math.log(high.height / low.height);
  return low.threshold + along * (high.threshold - low.threshold);
}

/**
 * - `drop`: a box with personness below `threshold` is removed;
 * - `drop-by-height`: removed below the curve's threshold at the box's `inputHeight`;
 * - `ramp`: score x f(personness), f rising linearly from 0 at `low` to 1 at `high` (clamped), so a box
 *   at or above `high` keeps its score and one at or below `low` scores 0.
 */
export type PersonnessRule =
  | { kind: 'drop'; threshold: number }
  | { kind: 'drop-by-height'; curve: readonly HeightThreshold[] }
  | { kind: 'ramp'; low: number; high: number };

function keeps(detection: PersonnessDetection, rule: PersonnessRule): boolean {
  if (rule.kind === 'drop') return detection.personness >= rule.threshold;
  if (rule.kind === 'ramp') return true;
  if (detection.inputHeight === undefined) throw new RangeError('the drop-by-height rule needs each detection’s inputHeight');
  return detection.personness >= thresholdAtHeight(rule.curve, detection.inputHeight);
}

export function rampFactor(value: number, low: number, high: number): number {
  if (high <= low) return value >= high ? 1 : 0;
  return Math.min(1, Math.max(0, (value - low) / (high - low)));
}

/** The detections after `rule`, each with its new score; boxes scoring below `minScore` afterwards are removed (as the runtime's score threshold would). */
export function applyPersonnessRule<D extends PersonnessDetection>(detections: readonly D[], rule: PersonnessRule, minScore = 0): D[] {
  const rescored =
    rule.kind === 'ramp'
      ? detections.map((detection) => ({ ...detection, score: detection.score * rampFactor(detection.personness, rule.low, rule.high) }))
      : detections.filter((detection) => keeps(detection, rule));
  return rescored.filter((detection) => detection.score >= minScore && (rule.kind !== 'ramp' || detection.score > 0));
}
