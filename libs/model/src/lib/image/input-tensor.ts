/**
 * Turns images and crops into the float32 input tensor a manifest describes:
 * resize (stretch | letterbox; 2-tap bilinear or antialiased), colour order, ((pixel * scale) - mean) / std,
 * NCHW or NHWC. Returns the geometry so boxes can be mapped back.
 */
import type { ManifestInput } from '../manifest/manifest-schema.js';
import { cropRegion } from './box.js';
import { resampleAntialiased, resizeAntialiased } from './antialias.js';
import { columnTaps, rowTap } from './bilinear.js';
import { computeResizeGeometry, type ResizeGeometry } from './geometry.js';
import { assertValidImage, type Box, type RgbImage } from './rgb-image.js';

/** A float32 tensor as plain data; dims follow the manifest layout. */
export interface Float32Tensor {
  data: Float32Array;
  dims: number[];
}

export interface PreparedImage {
  tensor: Float32Tensor;
  geometry: ResizeGeometry;
}

function tensorDims(input: ManifestInput, batch: number): number[] {
  return input.layout === 'NCHW' ? [batch, 3, input.height, input.width] : [batch, input.height, input.width, 3];
}

/**
 * Writes one normalised image (region of `image`) into `target` starting at element `offset`.
 * One tight loop instead of per-pixel callbacks: this runs on every kiosk frame, and the
 * callback form cost 12-18 ms per 512x512 frame in Chromium. The arithmetic (and so every
 * value) is exactly sampleBilinear's followed by ((pixel * scale) - mean) / std.
 */
function writeRegion(image: RgbImage, region: Box, input: ManifestInput, target: Float32Array, offset: number): ResizeGeometry {
  const { width, height, layout, scale, mean, std } = input;
  const geometry = computeResizeGeometry(
    { width: region.x2 - region.x1, height: region.y2 - region.y1 },
    { width, height },
    input.resize,
  );
  const plane = width * height;
  // Element strides of the target layout.
  const [pixelStride, channelStride] = layout === 'NCHW' ? [1, plane] : [3, 1];
  const rowStride = width * pixelStride;
  // Output channel c reads source channel sourceChannel[c].
  const sourceChannel = input.colorOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const normalise = (pixel: number, channel: number) => (pixel * scale - mean[channel]!) / std[channel]!;
  if (input.resize.mode === 'letterbox') {
    const pad = input.resize.padValue;
    for (let c = 0; c < 3; c++) {
      const value = normalise(pad, c);
      if (layout === 'NCHW') target.fill(value, offset + c * plane, offset + (c + 1) * plane);
      else for (let i = c; i < 3 * plane; i += 3) target[offset + i] = value;
    }
  }

  const targetWidth = geometry.resized.width;
  const targetHeight = geometry.resized.height;
  if (input.resize.antialias) {
    const source = preShrunk(image, region, input.resize);
    const pixels = resampleAntialiased(source.image, source.region, targetWidth, targetHeight);
    for (let c = 0; c < 3; c++) {
      const channel = sourceChannel[c]!;
      for (let ty = 0; ty < targetHeight; ty++) {
        let index = offset + c * channelStride + (ty + geometry.offsetY) * rowStride + geometry.offsetX * pixelStride;
        let from = ty * targetWidth * 3 + channel;
        for (let tx = 0; tx < targetWidth; tx++, index += pixelStride, from += 3) target[index] = normalise(pixels[from]!, c);
      }
    }
    return geometry;
  }

  const { data, width: sourceWidth, height: sourceHeight, channels } = image;
  const { left, right, weightRight } = columnTaps(region, targetWidth, sourceWidth, channels);
  for (let c = 0; c < 3; c++) {
    const source = sourceChannel[c]!;
    const [meanC, stdC] = [mean[c]!, std[c]!];
    for (let ty = 0; ty < targetHeight; ty++) {
      const tap = rowTap(region, targetHeight, ty, sourceWidth, sourceHeight, channels);
      const top = tap.top + source;
      const bottom = tap.bottom + source;
      const wy = tap.weightBottom;
      let index = offset + c * channelStride + (ty + geometry.offsetY) * rowStride + geometry.offsetX * pixelStride;
      for (let tx = 0; tx < targetWidth; tx++, index += pixelStride) {
        const wx = weightRight[tx]!;
        const l = left[tx]!;
        const r = right[tx]!;
        const upper = data[top + l]! * (1 - wx) + data[top + r]! * wx;
        const lower = data[bottom + l]! * (1 - wx) + data[bottom + r]! * wx;
        target[index] = ((upper * (1 - wy) + lower * wy) * scale - meanC) / stdC;
      }
    }
  }
  return geometry;
}

/**
 * The source a resize starts from: `region` of `image`, or — when `sourceMaxHeight` is set and the
 * region is taller — that region already resized to that height (aspect kept, 8-bit), as a trainer's
 * decoded-crop cache holds it.
 */
function preShrunk(image: RgbImage, region: Box, resize: ManifestInput['resize']): { image: RgbImage; region: Box } {
  const maxHeight = resize.mode === 'stretch' ? resize.sourceMaxHeight : undefined;
  const regionHeight = region.y2 - region.y1;
  if (maxHeight === undefined || regionHeight <= maxHeight) return { image, region };
  const width = Math.max(1, Math.round(((region.x2 - region.x1) * maxHeight) / regionHeight));
  return { image: resizeAntialiased(image, region, width, maxHeight), region: { x1: 0, y1: 0, x2: width, y2: maxHeight } };
}

/** The whole image as a batch-of-one input tensor. */
export function prepareImage(image: RgbImage, input: ManifestInput): PreparedImage {
  assertValidImage(image);
  const dims = tensorDims(input, 1);
  const data = new Float32Array(3 * input.width * input.height);
  const geometry = writeRegion(image, { x1: 0, y1: 0, x2: image.width, y2: image.height }, input, data, 0);
  return { tensor: { data, dims }, geometry };
}

/**
 * A batch of crops (boxes in original pixels, clamped to the image) as one
 * input tensor [boxes.length, ...]. Crops follow input.resize like whole
 * images do (embedders usually say "stretch").
 */
export function prepareCrops(image: RgbImage, boxes: readonly Box[], input: ManifestInput): Float32Tensor {
  assertValidImage(image);
  const size = 3 * input.width * input.height;
  const data = new Float32Array(size * boxes.length);
  boxes.forEach((box, index) => {
    writeRegion(image, cropRegion(box, image.width, image.height), input, data, index * size);
  });
  return { data, dims: tensorDims(input, boxes.length) };
}

/** A copy of a crops tensor (manifest layout) with every crop mirrored left-right: the test-time flip. */
export function mirrorCrops(tensor: Float32Tensor, input: ManifestInput): Float32Tensor {
  const { width, layout } = input;
  const mirrored = new Float32Array(tensor.data.length);
  // One row of one crop: NCHW rows are `width` values of one channel; NHWC rows are `width` RGB triples.
  const [rowLength, pixel] = layout === 'NCHW' ? [width, 1] : [width * 3, 3];
  const rows = tensor.data.length / rowLength;
  for (let row = 0; row < rows; row++) {
    const base = row * rowLength;
    for (let x = 0; x < width; x++) {
      const from = base + x * pixel;
      const to = base + (width - 1 - x) * pixel;
      for (let c = 0; c < pixel; c++) mirrored[to + c] = tensor.data[from + c]!;
    }
  }
  return { data: mirrored, dims: [...tensor.dims] };
}
