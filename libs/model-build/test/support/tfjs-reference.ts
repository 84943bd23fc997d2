/**
 * Test support: runs a TF.js graph model on the WebAssembly backend (the
 * reference the converter is checked against; tfjs-node is deliberately not
 * used). Node-only, dev-dependency only.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { TfjsModelFiles } from '../../src/lib/default-models/centernet-source';

let backendReady: Promise<void> | undefined;

async function useWasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries sit next to the package's dist bundle; point at them, never at a CDN.
    setWasmPaths(`${path.dirname(entry)}${path.sep}`);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backendReady;
}

export interface TfjsReference {
  run(inputNhwc: Float32Array, shape: number[], outputs: string[]): Promise<Map<string, { data: Float32Array; shape: number[] }>>;
}

export async function loadTfjsReference(files: TfjsModelFiles): Promise<TfjsReference> {
  await useWasmBackend();
  const { json, weightData } = files;
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
      format: json.format,
    }),
  );
  return {
    async run(inputNhwc, shape, outputs) {
      const input = tf.tensor(inputNhwc, shape, 'float32');
      const results = model.execute(input, outputs) as tf.Tensor | tf.Tensor[];
      const tensors = Array.isArray(results) ? results : [results];
      const out = new Map<string, { data: Float32Array; shape: number[] }>();
      for (const [i, tensor] of tensors.entries()) out.set(outputs[i]!, { data: Float32Array.from(await tensor.data()), shape: tensor.shape });
      tf.dispose([input, ...tensors]);
      return out;
    },
  };
}
