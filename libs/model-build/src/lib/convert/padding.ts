/**
 * TensorFlow's padding rules for convolutions and pools, made explicit so the
 * ONNX graph carries concrete `pads` (TF `SAME` pads the extra row/column at
 * the end; `auto_pad` strings are avoided because not every ONNX Runtime
 * execution provider treats them alike).
 * Reference: tensorflow/core/framework/kernel_shape_util.cc (GetWindowedOutputSize).
 */

export type TfPadding = 'SAME' | 'VALID' | 'EXPLICIT';

export interface WindowedSize {
  outputSize: number;
  padBefore: number;
  padAfter: number;
}

/** Output size and padding of one spatial dimension. */
export function windowedOutputSize(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  padding: TfPadding,
  explicitPads: [number, number] = [0, 0],
): WindowedSize {
  const effectiveKernel = (kernelSize - 1) * dilation + 1;
  switch (padding) {
    case 'VALID':
      return { outputSize: Math.floor((inputSize - effectiveKernel) / stride) + 1, padBefore: 0, padAfter: 0 };
    case 'SAME': {
      const outputSize = Math.ceil(inputSize / stride);
      const padTotal = Math.max(0, (outputSize - 1) * stride + effectiveKernel - inputSize);
      const padBefore = Math.floor(padTotal / 2);
      return { outputSize, padBefore, padAfter: padTotal - padBefore };
    }
    case 'EXPLICIT': {
      const [padBefore, padAfter] = explicitPads;
      return {
        outputSize: Math.floor((inputSize + padBefore + padAfter - effectiveKernel) / stride) + 1,
        padBefore,
        padAfter,
      };
    }
  }
}

/** ONNX-ordered pads `[top, left, bottom, right]` plus the output size `[height, width]`. */
export function spatialPadding(
  inputHeightWidth: [number, number],
  kernelHeightWidth: [number, number],
  strides: [number, number],
  dilations: [number, number],
  padding: TfPadding,
  explicitPads: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ],
): { pads: [number, number, number, number]; outputHeightWidth: [number, number] } {
  const rows = windowedOutputSize(inputHeightWidth[0], kernelHeightWidth[0], strides[0], dilations[0], padding, explicitPads[0]);
  const cols = windowedOutputSize(inputHeightWidth[1], kernelHeightWidth[1], strides[1], dilations[1], padding, explicitPads[1]);
  return {
    pads: [rows.padBefore, cols.padBefore, rows.padAfter, cols.padAfter],
    outputHeightWidth: [rows.outputSize, cols.outputSize],
  };
}

export function parseTfPadding(value: string): TfPadding {
  if (value === 'SAME' || value === 'VALID' || value === 'EXPLICIT') return value;
  throw new Error(`unsupported TF padding ${value}`);
}
