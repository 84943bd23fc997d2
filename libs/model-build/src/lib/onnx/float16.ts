/**
 * Exact float32 → float16 encoding, for storing weights that already are
 * float16 values (TF.js models often ship float16-quantised weights) in half
 * the bytes without changing a single value. Anything that would round
 * returns undefined: this is lossless storage, not quantisation.
 */

const MAX_FLOAT16 = 65504;
const MIN_NORMAL = 2 ** -14;

/** The IEEE binary16 bits of `value`, or undefined when float16 cannot hold it exactly. */
export function exactFloat16Bits(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === 0) return sign;
  if (magnitude > MAX_FLOAT16) return undefined;
  if (magnitude < MIN_NORMAL) {
    const mantissa = magnitude * 2 ** 24; // subnormal: multiples of 2^-24
    return Number.isInteger(mantissa) ? sign | mantissa : undefined;
  }
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent -= 1; // log2 can be off by one near powers of two
  if (2 ** (exponent + 1) <= magnitude) exponent += 1;
  const mantissa = (magnitude / 2 ** exponent - 1) * 1024;
  return Number.isInteger(mantissa) ? sign | ((exponent + 15) << 10) | mantissa : undefined;
}

/** float16 bits for every element, or undefined when any element is not exactly a float16. */
export function exactFloat16Array(values: Float32Array): Uint16Array | undefined {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const bits = exactFloat16Bits(values[i]!);
    if (bits === undefined) return undefined;
    out[i] = bits;
  }
  return out;
}
