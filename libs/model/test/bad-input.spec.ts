/**
 * Bad input never crashes, hangs or returns garbage: every case below must
 * end in a ModelError with the right code and a message that says what is wrong.
 */
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelError, type ModelErrorCode, type RgbImage } from '../src/index.js';
import { decodeImage, loadStudent, loadTeacher } from '../src/node.js';
import { removeTinyPackages, tinyEmbedderBytes, writeTinyEmbedderPackage } from './support/tiny-models.js';

async function expectModelError(work: Promise<unknown>, code: ModelErrorCode, message: RegExp): Promise<void> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelError);
  expect((error as ModelError).code).toBe(code);
  expect((error as ModelError).message).toMatch(message);
}

/** A PNG with only a header (IHDR) claiming width x height: cheap to make, huge to decode. */
function headerOnlyPng(width: number, height: number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, body: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const out = Buffer.alloc(8 + body.length + 4);
    out.writeUInt32BE(body.length, 0);
    typed.copy(out, 4);
    out.writeUInt32BE(crc(typed), 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(0))), chunk('IEND', Buffer.alloc(0))]);
}

async function smallJpeg(): Promise<Buffer> {
  const pixels = Buffer.alloc(64 * 48 * 3).map((_, i) => (i * 7) % 256);
  return sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

describe('decodeImage', () => {
  it('decodes a JPEG to RGB and applies EXIF orientation', async () => {
    const jpeg = await smallJpeg();
    const image = await decodeImage(jpeg);
    expect([image.width, image.height, image.channels, image.data.length]).toEqual([64, 48, 3, 64 * 48 * 3]);
    const rotated = await decodeImage(await sharp(jpeg).withMetadata({ orientation: 6 }).toBuffer());
    expect([rotated.width, rotated.height]).toEqual([48, 64]);
  });

  it('rejects empty, non-image and truncated bytes with INVALID_IMAGE', async () => {
    await expectModelError(decodeImage(new Uint8Array()), 'INVALID_IMAGE', /empty/);
    await expectModelError(decodeImage(new TextEncoder().encode('<html>not an image</html>')), 'INVALID_IMAGE', /not a decodable image/);
    const jpeg = await smallJpeg();
    await expectModelError(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'INVALID_IMAGE', /truncated or corrupt\?\): .*premature end/);
  });

  it('rejects formats that are not photos (SVG) with INVALID_IMAGE', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expectModelError(decodeImage(svg), 'INVALID_IMAGE', /unsupported image format "svg"/);
  });

  it('rejects a zero-size image with INVALID_IMAGE', async () => {
    await expectModelError(decodeImage(headerOnlyPng(0, 10)), 'INVALID_IMAGE', /not a decodable image|zero size/);
  });

  it('rejects pixels over the limit from the header alone, before decoding', async () => {
    const started = performance.now();
    await expectModelError(decodeImage(headerOnlyPng(50_000, 50_000)), 'IMAGE_TOO_LARGE', /50000x50000 = 2500000000 pixels, over the limit of 40000000/);
    await expectModelError(decodeImage(await smallJpeg(), { maxPixels: 1000 }), 'IMAGE_TOO_LARGE', /64x48 = 3072 pixels/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('loading models', () => {
  afterAll(removeTinyPackages);

  it('loads a valid package and embeds crops (control case)', async () => {
    const teacher = await loadTeacher(await writeTinyEmbedderPackage(), { batchSize: 2 });
    const image: RgbImage = { data: new Uint8Array(20 * 10 * 3).map((_, i) => (i * 13) % 256), width: 20, height: 10, channels: 3 };
    const embeddings = await teacher.embedCrops(image, [
      { x1: 0, y1: 0, x2: 5, y2: 10 },
      { x1: 5, y1: 0, x2: 20, y2: 10 },
      { x1: -50, y1: -50, x2: 500, y2: 500 },
    ]);
    expect(embeddings.map((vector) => vector.length)).toEqual([4, 4, 4]);
    expect(embeddings.every((vector) => Math.abs(Math.hypot(...vector) - 1) < 1e-5)).toBe(true);
    await teacher.release();
  });

  it('rejects a manifest whose input name is not in the graph (MANIFEST_MISMATCH)', async () => {
    const dir = await writeTinyEmbedderPackage((manifest) => ((manifest['input'] as Record<string, unknown>)['name'] = 'image'));
    await expectModelError(loadTeacher(dir), 'MANIFEST_MISMATCH', /input\.name names input "image" but the ONNX graph's inputs are "images"/);
  });

  it('rejects a manifest whose size disagrees with the graph (MANIFEST_MISMATCH)', async () => {
    const dir = await writeTinyEmbedderPackage((manifest) => ((manifest['input'] as Record<string, unknown>)['height'] = 32));
    await expectModelError(loadTeacher(dir), 'MANIFEST_MISMATCH', /input\.height is 32 but "images" has 16/);
  });

  it('rejects model bytes that differ from the manifest sha256 (CHECKSUM_MISMATCH)', async () => {
    const tampered = tinyEmbedderBytes().slice();
    tampered[tampered.length - 1]! ^= 0xff;
    await expectModelError(loadTeacher(await writeTinyEmbedderPackage(undefined, tampered)), 'CHECKSUM_MISMATCH', /model\.onnx has sha256 [0-9a-f]{64} but the manifest says/);
  });

  it('rejects an invalid manifest field, naming it (INVALID_MANIFEST)', async () => {
    const dir = await writeTinyEmbedderPackage((manifest) => ((manifest['embedding'] as Record<string, unknown>)['dimension'] = -4));
    await expectModelError(loadTeacher(dir), 'INVALID_MANIFEST', /manifest\.json: invalid manifest: embedding\.dimension: /);
  });

  it('rejects a missing model file (MODEL_NOT_FOUND) and a missing folder', async () => {
    const dir = await writeTinyEmbedderPackage();
    rmSync(path.join(dir, 'model.onnx'));
    await expectModelError(loadTeacher(dir), 'MODEL_NOT_FOUND', /model file of "tiny-embedder" not readable/);
    await expectModelError(loadTeacher(path.join(dir, 'nowhere')), 'MODEL_NOT_FOUND', /manifest not readable/);
  });

  it('rejects bytes that are not an ONNX model even when the checksum matches', async () => {
    const garbage = new TextEncoder().encode('definitely not protobuf');
    const dir = await writeTinyEmbedderPackage();
    writeFileSync(path.join(dir, 'model.onnx'), garbage);
    const { sha256Hex } = await import('../src/index.js');
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse((await import('node:fs')).readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, sha256: await sha256Hex(garbage) }));
    await expectModelError(loadTeacher(dir), 'INFERENCE_FAILED', /no execution provider could start/);
  });

  it('refuses an embedder as a student', async () => {
    await expectModelError(loadStudent(await writeTinyEmbedderPackage()), 'INVALID_MANIFEST', /is an embedder; a student needs a detector/);
  });

  it('falls back past an unavailable execution provider, logging why', async () => {
    const messages: string[] = [];
    const teacher = await loadTeacher(await writeTinyEmbedderPackage(), { executionProviders: ['cuda', 'cpu'], log: (line) => messages.push(line) });
    expect(teacher.executionProvider).toBe('cpu');
    expect(messages.join('\n')).toMatch(/using execution provider "cpu" \("cuda" unavailable: /);
    await teacher.release();
    await expectModelError(
      loadTeacher(await writeTinyEmbedderPackage(), { executionProviders: ['cuda'] }),
      'INFERENCE_FAILED',
      /no execution provider could start \("cuda" unavailable: /,
    );
    await expectModelError(
      loadTeacher(await writeTinyEmbedderPackage(), { executionProviders: ['gpu', 'cpu'] }),
      'INFERENCE_FAILED',
      /unknown execution provider "gpu"; onnxruntime-node knows cpu, webgpu, cuda/,
    );
  });

  it('rejects a zero-size RgbImage before inference', async () => {
    const teacher = await loadTeacher(await writeTinyEmbedderPackage());
    await expectModelError(teacher.embedCrops({ data: new Uint8Array(), width: 0, height: 0, channels: 3 }, [{ x1: 0, y1: 0, x2: 1, y2: 1 }]), 'INVALID_IMAGE', /zero or invalid size 0x0/);
    await teacher.release();
  });
});
