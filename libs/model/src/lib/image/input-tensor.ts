/**
 * Turns images and crops into the float32 input tensor a manifest describes:
 * resize (stretch | letterbox), colour order, ((pixel * scale) - mean) / std,
 * NCHW or NHWC. Returns the geometry so boxes can be mapped back.
 */
import type { ManifestInput } from '../manifest/manifest-schema.js';
import { cropRegion } from './box.js';
import { sampleBilinear } from './bilinear.js';
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

/** Writes one normalised image (region of `image`) into `target` starting at element `offset`. */
function writeRegion(image: RgbImage, region: Box, input: ManifestInput, target: Float32Array, offset: number): ResizeGeometry {
  const { width, height, layout, scale, mean, std } = input;
  const geometry = computeResizeGeometry(
    { width: region.x2 - region.x1, height: region.y2 - region.y1 },
    { width, height },
    input.resize,
  );
  const plane = width * height;
  const bgr = input.colorOrder === 'BGR';
  const put = (x: number, y: number, channel: number, pixel: number) => {
    const value = (pixel * scale - mean[channel]!) / std[channel]!;
    const index = layout === 'NCHW' ? channel * plane + y * width + x : (y * width + x) * 3 + channel;
    target[offset + index] = value;
  };
  if (input.resize.mode === 'letterbox') {
    const pad = input.resize.padValue;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) put(x, y, c, pad);
    }
  }
  sampleBilinear(image, region, geometry.resized.width, geometry.resized.height, (x, y, r, g, b) => {
    const canvasX = x + geometry.offsetX;
    const canvasY = y + geometry.offsetY;
    put(canvasX, canvasY, 0, bgr ? b : r);
    put(canvasX, canvasY, 1, g);
    put(canvasX, canvasY, 2, bgr ? r : b);
  });
  return geometry;
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
