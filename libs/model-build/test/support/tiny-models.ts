/**
 * Tiny ONNX models built in-process (with the project's graph builder), so
 * runtime tests need no downloaded weights: a crop embedder (also committed as
 * libs/model's test fixture, checked by test/runtime-fixtures.spec.ts)
 * [N, 3, 16, 8] → Conv 3x3 → Relu → GlobalAveragePool → [N, 4].
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OnnxDataType, OnnxGraphBuilder } from '../../src/lib/onnx/index.js';
import { sha256Hex } from '@person-search/model';

export const TINY_EMBEDDER = { height: 16, width: 8, dimension: 4 } as const;

export function tinyEmbedderBytes(): Uint8Array {
  const graph = new OnnxGraphBuilder('tiny-embedder');
  const images = graph.addInput('images', OnnxDataType.FLOAT, ['batch', 3, TINY_EMBEDDER.height, TINY_EMBEDDER.width]);
  // Fixed, varied weights: channel mixes that differ per output so embeddings are not collinear.
  const weights = Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.sin(i * 0.7) * 0.5);
  const conv = graph.op('Conv', [images, graph.addFloatTensor('weight', [4, 3, 3, 3], weights), graph.addFloatTensor('bias', [4], [0.1, -0.1, 0.2, 0])], {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
  });
  const pooled = graph.op('GlobalAveragePool', [graph.op('Relu', [conv])]);
  const flat = graph.op('Flatten', [pooled], { axis: 1 });
  graph.addOutput(flat, 'embeddings', OnnxDataType.FLOAT, ['batch', TINY_EMBEDDER.dimension]);
  return graph.serialize({ opset: 17, producerName: 'person-search-tests', producerVersion: '0' });
}

export async function tinyEmbedderManifest(bytes: Uint8Array): Promise<Record<string, unknown>> {
  return {
    schemaVersion: 1,
    id: 'tiny-embedder',
    version: '0',
    role: 'teacher',
    family: 'reid-embedder',
    file: 'model.onnx',
    sha256: await sha256Hex(bytes),
    license: 'MIT',
    source: 'built by libs/model-build/test/support/tiny-models.ts',
    input: {
      name: 'images',
      layout: 'NCHW',
      height: TINY_EMBEDDER.height,
      width: TINY_EMBEDDER.width,
      resize: { mode: 'stretch' },
      colorOrder: 'RGB',
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
    },
    embedding: { tensor: 'embeddings', dimension: TINY_EMBEDDER.dimension, normalized: false },
  };
}

const created: string[] = [];

/** Writes a package folder; `edit` may change the manifest or replace the model bytes. */
export async function writeTinyEmbedderPackage(
  edit?: (manifest: Record<string, unknown>) => void,
  modelBytes?: Uint8Array,
): Promise<string> {
  const bytes = tinyEmbedderBytes();
  const manifest = await tinyEmbedderManifest(bytes);
  edit?.(manifest);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-embedder-'));
  created.push(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(path.join(dir, 'model.onnx'), modelBytes ?? bytes);
  return dir;
}

export function removeTinyPackages(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface ConstantOutput {
  name: string;
  dims: number[];
  values: number[];
}

/**
 * A "detector" whose outputs are fixed tensors, whatever the image: the input
 * is still consumed (its mean times zero is added) so ONNX Runtime keeps it.
 * Lets the whole detect → decode → map-back pipeline run with known numbers.
 */
export function constantOutputModelBytes(inputName: string, inputDims: number[], outputs: ConstantOutput[]): Uint8Array {
  const graph = new OnnxGraphBuilder('constant-detector');
  const input = graph.addInput(inputName, OnnxDataType.FLOAT, inputDims);
  const zero = graph.op('Mul', [graph.op('ReduceMean', [input], { keepdims: 0 }), graph.scalar('zero', 0)]);
  for (const output of outputs) {
    const value = graph.op('Add', [graph.addFloatTensor(`${output.name}_value`, output.dims, output.values), zero]);
    graph.addOutput(value, output.name, OnnxDataType.FLOAT, output.dims);
  }
  return graph.serialize({ opset: 17, producerName: 'person-search-tests', producerVersion: '0' });
}

/** Writes a package folder for arbitrary manifest + bytes (sha256 filled in). */
export async function writePackage(manifest: Record<string, unknown>, bytes: Uint8Array): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${String(manifest['id'])}-`));
  created.push(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, sha256: await sha256Hex(bytes) }));
  writeFileSync(path.join(dir, 'model.onnx'), bytes);
  return dir;
}

/** Writes `<root>/<manifest id>/` (sha256 filled in): for packages that find each other by id. */
export async function writePackageIn(root: string, manifest: Record<string, unknown>, bytes: Uint8Array): Promise<string> {
  const dir = path.join(root, String(manifest['id']));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, sha256: await sha256Hex(bytes) }));
  writeFileSync(path.join(dir, 'model.onnx'), bytes);
  return dir;
}

/** A temporary folder removed by removeTinyPackages. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}
