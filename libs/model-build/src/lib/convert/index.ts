/**
 * TF.js graph model → ONNX. `convertTfjsGraphModel` produces a standalone
 * model whose inputs and outputs keep TF's names and NHWC order (what the
 * parity test compares); `createTfjsConverter` lets a builder (the default
 * student) convert only the part of a graph it needs into its own graph and
 * keep extending it.
 */
import { OnnxGraphBuilder, type Dim } from '../onnx';
import { TfjsGraphConverter, onnxDataTypeOf, type GraphInputBinding, type OpMapper } from './converter';
import { convMappers } from './ops/conv';
import { elementwiseMappers } from './ops/elementwise';
import { reduceResizeMappers } from './ops/reduce-resize';
import { shapeMappers } from './ops/shape-ops';
import type { TfjsGraphModel, TfNode } from './tfjs-model';

export { parseTfjsGraphModel, float16ToFloat32, type TfConstant, type TfjsGraphModel, type TfjsModelJson } from './tfjs-model';
export { TfjsGraphConverter, type ConvertedTensor, type GraphInputBinding } from './converter';
export { windowedOutputSize, spatialPadding } from './padding';

/** The opset every converted graph targets (RoiAlign-16, Resize-13, ReduceMean with attribute axes). */
export const CONVERTER_OPSET = 17;

export const supportedTfOps: Record<string, OpMapper> = { ...convMappers, ...elementwiseMappers, ...shapeMappers, ...reduceResizeMappers };

export function createTfjsConverter(model: TfjsGraphModel, graph: OnnxGraphBuilder, inputs: Record<string, GraphInputBinding>): TfjsGraphConverter {
  return new TfjsGraphConverter(model, graph, inputs, supportedTfOps);
}

/** The static shape a Placeholder declares (unknown sizes become -1). */
export function placeholderShape(node: TfNode): number[] {
  const dims = (node.attr?.['shape']?.shape as { dim?: Array<{ size?: string }> } | undefined)?.dim ?? [];
  return dims.map((dim) => Number(dim.size ?? -1));
}

export interface ConvertOptions {
  /** TF tensor names to expose as ONNX outputs (same names, TF's NHWC order). */
  outputs: string[];
  producerVersion?: string;
}

export function convertTfjsGraphModel(model: TfjsGraphModel, options: ConvertOptions): Uint8Array {
  const graph = new OnnxGraphBuilder('tfjs-graph');
  const inputs: Record<string, GraphInputBinding> = {};
  for (const node of model.nodes.filter((candidate) => candidate.op === 'Placeholder')) {
    const shape = placeholderShape(node);
    if (shape.some((size) => size < 0)) throw new Error(`placeholder ${node.name} needs a fully static shape, got [${shape.join(',')}]`);
    inputs[node.name] = { onnxName: graph.addInput(node.name, onnxDataTypeOf.float32, shape), layout: 'NHWC', shape };
  }
  const converter = createTfjsConverter(model, graph, inputs);
  for (const name of options.outputs) {
    const value = converter.tensor(name);
    const dims: Dim[] = converter.tfShape(value) ?? [];
    const declared = dims.length > 0 ? dims : [`${name}_rank_unknown`];
    graph.addOutput(converter.plain(value, name), name, onnxDataTypeOf[value.dtype], value.shape === undefined ? declared : dims);
  }
  return graph.serialize({ opset: CONVERTER_OPSET, producerName: '@person-search/model tfjs-to-onnx', producerVersion: options.producerVersion ?? '1' });
}
