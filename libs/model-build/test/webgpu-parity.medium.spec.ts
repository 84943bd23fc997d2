/**
 * onnxruntime-node's bundled WebGPU execution provider (Dawn over Vulkan;
 * here SwiftShader, a CPU Vulkan driver that ships with Chromium) must give
 * the same embeddings as its CPU provider. Tiny inputs only: SwiftShader is
 * hundreds of times slower than the CPU provider. Uses OSNet when ../shared
 * exists, else a tiny embedder built in-process, and the default teacher;
 * skips with the reason if no WebGPU adapter can start here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, type Box, type RgbImage } from '@person-search/model';
import { decodeImage } from '@person-search/model/node';
import { buildDefaultModels, DEFAULT_TEACHER_ID } from '../src/index.js';
import { isPositivePedestrian, modelPackage, motFrames, mot17Dir, removeModelPackages, THIRD_PARTY } from './support/third-party-models.js';
import { removeTinyPackages, writeTinyEmbedderPackage } from './support/tiny-models.js';

const SWIFTSHADER_DIR = '/usr/lib/chromium';
const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/webgpu-parity-child.ts');

interface ProviderResult {
  provider?: string;
  ms?: number;
  embeddings?: number[][];
  error?: string;
}

/** The environment a process needs for Dawn to find SwiftShader's Vulkan (when Chromium ships it). */
function vulkanEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (existsSync(path.join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json'))) {
    env['VK_ICD_FILENAMES'] = path.join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');
    env['LD_LIBRARY_PATH'] = [SWIFTSHADER_DIR, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  }
  return env;
}

async function parityInput(): Promise<{ packageDir: string; image: RgbImage; boxes: Box[]; label: string }> {
  if (existsSync(THIRD_PARTY.osnet.onnx) && existsSync(mot17Dir)) {
    const frame = motFrames()[0]!;
    const boxes = frame.rows.filter(isPositivePedestrian).slice(0, 1).map((row) => row.box);
    return { packageDir: modelPackage(THIRD_PARTY.osnet.fixture, THIRD_PARTY.osnet.onnx), image: await decodeImage(await readFile(frame.imagePath)), boxes, label: 'OSNet-x0.25, one MOT17 crop' };
  }
  console.warn('../shared absent: WebGPU parity uses the tiny in-process embedder instead of OSNet');
  const image: RgbImage = { data: new Uint8Array(40 * 30 * 3).map((_, i) => (i * 31) % 256), width: 40, height: 30, channels: 3 };
  return { packageDir: await writeTinyEmbedderPackage(), image, boxes: [{ x1: 0, y1: 0, x2: 20, y2: 30 }, { x1: 10, y1: 5, x2: 40, y2: 25 }], label: 'tiny embedder' };
}

describe('onnxruntime-node WebGPU provider vs CPU provider', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'webgpu-parity-'));
  afterAll(() => {
    removeModelPackages();
    removeTinyPackages();
    rmSync(scratch, { recursive: true, force: true });
  });

  // SwiftShader runs compute shaders on the CPU: one 256x128 crop takes 10-40 s on a shared 2-core machine.
  it('embeds the same crops to cosine > 0.999 (OSNet, or a tiny embedder without ../shared)', { timeout: 300_000 }, async (context) => {
    await expectProviderParity(await parityInput(), context);
  });

  it('gives the default teacher the same embeddings on WebGPU as on CPU', { timeout: 300_000 }, async (context) => {
    const [teacher] = (await buildDefaultModels({ outDir: path.join(scratch, 'models') })).filter((model) => model.id === DEFAULT_TEACHER_ID);
    const image: RgbImage = { data: new Uint8Array(48 * 32 * 3).map((_, i) => (i * 37 + (i % 3) * 90) % 256), width: 32, height: 48, channels: 3 };
    const boxes = [{ x1: 0, y1: 0, x2: 32, y2: 48 }, { x1: 4, y1: 8, x2: 28, y2: 44 }];
    await expectProviderParity({ packageDir: teacher!.dir, image, boxes, label: 'default teacher, two synthetic crops' }, context);
  });

  async function expectProviderParity(
    { packageDir, image, boxes, label }: { packageDir: string; image: RgbImage; boxes: Box[]; label: string },
    context: { skip: (note?: string) => void },
  ): Promise<void> {
    const imagePath = path.join(scratch, 'image.rgb');
    writeFileSync(imagePath, image.data);
    const child = spawnSync(process.execPath, ['--import', 'tsx', childScript, packageDir, imagePath, String(image.width), String(image.height), JSON.stringify(boxes)], {
      env: vulkanEnvironment(),
      encoding: 'utf8',
      timeout: 280_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`parity child failed (status ${child.status}): ${child.stderr.slice(-2000)}`);
    const result = JSON.parse(line) as { cpu: ProviderResult; webgpu: ProviderResult; logs: string[] };
    if (result.webgpu.error) {
      const reason = `skipped: the WebGPU execution provider cannot start here: ${result.webgpu.error.slice(0, 400)}`;
      console.warn(reason);
      context.skip(reason);
      return;
    }
    const cosines = result.cpu.embeddings!.map((vector, i) => cosineSimilarity(vector, result.webgpu.embeddings![i]!));
    console.log(
      `WebGPU (${result.webgpu.provider}) vs CPU on ${label}: cosine ${cosines.map((value) => value.toFixed(6)).join(', ')}; ` +
        `${result.webgpu.ms!.toFixed(0)} ms vs ${result.cpu.ms!.toFixed(0)} ms`,
    );
    expect(result.webgpu.provider).toBe('webgpu');
    expect(cosines).toHaveLength(boxes.length);
    for (const cosine of cosines) expect(cosine).toBeGreaterThan(0.999);
  }
});
