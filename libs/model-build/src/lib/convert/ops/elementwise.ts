/**
 * Element-wise ops: unary maths and activations, binary arithmetic and
 * comparisons with TF broadcasting, Cast, Identity, BiasAdd, and TF's
 * floor division / floor modulo (TF's hard-swish Mul chain becomes one
 * HardSwish, see hard-swish.ts). A binary op whose operand is an NCHW
 * activation is emitted in NCHW, with constant operands permuted to match.
 */
import type { ConvertedTensor, OpMapper, TfjsGraphConverter } from '../converter';
import { onnxDataTypeOf } from '../converter';
import { broadcastShapes, NHWC_TO_NCHW, permuteShape } from '../layout';
import { tfAttr, type TfDtype, type TfNode } from '../tfjs-model';
import { emitActivation } from './conv';
import { convertHardSwish } from './hard-swish';

function unary(onnxOp: string): OpMapper {
  return (node, converter) => {
    const x = converter.input(node, 0);
    const y = converter.graph.op(onnxOp, [nameInOwnLayout(converter, x)], {}, node.name);
    return [{ ...withoutConstant(x), onnxName: y }];
  };
}

function activation(kind: 'Relu6' | 'LeakyRelu'): OpMapper {
  return (node, converter) => {
    const x = converter.input(node, 0);
    return [{ ...withoutConstant(x), onnxName: emitActivation(converter, nameInOwnLayout(converter, x), kind, node) }];
  };
}

function nameInOwnLayout(converter: TfjsGraphConverter, x: ConvertedTensor): string {
  return x.layout === 'NCHW' ? converter.nchw(x) : converter.plain(x);
}

function withoutConstant(x: ConvertedTensor): ConvertedTensor {
  return { dtype: x.dtype, shape: x.shape, layout: x.layout };
}

/**
 * Brings both operands of a binary op into one layout and returns their ONNX
 * names, the layout and the output shape (in that layout).
 */
export function alignOperands(converter: TfjsGraphConverter, node: TfNode, a: ConvertedTensor, b: ConvertedTensor): { names: [string, string]; layout: 'NCHW' | 'plain'; shape: number[] | undefined } {
  const anyNchw = a.layout === 'NCHW' || b.layout === 'NCHW';
  if (!anyNchw) {
    const shape = a.shape && b.shape ? broadcastShapes(a.shape, b.shape) : undefined;
    return { names: [converter.plain(a, `${node.name}/a`), converter.plain(b, `${node.name}/b`)], layout: 'plain', shape };
  }
  const names = [a, b].map((operand, i) => toNchwOperand(converter, operand, `${node.name}/${i === 0 ? 'a' : 'b'}`)) as [string, string];
  const shapes = [a, b].map((operand) => nchwBroadcastShape(converter, operand));
  const shape = shapes[0] && shapes[1] ? broadcastShapes(shapes[0], shapes[1]) : undefined;
  return { names, layout: 'NCHW', shape };
}

/** The operand's shape as it will broadcast in NCHW (rank < 4 TF shapes are right-aligned in NHWC first). */
function nchwBroadcastShape(converter: TfjsGraphConverter, operand: ConvertedTensor): number[] | undefined {
  if (operand.layout === 'NCHW') return operand.shape;
  const tfShape = converter.tfShape(operand);
  if (tfShape === undefined) return undefined;
  if (tfShape.length === 0) return [];
  return permuteShape([...new Array<number>(4 - tfShape.length).fill(1), ...tfShape], NHWC_TO_NCHW);
}

function toNchwOperand(converter: TfjsGraphConverter, operand: ConvertedTensor, hint: string): string {
  if (operand.layout === 'NCHW') return converter.nchw(operand);
  const tfShape = converter.tfShape(operand);
  if (tfShape?.length === 0) return converter.plain(operand, hint);
  if (tfShape?.length === 4) return converter.nchw(operand, hint);
  if (operand.constant !== undefined && tfShape !== undefined && tfShape.length < 4) {
    // e.g. a per-channel [C] vector: view it as [1, 1, 1, C] (NHWC) and permute to [1, C, 1, 1].
    const padded = [...new Array<number>(4 - tfShape.length).fill(1), ...tfShape];
    return converter.nchw({ ...operand, shape: padded, constant: { ...operand.constant, shape: padded } }, hint);
  }
  throw new Error(`cannot broadcast a rank-${tfShape?.length ?? '?'} non-constant tensor against an NCHW activation (${hint})`);
}

function binary(onnxOp: string, outputDtype?: TfDtype): OpMapper {
  return (node, converter) => {
    const a = converter.input(node, 0);
    const b = converter.input(node, 1);
    const { names, layout, shape } = alignOperands(converter, node, a, b);
    const y = converter.graph.op(onnxOp, names, {}, node.name);
    return [{ dtype: outputDtype ?? a.dtype, shape, layout, onnxName: y }];
  };
}

/**
 * TF FloorDiv/FloorMod round towards -inf. ONNX Mod with fmod = 0 already
 * takes the divisor's sign (floor modulo) for integers; integer floor
 * division is then exact as (a - floormod(a, b)) / b. Floats use Floor(a / b).
 */
const floorMod: OpMapper = (node, converter) => {
  const a = converter.input(node, 0);
  const b = converter.input(node, 1);
  const { names, layout, shape } = alignOperands(converter, node, a, b);
  const { graph } = converter;
  let y: string;
  if (a.dtype === 'float32') {
    const quotient = graph.op('Floor', [graph.op('Div', names, {}, `${node.name}/div`)], {}, `${node.name}/floor`);
    y = graph.op('Sub', [names[0], graph.op('Mul', [quotient, names[1]], {}, `${node.name}/mul`)], {}, node.name);
  } else {
    y = graph.op('Mod', names, { fmod: 0 }, node.name);
  }
  return [{ dtype: a.dtype, shape, layout, onnxName: y }];
};

const floorDiv: OpMapper = (node, converter) => {
  const a = converter.input(node, 0);
  const b = converter.input(node, 1);
  const { names, layout, shape } = alignOperands(converter, node, a, b);
  const { graph } = converter;
  let y: string;
  if (a.dtype === 'float32') {
    y = graph.op('Floor', [graph.op('Div', names, {}, `${node.name}/div`)], {}, node.name);
  } else {
    const remainder = graph.op('Mod', names, { fmod: 0 }, `${node.name}/mod`);
    y = graph.op('Div', [graph.op('Sub', [names[0], remainder], {}, `${node.name}/sub`), names[1]], {}, node.name);
  }
  return [{ dtype: a.dtype, shape, layout, onnxName: y }];
};

const cast: OpMapper = (node, converter) => {
  const x = converter.input(node, 0);
  const dtype = tfAttr.dtype(node, 'DstT');
  const y = converter.graph.op('Cast', [nameInOwnLayout(converter, x)], { to: onnxDataTypeOf[dtype] }, node.name);
  return [{ dtype, shape: x.shape, layout: x.layout, onnxName: y }];
};

/** Identity keeps the value (and its constant data, so later ops can still read it). */
const identity: OpMapper = (node, converter) => [converter.input(node, 0)];

export const elementwiseMappers: Record<string, OpMapper> = {
  Identity: identity,
  Relu: unary('Relu'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Elu: unary('Elu'),
  Exp: unary('Exp'),
  Sqrt: unary('Sqrt'),
  Neg: unary('Neg'),
  Abs: unary('Abs'),
  Floor: unary('Floor'),
  Relu6: activation('Relu6'),
  LeakyRelu: activation('LeakyRelu'),
  Add: binary('Add'),
  AddV2: binary('Add'),
  BiasAdd: binary('Add'),
  Sub: binary('Sub'),
  Mul: (node, converter) => {
    const hardSwish = convertHardSwish(node, converter);
    return hardSwish ? [hardSwish] : binary('Mul')(node, converter);
  },
  RealDiv: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  Equal: binary('Equal', 'bool'),
  Greater: binary('Greater', 'bool'),
  Less: binary('Less', 'bool'),
  FloorDiv: floorDiv,
  FloorMod: floorMod,
  Cast: cast,
};
