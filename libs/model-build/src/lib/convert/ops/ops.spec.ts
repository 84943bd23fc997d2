/**
 * Op mappings checked on tiny hand-built TF graphs: each converted graph runs
 * in ONNX Runtime and is compared with a naive NHWC reference written here.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeOnnxModel } from '../../onnx';
import { convertTfjsGraphModel } from '../index';
import type { TfAttrValue, TfConstant, TfjsGraphModel, TfNode } from '../tfjs-model';

const ints = (values: number[]): TfAttrValue => ({ list: { i: values.map(String) } });
const str = (value: string): TfAttrValue => ({ s: btoa(value) });
const strs = (values: string[]): TfAttrValue => ({ list: { s: values.map((value) => btoa(value)) } });

function floats(shape: number[], seed: number): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  // Small deterministic values with both signs.
  return Float32Array.from({ length: count }, (_, i) => (((i * 37 + seed * 11) % 23) - 11) / 8);
}

async function run(nodes: TfNode[], constants: Record<string, TfConstant>, input: Float32Array, inputShape: number[], outputs: string[]): Promise<ort.Tensor[]> {
  const model: TfjsGraphModel = {
    nodes: [{ name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: inputShape.map((size) => ({ size: String(size) })) } } } }, ...nodes],
    constants: new Map(Object.entries(constants)),
  };
  for (const name of Object.keys(constants)) model.nodes.push({ name, op: 'Const' });
  const session = await ort.InferenceSession.create(convertTfjsGraphModel(model, { outputs }));
  const result = await session.run({ x: new ort.Tensor('float32', input, inputShape) });
  return outputs.map((name) => result[name]!);
}

/** Naive NHWC convolution with explicit pads; depthwise when `multiplier` is set. */
function referenceConv(
  x: Float32Array, [, h, w, c]: number[], filter: Float32Array, [kh, kw, , fo]: number[],
  stride: number, [padTop, padLeft]: [number, number], [oh, ow]: [number, number], multiplier?: number,
): Float32Array {
  const outChannels = multiplier === undefined ? fo! : c! * multiplier;
  const out = new Float32Array(oh * ow * outChannels);
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let o = 0; o < outChannels; o++) {
    let sum = 0;
    for (let ky = 0; ky < kh!; ky++) for (let kx = 0; kx < kw!; kx++) {
      const iy = oy * stride + ky - padTop;
      const ix = ox * stride + kx - padLeft;
      if (iy < 0 || ix < 0 || iy >= h! || ix >= w!) continue;
      if (multiplier === undefined) {
        for (let i = 0; i < c!; i++) sum += x[(iy * w! + ix) * c! + i]! * filter[((ky * kw! + kx) * c! + i) * fo! + o]!;
      } else {
        const channel = Math.floor(o / multiplier);
        sum += x[(iy * w! + ix) * c! + channel]! * filter[((ky * kw! + kx) * c! + channel) * multiplier + (o % multiplier)]!;
      }
    }
    out[(oy * ow + ox) * outChannels + o] = sum;
  }
  return out;
}

function expectClose(actual: ort.Tensor, expected: Float32Array, tolerance = 1e-4): void {
  const data = actual.data as Float32Array;
  expect(data.length).toBe(expected.length);
  for (let i = 0; i < data.length; i++) expect(Math.abs(data[i]! - expected[i]!), `element ${i}`).toBeLessThan(tolerance);
}

describe('op mappings', () => {
  it('_FusedConv2D: HWIO weights, stride-2 SAME (asymmetric pads), BiasAdd + Relu6', async () => {
    const inputShape = [1, 6, 6, 2];
    const x = floats(inputShape, 1).map((v) => v * 4);
    const filterShape = [3, 3, 2, 3];
    const filter = floats(filterShape, 2);
    const bias = Float32Array.from([0.5, -0.25, 1]);
    const conv: TfNode = {
      name: 'conv', op: '_FusedConv2D', input: ['x', 'w', 'b'],
      attr: { strides: ints([1, 2, 2, 1]), padding: str('SAME'), fused_ops: strs(['BiasAdd', 'Relu6']), data_format: str('NHWC') },
    };
    const [y] = await run([conv], { w: { dtype: 'float32', shape: filterShape, data: filter }, b: { dtype: 'float32', shape: [3], data: bias } }, x, inputShape, ['conv']);
    // TF SAME for 6 → 3 with k = 3, s = 2: total pad 1, all of it after (top/left pad 0).
    const expected = referenceConv(x, inputShape, filter, filterShape, 2, [0, 0], [3, 3]).map((v, i) => Math.min(6, Math.max(0, v + bias[i % 3]!)));
    expect(y!.dims).toEqual([1, 3, 3, 3]);
    expectClose(y!, expected);
  });

  it('FusedDepthwiseConv2dNative: channel multiplier 2, 5x5 SAME, LeakyRelu', async () => {
    const inputShape = [1, 5, 4, 2];
    const x = floats(inputShape, 3);
    const filterShape = [5, 5, 2, 2];
    const filter = floats(filterShape, 4);
    const bias = new Float32Array(4);
    const conv: TfNode = {
      name: 'dw', op: 'FusedDepthwiseConv2dNative', input: ['x', 'w', 'b'],
      attr: { strides: ints([1, 1, 1, 1]), padding: str('SAME'), fused_ops: strs(['BiasAdd', 'LeakyRelu']), leakyrelu_alpha: { f: 0.1 } },
    };
    const [y] = await run([conv], { w: { dtype: 'float32', shape: filterShape, data: filter }, b: { dtype: 'float32', shape: [4], data: bias } }, x, inputShape, ['dw']);
    const expected = referenceConv(x, inputShape, filter, filterShape, 1, [2, 2], [5, 4], 2).map((v) => (v < 0 ? 0.1 * v : v));
    expect(y!.dims).toEqual([1, 5, 4, 4]);
    expectClose(y!, expected);
  });

  it('ResizeBilinear without flags uses TF1 asymmetric sampling (x_in = x_out / scale)', async () => {
    const inputShape = [1, 2, 3, 1];
    const x = Float32Array.from([0, 1, 2, 10, 20, 30]);
    const resize: TfNode = { name: 'up', op: 'ResizeBilinear', input: ['x', 'size'], attr: { align_corners: { b: false }, half_pixel_centers: { b: false } } };
    const [y] = await run([resize], { size: { dtype: 'int32', shape: [2], data: Int32Array.from([4, 6]) } }, x, inputShape, ['up']);
    const expected = new Float32Array(24);
    for (let oy = 0; oy < 4; oy++) for (let ox = 0; ox < 6; ox++) {
      const sy = oy / 2; const sx = ox / 2;
      const y0 = Math.floor(sy); const x0 = Math.floor(sx);
      const y1 = Math.min(y0 + 1, 1); const x1 = Math.min(x0 + 1, 2);
      const at = (yy: number, xx: number): number => x[yy * 3 + xx]!;
      const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * (sx - x0);
      const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * (sx - x0);
      expected[oy * 6 + ox] = top + (bottom - top) * (sy - y0);
    }
    expectClose(y!, expected);
  });

  it('Mean over H,W with keep_dims, ConcatV2 on the channel axis, then a per-channel Mul', async () => {
    const inputShape = [1, 2, 2, 2];
    const x = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    const nodes: TfNode[] = [
      { name: 'mean', op: 'Mean', input: ['x', 'axes'], attr: { keep_dims: { b: true } } },
      { name: 'cat', op: 'ConcatV2', input: ['mean', 'mean', 'axis'] },
      { name: 'scaled', op: 'Mul', input: ['cat', 'gain'] },
    ];
    const [y] = await run(
      nodes,
      {
        axes: { dtype: 'int32', shape: [2], data: Int32Array.from([1, 2]) },
        axis: { dtype: 'int32', shape: [], data: Int32Array.from([3]) },
        gain: { dtype: 'float32', shape: [4], data: Float32Array.from([1, 2, 3, 4]) },
      },
      x, inputShape, ['scaled'],
    );
    expect(y!.dims).toEqual([1, 1, 1, 4]);
    expectClose(y!, Float32Array.from([2.5, 50, 7.5, 100]));
  });

  it('a spatial Mean of an NCHW activation becomes GlobalAveragePool', async () => {
    const inputShape = [1, 2, 3, 2];
    const x = Float32Array.from({ length: 12 }, (_, i) => i * i);
    const weights: TfConstant = { dtype: 'float32', shape: [1, 1, 2, 2], data: Float32Array.from([1, 0, 0, 2]) }; // channel 1 doubled
    const model: TfjsGraphModel = {
      nodes: [
        { name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: inputShape.map((size) => ({ size: String(size) })) } } } },
        { name: 'w', op: 'Const' },
        { name: 'axes', op: 'Const' },
        { name: 'conv', op: 'Conv2D', input: ['x', 'w'], attr: { strides: ints([1, 1, 1, 1]), padding: str('VALID') } },
        { name: 'mean', op: 'Mean', input: ['conv', 'axes'], attr: { keep_dims: { b: true } } },
      ],
      constants: new Map([['w', weights], ['axes', { dtype: 'int32', shape: [2], data: Int32Array.from([1, 2]) }]]),
    };
    const bytes = convertTfjsGraphModel(model, { outputs: ['mean'] });
    expect(decodeOnnxModel(bytes).graph.node.map((node) => node.opType)).toContain('GlobalAveragePool');
    const y = (await (await ort.InferenceSession.create(bytes)).run({ x: new ort.Tensor('float32', x, inputShape) })).mean!;
    expect(y.dims).toEqual([1, 1, 1, 2]);
    const mean = (channel: number) => x.filter((_, i) => i % 2 === channel).reduce((a, b) => a + b, 0) / 6;
    expectClose(y, Float32Array.from([mean(0), 2 * mean(1)]));
  });

  it('CenterNet-style decoding: Reshape of an NCHW value keeps NHWC order; TopKV2, FloorDiv/FloorMod, StridedSlice', async () => {
    const inputShape = [1, 2, 3, 2];
    // value = row*100 + col*10 + channel, so flat NHWC index i has a recognisable value.
    const x = Float32Array.from({ length: 12 }, (_, i) => Math.floor(i / 6) * 100 + (Math.floor(i / 2) % 3) * 10 + (i % 2));
    const nodes: TfNode[] = [
      { name: 'relu', op: 'Relu', input: ['x'] },
      { name: 'flat', op: 'Reshape', input: ['relu', 'flat_shape'] },
      { name: 'top', op: 'TopKV2', input: ['flat', 'k'], attr: { sorted: { b: true } } },
      { name: 'pixel', op: 'FloorDiv', input: ['top:1', 'channels'] },
      { name: 'channel', op: 'FloorMod', input: ['top:1', 'channels'] },
      { name: 'negdiv', op: 'FloorDiv', input: ['minus7', 'channels'] },
      { name: 'negmod', op: 'FloorMod', input: ['minus7', 'channels'] },
      { name: 'first', op: 'StridedSlice', input: ['top', 'begin', 'end', 'stride'], attr: { begin_mask: { i: '1' }, end_mask: { i: '1' }, shrink_axis_mask: { i: '2' } } },
    ];
    const int = (values: number[], shape = [values.length]): TfConstant => ({ dtype: 'int32', shape, data: Int32Array.from(values) });
    const [values, pixel, channel, negdiv, negmod, first] = await run(
      nodes,
      { flat_shape: int([1, -1]), k: int([3], []), channels: int([2], []), minus7: int([-7], []), begin: int([0, 0]), end: int([0, 1]), stride: int([1, 1]) },
      x, inputShape, ['top', 'pixel', 'channel', 'negdiv', 'negmod', 'first'],
    );
    expect(Array.from(values!.data as Float32Array)).toEqual([121, 120, 111]);
    expect(Array.from(pixel!.data as Int32Array)).toEqual([5, 5, 4]);
    expect(Array.from(channel!.data as Int32Array)).toEqual([1, 0, 1]);
    expect(Array.from(negdiv!.data as Int32Array)).toEqual([-4]);
    expect(Array.from(negmod!.data as Int32Array)).toEqual([1]);
    expect(first!.dims).toEqual([1]);
    expect(Array.from(first!.data as Float32Array)).toEqual([121]);
  });

  it('turns TF hard-swish (c·x · relu6(x + 3)) into one HardSwish, keeping a float16 c exact', async () => {
    const scalar = (value: number): TfConstant => ({ dtype: 'float32', shape: [], data: Float32Array.from([value]) });
    const inputShape = [1, 2, 2, 3];
    const x = Float32Array.from({ length: 12 }, (_, i) => (i - 6) * 0.9); // both saturated ends and the curve
    const hardSwishNodes = (prefix: string): TfNode[] => [
      { name: `${prefix}/mul`, op: 'Mul', input: [`${prefix}/c`, 'x'] },
      { name: `${prefix}/add`, op: 'AddV2', input: ['x', `${prefix}/three`] },
      { name: `${prefix}/relu6`, op: 'Relu6', input: [`${prefix}/add`] },
      { name: `${prefix}/out`, op: 'Mul', input: [`${prefix}/relu6`, `${prefix}/mul`] },
    ];
    const cases = { sixth: 1 / 6, half16: 0.16668701171875, notHardSwish: 0.5 }; // 0.1666870… = 1/6 in float16, as TF.js stores it
    const constants: Record<string, TfConstant> = {};
    for (const [prefix, c] of Object.entries(cases)) Object.assign(constants, { [`${prefix}/c`]: scalar(c), [`${prefix}/three`]: scalar(3) });
    const model: TfjsGraphModel = {
      nodes: [{ name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: inputShape.map((size) => ({ size: String(size) })) } } } }, ...Object.keys(cases).flatMap(hardSwishNodes), ...Object.keys(constants).map((name) => ({ name, op: 'Const' }))],
      constants: new Map(Object.entries(constants)),
    };
    const outputs = Object.keys(cases).map((prefix) => `${prefix}/out`);
    const bytes = convertTfjsGraphModel(model, { outputs });
    // Two of the three chains match; the third (c = 0.5) stays element-wise.
    expect(decodeOnnxModel(bytes).graph.node.filter((node) => node.opType === 'HardSwish')).toHaveLength(2);
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({ x: new ort.Tensor('float32', x, inputShape) });
    for (const [prefix, c] of Object.entries(cases)) {
      expectClose(result[`${prefix}/out`]!, x.map((v) => Math.fround(c) * v * Math.min(Math.max(v + 3, 0), 6)), 1e-5);
    }
  });

  it('refuses ops and fused activations it does not know, naming them', async () => {
    await expect(run([{ name: 'bad', op: 'Erf', input: ['x'] }], {}, new Float32Array(1), [1], ['bad'])).rejects.toThrow(/unsupported TF op Erf/);
    const conv: TfNode = { name: 'c', op: '_FusedConv2D', input: ['x', 'w'], attr: { strides: ints([1, 1, 1, 1]), padding: str('SAME'), fused_ops: strs(['FusedBatchNorm']) } };
    await expect(run([conv], { w: { dtype: 'float32', shape: [1, 1, 1, 1], data: Float32Array.from([1]) } }, new Float32Array(1), [1, 1, 1, 1], ['c'])).rejects.toThrow(/fused_ops \[FusedBatchNorm\]/);
  });
});
