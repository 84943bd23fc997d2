/**
 * In-graph CenterNet decoding for one class (persons): heatmap peaks
 * (3x3 max-pool equality, as the original graph does), top-k, boxes from the
 * per-cell edge distances, then NonMaxSuppression, so the student's outputs
 * are final detections and N is dynamic.
 *
 * Box geometry (read from the original graph's decoding ops): a peak at
 * heatmap cell (row, col) has its centre at (col, row) * stride in input
 * pixels, and the distance map holds [left, top, right, bottom] distances:
 * x1 = cx - d0, y1 = cy - d1, x2 = cx + d2, y2 = cy + d3.
 */
import { OnnxDataType, type OnnxGraphBuilder } from '../onnx';

export interface PersonDecoderOptions {
  /** NCHW heatmaps [1, classes, H, W] after sigmoid. */
  heatmap: string;
  /** NCHW edge distances [1, 4, H, W] in input pixels. */
  boxDistances: string;
  heatmapHeight: number;
  heatmapWidth: number;
  /** Input pixels per heatmap cell. */
  stride: number;
  /** Model input size, to clip boxes to the canvas. */
  inputHeight: number;
  inputWidth: number;
  personClass: number;
  /** Peaks considered before NMS (the original graph keeps 100 over all classes). */
  topK: number;
  maxDetections: number;
  iouThreshold: number;
  /** Floor below which boxes are dropped in-graph; the runtime applies the manifest's (higher) threshold. */
  scoreFloor: number;
}

export interface DecodedPersons {
  /** [N, 4] x1, y1, x2, y2 in input pixels. */
  boxes: string;
  /** [N] heatmap peak scores, descending. */
  scores: string;
  /** [N] int64 image index of each box (always 0: batch 1), the form RoiAlign wants. */
  batchIndices: string;
}

export function addPersonDecoding(graph: OnnxGraphBuilder, options: PersonDecoderOptions): DecodedPersons {
  const { heatmapHeight: rows, heatmapWidth: cols, stride, topK } = options;
  const cells = rows * cols;
  const scope = 'person_decoder';
  const personHeatmap = graph.op(
    'Slice',
    [options.heatmap, graph.int64s(`${scope}/class_start`, [options.personClass]), graph.int64s(`${scope}/class_end`, [options.personClass + 1]), graph.int64s(`${scope}/class_axis`, [1])],
    {},
    `${scope}/person_heatmap`,
  );
  // A cell is a peak when it equals the max of its 3x3 neighbourhood.
  const neighbourhoodMax = graph.op('MaxPool', [personHeatmap], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }, `${scope}/neighbourhood_max`);
  const isPeak = graph.op('Cast', [graph.op('Equal', [personHeatmap, neighbourhoodMax], {}, `${scope}/is_peak`)], { to: OnnxDataType.FLOAT }, `${scope}/is_peak_float`);
  const peaks = graph.op('Mul', [personHeatmap, isPeak], {}, `${scope}/peaks`);
  const flatPeaks = graph.op('Reshape', [peaks, graph.int64s(`${scope}/flat_shape`, [cells])], {}, `${scope}/flat_peaks`);
  const [peakScores, peakCells] = graph.node('TopK', [flatPeaks, graph.int64s(`${scope}/k`, [topK])], { axis: 0, largest: 1, sorted: 1 }, { name: `${scope}/top_k`, outputs: 2 });

  // Row and column in float32 (Cast → Div → Floor), not int64 Div/Mod: onnxruntime-web's WebGPU EP
  // computed the int64 Div wrongly (every row off, columns right). Cell indices < 2^24 are exact in
  // float32; the half-cell offset keeps the quotient 0.5/cols away from an integer, so a division
  // that is not correctly rounded (WGSL allows 2.5 ULP) still floors to the right row.
  const cellIndex = graph.op('Cast', [peakCells!], { to: OnnxDataType.FLOAT }, `${scope}/cell_float`);
  const cellsPerRow = graph.scalar(`${scope}/cols`, cols);
  const cellCentre = graph.op('Add', [cellIndex, graph.scalar(`${scope}/half_cell`, 0.5)], {}, `${scope}/cell_centre`);
  const row = graph.op('Floor', [graph.op('Div', [cellCentre, cellsPerRow], {}, `${scope}/row_fraction`)], {}, `${scope}/row`);
  const col = graph.op('Sub', [cellIndex, graph.op('Mul', [row, cellsPerRow], {}, `${scope}/row_start`)], {}, `${scope}/col`);
  const strideScalar = graph.scalar(`${scope}/stride`, stride);
  const centreY = graph.op('Mul', [row, strideScalar], {}, `${scope}/centre_y`);
  const centreX = graph.op('Mul', [col, strideScalar], {}, `${scope}/centre_x`);
  const unsqueeze0 = (value: string): string => graph.op('Unsqueeze', [value, graph.int64s(`${value}/axes`, [0])], {}, `${value}/row`);
  const centres = graph.op('Concat', [centreX, centreY, centreX, centreY].map(unsqueeze0), { axis: 0 }, `${scope}/centres`);

  const distances = graph.op('Reshape', [options.boxDistances, graph.int64s(`${scope}/distance_shape`, [4, cells])], {}, `${scope}/distances_flat`);
  const peakDistances = graph.op('Gather', [distances, peakCells!], { axis: 1 }, `${scope}/peak_distances`);
  const signs = graph.addFloatTensor(`${scope}/edge_signs`, [4, 1], [-1, -1, 1, 1]);
  const edges = graph.op('Add', [centres, graph.op('Mul', [signs, peakDistances], {}, `${scope}/signed_distances`)], {}, `${scope}/edges`);
  const candidateBoxes = graph.op(
    'Clip',
    [graph.op('Transpose', [edges], { perm: [1, 0] }, `${scope}/boxes_xyxy`), graph.scalar(`${scope}/clip_min`, 0), graph.scalar(`${scope}/clip_max`, Math.max(options.inputHeight, options.inputWidth))],
    {},
    `${scope}/candidate_boxes`,
  );

  // NonMaxSuppression: boxes [batch, n, 4] (any diagonal corner pair works with center_point_box = 0), scores [batch, class, n].
  const selected = graph.op(
    'NonMaxSuppression',
    [
      graph.op('Unsqueeze', [candidateBoxes, graph.int64s(`${scope}/nms_box_axes`, [0])], {}, `${scope}/nms_boxes`),
      graph.op('Reshape', [peakScores!, graph.int64s(`${scope}/nms_score_shape`, [1, 1, topK])], {}, `${scope}/nms_scores`),
      graph.int64s(`${scope}/max_detections`, [options.maxDetections]),
      graph.addFloatTensor(`${scope}/iou_threshold`, [1], [options.iouThreshold]),
      graph.addFloatTensor(`${scope}/score_floor`, [1], [options.scoreFloor]),
    ],
    { center_point_box: 0 },
    `${scope}/nms`,
  );
  // selected rows are [batch, class, box], best score first.
  const column = (index: number, name: string): string => graph.op('Gather', [selected, graph.addInt64Tensor(`${scope}/${name}_column`, [], [index])], { axis: 1 }, `${scope}/${name}`);
  const kept = column(2, 'kept');
  return {
    boxes: graph.op('Gather', [candidateBoxes, kept], { axis: 0 }, `${scope}/boxes`),
    scores: graph.op('Gather', [peakScores!, kept], { axis: 0 }, `${scope}/scores`),
    batchIndices: column(0, 'batch_indices'),
  };
}

