/**
 * Recognises TF's hard-swish, `Mul(Mul(c, x), Relu6(Add(x, 3)))` with
 * c ≈ 1/6 (operands in either order), and emits ONNX `HardSwish` (opset 14)
 * instead of four element-wise passes: onnxruntime's WASM build runs each
 * element-wise op as a separate pass over memory, and the decomposed form
 * cost ~8 % of the student's time there.
 *
 * The constant is kept exact: c·x·relu6(x+3) = 6c · HardSwish(x), so when
 * the stored c is not exactly 1/6 (float16 weights give 0.16668701) a scalar
 * Mul by 6c follows. Anything that does not match is left to the plain mappers.
 */
import type { ConvertedTensor, TfjsGraphConverter } from '../converter';
import type { TfNode } from '../tfjs-model';

/** The scalar value of a constant input, or undefined. */
function scalarInput(converter: TfjsGraphConverter, reference: string): number | undefined {
  const node = converter.tfNode(reference);
  if (node?.op !== 'Const') return undefined;
  const constant = converter.tensor(reference).constant;
  return constant !== undefined && constant.data.length === 1 && constant.dtype === 'float32' ? constant.data[0] : undefined;
}

/** `Add(x, 3)` / `Add(3, x)` → x's reference. */
function plusThreeOperand(converter: TfjsGraphConverter, node: TfNode | undefined): string | undefined {
  if (node === undefined || (node.op !== 'Add' && node.op !== 'AddV2') || node.input?.length !== 2) return undefined;
  const [a, b] = node.input as [string, string];
  if (scalarInput(converter, b) === 3) return a;
  if (scalarInput(converter, a) === 3) return b;
  return undefined;
}

/** `Mul(c, x)` / `Mul(x, c)` with a scalar constant c → [x's reference, c]. */
function scaledOperand(converter: TfjsGraphConverter, node: TfNode | undefined): [string, number] | undefined {
  if (node?.op !== 'Mul' || node.input?.length !== 2) return undefined;
  const [a, b] = node.input as [string, string];
  const cb = scalarInput(converter, b);
  if (cb !== undefined) return [a, cb];
  const ca = scalarInput(converter, a);
  return ca !== undefined ? [b, ca] : undefined;
}

/** Emits HardSwish for a matching `Mul` node and returns its value, or undefined when `node` is not a hard-swish. */
export function convertHardSwish(node: TfNode, converter: TfjsGraphConverter): ConvertedTensor | undefined {
  const inputs = node.input ?? [];
  if (inputs.length !== 2) return undefined;
  for (const [relu6Ref, scaledRef] of [inputs, [...inputs].reverse()] as [string, string][]) {
    const relu6 = converter.tfNode(relu6Ref);
    if (relu6?.op !== 'Relu6' || relu6.input?.length !== 1) continue;
    const shifted = plusThreeOperand(converter, converter.tfNode(relu6.input[0]!));
    const scaled = scaledOperand(converter, converter.tfNode(scaledRef));
    if (shifted === undefined || scaled === undefined || scaled[0] !== shifted) continue;
    const sixC = Math.fround(6 * scaled[1]);
    if (Math.abs(sixC - 1) > 1e-3) continue; // not hard-swish's 1/6
    const x = converter.tensor(shifted);
    if (x.dtype !== 'float32' || x.constant !== undefined) continue;
    const { graph } = converter;
    const input = x.layout === 'NCHW' ? converter.nchw(x) : converter.plain(x);
    const hardSwish = graph.op('HardSwish', [input], {}, sixC === 1 ? node.name : `${node.name}/HardSwish`);
    const y = sixC === 1 ? hardSwish : graph.op('Mul', [hardSwish, graph.scalar(`${node.name}/six_c`, sixC)], {}, node.name);
    return { dtype: x.dtype, shape: x.shape, layout: x.layout, onnxName: y };
  }
  return undefined;
}
