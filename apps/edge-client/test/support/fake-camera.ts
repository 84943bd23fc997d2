// Turns real frames into a .y4m file that Chromium plays as its camera
// (--use-file-for-fake-video-capture). Written at test time under tmp/.
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';

/**
 * Encodes `frames` (image paths) as 4:2:0 YUV4MPEG2 at `width` x `height` (even
 * numbers), BT.601 full range, each frame repeated `holdFrames` times at `fps`.
 */
export async function writeFakeCameraY4m(frames: string[], outPath: string, options: { width: number; height: number; fps: number; holdFrames: number }): Promise<void> {
  const { width, height, fps, holdFrames } = options;
  const chunks: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const frame of frames) {
    const rgb = await sharp(frame).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    const yuv = rgbToI420(rgb, width, height);
    for (let hold = 0; hold < holdFrames; hold += 1) chunks.push(Buffer.from('FRAME\n'), yuv);
  }
  writeFileSync(outPath, Buffer.concat(chunks));
}

function rgbToI420(rgb: Buffer, width: number, height: number): Buffer {
  const lumaSize = width * height;
  const chromaWidth = width / 2;
  const out = Buffer.alloc(lumaSize * 1.5);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      out[y * width + x] = clampByte(0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
    }
  }
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      // Average the 2x2 block before converting: 4:2:0 chroma sits between the four pixels.
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const i = ((y + dy) * width + (x + dx)) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const c = (y / 2) * chromaWidth + x / 2;
      out[lumaSize + c] = clampByte(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[lumaSize + lumaSize / 4 + c] = clampByte(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

function clampByte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}
