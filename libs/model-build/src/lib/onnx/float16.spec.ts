import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { float16ToFloat32 } from '../convert';
import { exactFloat16Bits } from './float16';
import { OnnxGraphBuilder } from './graph-builder';
import { OnnxDataType, decodeOnnxModel } from './proto';

describe('exact float16 storage', () => {
  it('encodes every finite float16 value back to its own bits', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16ToFloat32(bits);
      if (Number.isFinite(value)) expect(exactFloat16Bits(value), `bits ${bits.toString(16)}`).toBe(bits);
    }
    expect(exactFloat16Bits(-0)).toBe(0x8000);
  });

  it('refuses values float16 would round', () => {
    for (const value of [0.1, 1 / 3, 1 + 2 ** -11, 65520, 2 ** -25, Number.NaN, Infinity]) expect(exactFloat16Bits(value), String(value)).toBeUndefined();
  });

  it('stores exact-float16 initializers as FLOAT16 + Cast with identical results, and keeps the rest float32', async () => {
    const build = (float16Storage: boolean) => {
      const graph = new OnnxGraphBuilder('f16');
      const x = graph.addInput('x', OnnxDataType.FLOAT, [32]);
      const half = graph.addFloatTensor('half', [32], Float32Array.from({ length: 32 }, (_, i) => float16ToFloat32(0x3c00 + i * 37))); // exact float16 values
      const third = graph.addFloatTensor('third', [32], new Float32Array(32).fill(1 / 3)); // not exact
      graph.addOutput(graph.op('Add', [graph.op('Mul', [x, half]), third]), 'y', OnnxDataType.FLOAT, [32]);
      return graph.serialize({ opset: 17, producerName: 'test', producerVersion: '0', float16Storage });
    };
    const compact = build(true);
    const model = decodeOnnxModel(compact);
    expect(model.graph.initializer.map((tensor) => [tensor.name, tensor.dataType])).toEqual([
      ['half/float16', OnnxDataType.FLOAT16],
      ['third', OnnxDataType.FLOAT],
    ]);
    expect(model.graph.node[0]).toMatchObject({ opType: 'Cast', input: ['half/float16'], output: ['half'] });
    const x = new ort.Tensor('float32', Float32Array.from({ length: 32 }, (_, i) => i - 7.5), [32]);
    const [plain, stored] = await Promise.all([build(false), compact].map(async (bytes) => (await (await ort.InferenceSession.create(bytes)).run({ x })).y!.data));
    expect(Array.from(stored as Float32Array)).toEqual(Array.from(plain as Float32Array));
  });
});
