/**
 * Test support: photos for model tests, letterboxed to the model input.
 * Real frames come from `../shared/data/mot17-mini` (skipped with a printed
 * reason when absent) and from a photo that ships inside an npm package, so
 * some real image is always available; never copied into the repo.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

/** The repository root (libs/model/src/lib/convert/testing → six levels up). */
export const repoRoot = path.resolve(import.meta.dirname, '../../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');

export interface TestImage {
  name: string;
  /** RGB 0..255 as float32, HWC (= NHWC with batch 1). */
  hwc: Float32Array;
  size: number;
}

/** Letterbox into size x size: keep aspect, anchor top-left, pad with black. */
export async function letterboxFile(file: string, size: number): Promise<Float32Array> {
  const { data } = await sharp(file)
    .resize(size, size, { fit: 'contain', position: 'left top', background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

/** A deterministic synthetic scene: gradients plus bright and dark blocks. */
export function syntheticImage(size: number): Float32Array {
  const hwc = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const block = (Math.floor(x / 64) + Math.floor(y / 96)) % 3;
      const offset = (y * size + x) * 3;
      hwc[offset] = (x * 255) / size;
      hwc[offset + 1] = block === 0 ? 30 : block === 1 ? 200 : (y * 255) / size;
      hwc[offset + 2] = ((x + y) * 97) % 256;
    }
  }
  return hwc;
}

export function mot17Frames(): { files: string[]; skipReason?: string } {
  const dir = path.join(sharedDir, 'data/mot17-mini/train');
  const files = ['MOT17-09-FRCNN/img1/000001.jpg', 'MOT17-05-FRCNN/img1/000001.jpg', 'MOT17-04-FRCNN/img1/000001.jpg'].map((file) => path.join(dir, file));
  const present = files.filter((file) => existsSync(file));
  return present.length > 0 ? { files: present } : { files: [], skipReason: `MOT17-mini frames not found under ${dir}` };
}

/** A group photo that ships with the `@vladmandic/human` package (a dependency of human-models). */
export function packagedPhoto(): { file?: string; skipReason?: string } {
  // The package's exports hide package.json, so look through the module search paths instead.
  const searchPaths = createRequire(import.meta.url).resolve.paths('@vladmandic/human') ?? [];
  const file = searchPaths.map((dir) => path.join(dir, '@vladmandic/human/assets/samples.jpg')).find((candidate) => existsSync(candidate));
  return file === undefined ? { skipReason: '@vladmandic/human/assets/samples.jpg not found in node_modules' } : { file };
}
