/**
 * Contact sheets of detections to look at: each box cut out with 30 % context,
 * outlined, and captioned with two lines the caller chooses.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { EvaluationBox } from '../src/lib/evaluation/detection-metrics.js';

export interface SheetTile {
  imagePath: string;
  /** Original-image pixels. */
  box: EvaluationBox;
  /** White caption line. */
  caption: string;
  /** Yellow caption line. */
  note: string;
}

const TILE = { width: 160, height: 240, caption: 30, columns: 8 } as const;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export async function writeContactSheet(tiles: readonly SheetTile[], file: string): Promise<void> {
  const images = await Promise.all(
    tiles.map(async ({ box, imagePath, caption, note }) => {
      const { width: imageWidth, height: imageHeight } = await sharp(imagePath).metadata();
      const width = box.x2 - box.x1;
      const height = box.y2 - box.y1;
      const margin = 0.3 * Math.max(width, height);
      const left = Math.max(0, Math.floor(box.x1 - margin));
      const top = Math.max(0, Math.floor(box.y1 - margin));
      const region = { left, top, width: Math.min(imageWidth!, Math.ceil(box.x2 + margin)) - left, height: Math.min(imageHeight!, Math.ceil(box.y2 + margin)) - top };
      const scale = Math.min(TILE.width / region.width, (TILE.height - TILE.caption) / region.height);
      const crop = await sharp(imagePath).removeAlpha().extract(region).resize(Math.max(1, Math.round(region.width * scale)), Math.max(1, Math.round(region.height * scale))).toBuffer();
      const overlay =
        `<svg width="${TILE.width}" height="${TILE.height}">` +
        `<rect x="${(box.x1 - left) * scale}" y="${(box.y1 - top) * scale}" width="${width * scale}" height="${height * scale}" fill="none" stroke="lime" stroke-width="2"/>` +
        `<text x="2" y="${TILE.height - 17}" font-size="12" fill="white" font-family="sans-serif">${escapeXml(caption)}</text>` +
        `<text x="2" y="${TILE.height - 4}" font-size="12" fill="yellow" font-family="sans-serif">${escapeXml(note)}</text></svg>`;
      return sharp({ create: { width: TILE.width, height: TILE.height, channels: 3, background: '#222' } })
        .composite([{ input: crop }, { input: Buffer.from(overlay) }].map((layer) => ({ ...layer, left: 0, top: 0 })))
        .png()
        .toBuffer();
    }),
  );
  const rows = Math.max(1, Math.ceil(images.length / TILE.columns));
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: TILE.columns * TILE.width, height: rows * TILE.height, channels: 3, background: '#000' } })
    .composite(images.map((input, index) => ({ input, left: (index % TILE.columns) * TILE.width, top: Math.floor(index / TILE.columns) * TILE.height })))
    .png()
    .toFile(file);
}
