/**
 * The InferenceRunner over a started ONNX Runtime session, shared by the Node
 * and web wrappers: onnxruntime-node and onnxruntime-web implement the same
 * onnxruntime-common interfaces, so only session creation differs between
 * them. Type-only imports: nothing here loads a runtime.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { asModelError, ModelError } from '../errors/model-error.js';
import type { Float32Tensor } from '../image/input-tensor.js';
import type { TensorInfo } from '../manifest/manifest-checks.js';
import type { ModelOutputs } from '../postprocess/decode-detections.js';
import type { InferenceRunner } from '../runtime/inference-runner.js';

/** `ort.Tensor` of either runtime. */
export type OrtTensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;

function tensorInfo(metadata: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return metadata.map((value) => (value.isTensor ? { name: value.name, shape: [...value.shape] } : { name: value.name }));
}

export function ortRunner(session: InferenceSession, OrtTensor: OrtTensorConstructor, executionProvider: string, modelId: string): InferenceRunner {
  return {
    signature: { inputs: tensorInfo(session.inputMetadata), outputs: tensorInfo(session.outputMetadata) },
    executionProvider,
    async run(feeds: Record<string, Float32Tensor>, outputNames: readonly string[]): Promise<ModelOutputs> {
      const ortFeeds: Record<string, Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new OrtTensor('float32', tensor.data, tensor.dims);
      const results = await session.run(ortFeeds, [...outputNames]).catch((error: unknown) => {
        throw asModelError(error, 'INFERENCE_FAILED', `model "${modelId}" run failed`);
      });
      const outputs: ModelOutputs = {};
      for (const name of outputNames) {
        const value = results[name];
        if (!value || value.type !== 'float32') {
          throw new ModelError('INFERENCE_FAILED', `model "${modelId}" output "${name}" is ${value ? value.type : 'missing'}; expected float32`);
        }
        // GPU outputs (WebGPU) live on the device: getData() downloads them; CPU outputs return their own array.
        outputs[name] = { data: (await value.getData()) as Float32Array, dims: [...value.dims] };
        value.dispose();
      }
      return outputs;
    },
    release: () => session.release(),
  };
}
