// The full frame behind a search hit, with the person's box, in a modal dialog
// (Escape and the Close button dismiss it).
import type { KioskApi, SearchHit } from '../api/kiosk-api.js';
import { boxToPercentRect } from './box-geometry.js';
import { el } from './element-builder.js';

export class FrameViewer {
  readonly root = el('dialog', { 'aria-label': 'Frame with the person', 'data-role': 'frame-viewer' });
  private objectUrl: string | null = null;

  constructor(private readonly api: KioskApi) {
    this.root.addEventListener('close', () => this.release());
  }

  async show(hit: SearchHit): Promise<void> {
    const rect = boxToPercentRect(hit.box, hit.imageWidth, hit.imageHeight);
    const frameBox = el('div', { class: 'frame-box' });
    Object.assign(frameBox.style, { left: `${rect.left}%`, top: `${rect.top}%`, width: `${rect.width}%`, height: `${rect.height}%` });
    // Hidden until its bytes arrive (fetched with the key): an <img> without a source shows a broken icon and its alt text.
    const image = el('img', { alt: `Frame captured ${new Date(hit.capturedAt).toLocaleString()}`, hidden: true });
    const loading = el('div', { class: 'spinner', role: 'status', 'aria-label': 'Loading the frame' });
    image.addEventListener('load', () => {
      image.hidden = false;
      loading.remove();
    });
    const photo = el('div', { class: 'photo' }, loading, image, frameBox);
    photo.style.aspectRatio = `${hit.imageWidth} / ${hit.imageHeight}`;
    // Sized before the image loads, so the dialog does not jump: as large as fits 88 % of the width and 78 % of the height.
    photo.style.width = `min(88cqw, calc(78cqh * ${hit.imageWidth / hit.imageHeight}))`;
    const close = el('button', { type: 'button', class: 'primary', 'data-action': 'close-frame' }, 'Close');
    close.addEventListener('click', () => this.root.close());
    this.root.replaceChildren(
      photo,
      el('footer', {}, el('span', {}, `${hit.galleryName} · ${new Date(hit.capturedAt).toLocaleString()} · ${Math.round(hit.score * 100)}%`), close),
    );
    this.root.showModal();
    close.focus();
    this.release();
    this.objectUrl = await this.api.imageObjectUrl(hit.imageUrl);
    image.src = this.objectUrl;
  }

  private release(): void {
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
  }
}
