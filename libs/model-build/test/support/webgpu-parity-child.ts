/**
 * Child process of webgpu-parity.medium.spec.ts: the Vulkan loader and
 * library path must be in the environment before the process starts (glibc
 * reads LD_LIBRARY_PATH once), so the parent spawns this with them set.
 * Embeds the same crops on the CPU and WebGPU providers and prints JSON.
 * argv: <model package dir> <image: raw RGB file> <width> <height> <boxes JSON>
 */
import { readFileSync } from 'node:fs';
import { loadTeacher } from '@person-search/model/node';

const [packageDir, imagePath, width, height, boxesJson] = process.argv.slice(2) as [string, string, string, string, string];
const image = { data: new Uint8Array(readFileSync(imagePath)), width: Number(width), height: Number(height), channels: 3 as const };
const boxes = JSON.parse(boxesJson) as { x1: number; y1: number; x2: number; y2: number }[];
const logs: string[] = [];

const result: Record<string, unknown> = {};
for (const provider of ['cpu', 'webgpu']) {
  const teacher = await loadTeacher(packageDir, { executionProviders: [provider], batchSize: 1, log: (line) => logs.push(line) }).catch(
    (error: Error) => ({ error: error.message }),
  );
  if ('error' in teacher) {
    result[provider] = { error: teacher.error };
    continue;
  }
  const started = performance.now();
  const embeddings = await teacher.embedCrops(image, boxes);
  result[provider] = { provider: teacher.executionProvider, ms: performance.now() - started, embeddings: embeddings.map((vector) => Array.from(vector)) };
  await teacher.release();
}
process.stdout.write(`${JSON.stringify({ ...result, logs })}\n`);
