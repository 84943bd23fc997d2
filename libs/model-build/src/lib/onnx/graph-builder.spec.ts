import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, OnnxDataType, decodeOnnxModel, float } from './index';

const options = { opset: 17, producerName: 'test', producerVersion: '0' };

function tinyModel(): Uint8Array {
  const graph = new OnnxGraphBuilder('tiny');
  const x = graph.addInput('x', OnnxDataType.FLOAT, ['n', 3]);
  const bias = graph.addFloatTensor('bias', [3], [1, 2, 3]);
  const sum = graph.op('Add', [x, bias]);
  const leaky = graph.op('LeakyRelu', [sum], { alpha: float(0.5) });
  graph.addOutput(leaky, 'y', OnnxDataType.FLOAT, ['n', 3]);
  return graph.serialize(options);
}

describe('OnnxGraphBuilder', () => {
  it('writes a model that ONNX Runtime runs', async () => {
    const session = await ort.InferenceSession.create(tinyModel());
    const x = new ort.Tensor('float32', Float32Array.from([-4, 0, 1, 0, 0, 0]), [2, 3]);
    const { y } = await session.run({ x });
    expect(Array.from(y!.data as Float32Array)).toEqual([-1.5, 2, 4, 1, 2, 3]);
    expect(y!.dims).toEqual([2, 3]);
  });

  it('is deterministic and round-trips through the protobuf schema', () => {
    const bytes = tinyModel();
    expect(Buffer.from(tinyModel()).equals(Buffer.from(bytes))).toBe(true);
    const model = decodeOnnxModel(bytes);
    expect(model.opsetImport).toEqual([{ domain: '', version: 17 }]);
    expect(model.graph.node.map((node) => node.opType)).toEqual(['Add', 'LeakyRelu', 'Identity']);
    expect(model.graph.initializer[0]!.dims).toEqual([3]);
  });

  it('makes clashing names unique and rejects non-integer INT attributes', () => {
    const graph = new OnnxGraphBuilder('names');
    expect(graph.uniqueName('a')).toBe('a');
    expect(graph.uniqueName('a')).not.toBe('a');
    expect(() => graph.op('Foo', [], { k: 0.5 })).toThrow(/float\(\)/);
  });
});
