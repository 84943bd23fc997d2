/**
 * Convolutions and pools: Conv2D, DepthwiseConv2dNative and their grappler
 * fused forms (`_FusedConv2D`, `FusedDepthwiseConv2dNative`: conv + BiasAdd
 * + activation), MaxPool and AvgPool. Weights are permuted from TF's HWIO /
 * HW-C-multiplier to ONNX's OIHW at conversion time and `SAME` padding is
 * written out as explicit, possibly asymmetric, pads.
 */
import { float } from '../../onnx';
import type { ConvertedTensor, OpMapper, TfjsGraphConverter } from '../converter';
import { permuteShape, transposeData } from '../layout';
import { parseTfPadding, spatialPadding } from '../padding';
import { tfAttr, type TfNode } from '../tfjs-model';

type Activation = 'Relu' | 'Relu6' | 'Elu' | 'LeakyRelu' | 'Sigmoid' | 'Tanh';
const activations = new Set<string>(['Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh']);

/** Emits `activation(x)`; LeakyRelu's slope comes from the node's `leakyrelu_alpha` (TF default 0.2). */
export function emitActivation(converter: TfjsGraphConverter, x: string, activation: Activation, node: TfNode): string {
  const { graph } = converter;
  const name = `${node.name}/${activation}`;
  switch (activation) {
    case 'Relu6':
      return graph.op('Clip', [x, graph.scalar(`${name}/min`, 0), graph.scalar(`${name}/max`, 6)], {}, name);
    case 'LeakyRelu':
      return graph.op('LeakyRelu', [x], { alpha: float(tfAttr.float(node, 'leakyrelu_alpha', 0.2)) }, name);
    default:
      return graph.op(activation, [x], {}, name);
  }
}

interface FusedOps {
  biasAdd: boolean;
  activation: Activation | undefined;
}

/** Reads `fused_ops` (e.g. ['BiasAdd', 'Relu6']); anything else is refused rather than silently dropped. */
function parseFusedOps(node: TfNode): FusedOps {
  const ops = tfAttr.strings(node, 'fused_ops');
  const [first, second, ...rest] = ops;
  if (rest.length > 0 || (first !== undefined && first !== 'BiasAdd') || (second !== undefined && !activations.has(second))) {
    throw new Error(`${node.op} ${node.name}: unsupported fused_ops [${ops.join(', ')}]`);
  }
  return { biasAdd: first === 'BiasAdd', activation: second as Activation | undefined };
}

function stridesAndDilations(node: TfNode): { strides: [number, number]; dilations: [number, number] } {
  if (tfAttr.string(node, 'data_format', 'NHWC') !== 'NHWC') throw new Error(`${node.op} ${node.name}: only NHWC is supported`);
  const strides = tfAttr.ints(node, 'strides', [1, 1, 1, 1]);
  const dilations = tfAttr.ints(node, 'dilations', [1, 1, 1, 1]);
  return { strides: [strides[1]!, strides[2]!], dilations: [dilations[1]!, dilations[2]!] };
}

function explicitPads(node: TfNode): [[number, number], [number, number]] {
  const pads = tfAttr.ints(node, 'explicit_paddings', []);
  // NHWC order: [N before, N after, H before, H after, W before, W after, C before, C after].
  return [
    [pads[2] ?? 0, pads[3] ?? 0],
    [pads[4] ?? 0, pads[5] ?? 0],
  ];
}

function convolution(node: TfNode, converter: TfjsGraphConverter, depthwise: boolean, fused: FusedOps): ConvertedTensor[] {
  const x = converter.input(node, 0);
  const filter = converter.constantInput(node, 1);
  const [kernelHeight, kernelWidth, inChannels, outOrMultiplier] = filter.shape as [number, number, number, number];
  const { strides, dilations } = stridesAndDilations(node);
  if (x.shape === undefined) throw new Error(`${node.op} ${node.name}: input shape must be known`);
  const [batch, , height, width] = x.layout === 'NCHW' ? x.shape : permuteShape(x.shape, [0, 3, 1, 2]);
  const { pads, outputHeightWidth } = spatialPadding(
    [height!, width!],
    [kernelHeight, kernelWidth],
    strides,
    dilations,
    parseTfPadding(tfAttr.string(node, 'padding')),
    explicitPads(node),
  );
  // HWIO → OIHW; depthwise [H, W, C, M] → [C, M, H, W], read as [C*M, 1, H, W] with group = C.
  const weights = transposeData(filter.data as Float32Array, filter.shape, depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1]);
  const outChannels = depthwise ? inChannels * outOrMultiplier : outOrMultiplier;
  const weightDims = depthwise ? [outChannels, 1, kernelHeight, kernelWidth] : [outChannels, inChannels, kernelHeight, kernelWidth];
  const { graph } = converter;
  const inputs = [converter.nchw(x), graph.addFloatTensor(`${node.name}/weights_oihw`, weightDims, weights)];
  if (fused.biasAdd) inputs.push(converter.plain(converter.input(node, 2), `${node.name}/bias`));
  let y = graph.op(
    'Conv',
    inputs,
    { kernel_shape: [kernelHeight, kernelWidth], strides, dilations, pads, group: depthwise ? inChannels : 1 },
    fused.activation === undefined ? node.name : `${node.name}/conv`,
  );
  if (fused.activation !== undefined) y = emitActivation(converter, y, fused.activation, node);
  return [{ dtype: 'float32', shape: [batch!, outChannels, ...outputHeightWidth], layout: 'NCHW', onnxName: y }];
}

function pool(onnxOp: 'MaxPool' | 'AveragePool'): OpMapper {
  return (node, converter) => {
    const x = converter.input(node, 0);
    const ksize = tfAttr.ints(node, 'ksize');
    const { strides } = stridesAndDilations(node);
    if (x.shape === undefined) throw new Error(`${node.op} ${node.name}: input shape must be known`);
    const [batch, channels, height, width] = x.layout === 'NCHW' ? x.shape : permuteShape(x.shape, [0, 3, 1, 2]);
    const kernel: [number, number] = [ksize[1]!, ksize[2]!];
    const { pads, outputHeightWidth } = spatialPadding([height!, width!], kernel, strides, [1, 1], parseTfPadding(tfAttr.string(node, 'padding')));
    // TF pools ignore padded cells: MaxPool pads with -inf in ONNX too, AveragePool needs count_include_pad = 0 (its default).
    const y = converter.graph.op(onnxOp, [converter.nchw(x)], { kernel_shape: kernel, strides, pads }, node.name);
    return [{ dtype: 'float32', shape: [batch!, channels!, ...outputHeightWidth], layout: 'NCHW', onnxName: y }];
  };
}

export const convMappers: Record<string, OpMapper> = {
  Conv2D: (node, converter) => convolution(node, converter, false, { biasAdd: false, activation: undefined }),
  DepthwiseConv2dNative: (node, converter) => convolution(node, converter, true, { biasAdd: false, activation: undefined }),
  _FusedConv2D: (node, converter) => convolution(node, converter, false, parseFusedOps(node)),
  FusedDepthwiseConv2dNative: (node, converter) => convolution(node, converter, true, parseFusedOps(node)),
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
};
