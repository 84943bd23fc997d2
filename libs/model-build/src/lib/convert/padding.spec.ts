import { describe, expect, it } from 'vitest';
import { spatialPadding, windowedOutputSize } from './padding';

describe('TF padding maths', () => {
  it('SAME with stride 1 pads (k-1)/2 on both sides', () => {
    expect(windowedOutputSize(128, 3, 1, 1, 'SAME')).toEqual({ outputSize: 128, padBefore: 1, padAfter: 1 });
    expect(windowedOutputSize(128, 5, 1, 1, 'SAME')).toEqual({ outputSize: 128, padBefore: 2, padAfter: 2 });
  });

  it('SAME with stride 2 on an even input puts the odd pad at the end (asymmetric)', () => {
    // out = ceil(512/2) = 256; total = (256-1)*2 + 3 - 512 = 1 → before 0, after 1.
    expect(windowedOutputSize(512, 3, 2, 1, 'SAME')).toEqual({ outputSize: 256, padBefore: 0, padAfter: 1 });
    // k = 5: total = 255*2 + 5 - 512 = 3 → 1 before, 2 after.
    expect(windowedOutputSize(512, 5, 2, 1, 'SAME')).toEqual({ outputSize: 256, padBefore: 1, padAfter: 2 });
  });

  it('SAME with stride 2 on an odd input is symmetric', () => {
    expect(windowedOutputSize(5, 3, 2, 1, 'SAME')).toEqual({ outputSize: 3, padBefore: 1, padAfter: 1 });
  });

  it('SAME never pads negatively (stride larger than kernel)', () => {
    expect(windowedOutputSize(8, 1, 2, 1, 'SAME')).toEqual({ outputSize: 4, padBefore: 0, padAfter: 0 });
  });

  it('SAME counts dilation in the effective kernel', () => {
    // effective kernel = (3-1)*2+1 = 5 → total 4.
    expect(windowedOutputSize(10, 3, 1, 2, 'SAME')).toEqual({ outputSize: 10, padBefore: 2, padAfter: 2 });
  });

  it('VALID and EXPLICIT', () => {
    expect(windowedOutputSize(7, 3, 2, 1, 'VALID')).toEqual({ outputSize: 3, padBefore: 0, padAfter: 0 });
    expect(windowedOutputSize(6, 3, 1, 1, 'EXPLICIT', [2, 0])).toEqual({ outputSize: 6, padBefore: 2, padAfter: 0 });
  });

  it('spatialPadding orders pads as ONNX wants: [top, left, bottom, right]', () => {
    expect(spatialPadding([6, 5], [3, 3], [2, 2], [1, 1], 'SAME')).toEqual({ pads: [0, 1, 1, 1], outputHeightWidth: [3, 3] });
  });
});
