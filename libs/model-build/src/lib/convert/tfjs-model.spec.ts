import { describe, expect, it } from 'vitest';
import { float16ToFloat32, parseTfjsGraphModel } from './tfjs-model';

describe('TF.js weights', () => {
  it('decodes IEEE half floats', () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16ToFloat32(0x7c00)).toBe(Infinity);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
  });

  it('reads float16, affine uint8 and plain int32 weights in manifest order', () => {
    const bytes = new Uint8Array(2 * 2 + 3 + 4);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0x3c00, true);
    view.setUint16(2, 0xbc00, true);
    bytes.set([0, 10, 255], 4);
    view.setInt32(7, -7, true);
    const model = parseTfjsGraphModel(
      {
        modelTopology: { node: [] },
        weightsManifest: [
          {
            paths: ['x.bin'],
            weights: [
              { name: 'half', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
              { name: 'byte', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
              { name: 'int', shape: [], dtype: 'int32' },
            ],
          },
        ],
      },
      bytes,
    );
    expect(Array.from(model.constants.get('half')!.data)).toEqual([1, -1]);
    expect(Array.from(model.constants.get('byte')!.data)).toEqual([-1, 4, 126.5]);
    expect(Array.from(model.constants.get('int')!.data)).toEqual([-7]);
  });

  it('refuses weight data whose length does not match the manifest', () => {
    const manifest = { modelTopology: { node: [] }, weightsManifest: [{ paths: ['x'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }] };
    expect(() => parseTfjsGraphModel(manifest, new Uint8Array(4))).toThrow(/needs bytes/);
    expect(() => parseTfjsGraphModel(manifest, new Uint8Array(12))).toThrow(/manifest describes 8/);
  });
});
