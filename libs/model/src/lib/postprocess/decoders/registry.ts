/**
 * The one place decoder families are registered: name → decoder and its
 * tensor contract. Order is the order error messages list them in.
 */
import { centernetDecoder } from './centernet.js';
import type { DetectorDecoder } from './decoder.js';
import { endToEndDecoder } from './end-to-end.js';
import { yolov8Decoder } from './yolov8.js';
import { yoloxDecoder } from './yolox.js';

export const DECODER_REGISTRY = {
  'end-to-end': endToEndDecoder,
  centernet: centernetDecoder,
  yolox: yoloxDecoder,
  yolov8: yolov8Decoder,
} as const satisfies Record<string, DetectorDecoder>;

export type DecoderName = keyof typeof DECODER_REGISTRY;

/** Registered names (for `z.enum`: a non-empty tuple). */
export const DECODERS = Object.keys(DECODER_REGISTRY) as [DecoderName, ...DecoderName[]];

export function detectorDecoder(name: DecoderName): DetectorDecoder {
  return DECODER_REGISTRY[name];
}

/** Detector families whose crops a paired reid-embedder embeds (they may name an `embedder`). */
export const EMBEDDER_PAIRED_DECODERS = DECODERS.filter((name) => DECODER_REGISTRY[name].embeddings === 'embedder');
