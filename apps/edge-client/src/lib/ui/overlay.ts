// Draws detections over the capture stage. The canvas has the analysed frame's
// pixel size and the same object-fit as the video, so boxes line up at any screen size.
import type { PersonDetection } from '@person-search/model';

const BOX_COLOUR = '#39ff88';

export function drawDetections(canvas: HTMLCanvasElement, width: number, height: number, detections: readonly PersonDetection[], background?: CanvasImageSource): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, width, height);
  if (background) context.drawImage(background, 0, 0, width, height);
  // Line width and label size follow the frame so they read the same on a 640 or 1280 px frame.
  const unit = Math.max(2, Math.round(Math.max(width, height) / 320));
  context.lineWidth = unit;
  context.font = `600 ${unit * 7}px system-ui, sans-serif`;
  context.textBaseline = 'bottom';
  for (const { box, score } of detections) {
    context.strokeStyle = BOX_COLOUR;
    context.strokeRect(box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1);
    const label = `${Math.round(score * 100)}%`;
    const labelWidth = context.measureText(label).width + unit * 2;
    const labelTop = Math.max(unit * 8, box.y1);
    context.fillStyle = BOX_COLOUR;
    context.fillRect(box.x1 - unit / 2, labelTop - unit * 8, labelWidth, unit * 8);
    context.fillStyle = '#000';
    context.fillText(label, box.x1 + unit / 2, labelTop - unit / 2);
  }
}
