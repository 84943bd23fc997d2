// Ranked search hits as tappable crops with score, time and gallery.
import type { KioskApi, SearchHit } from '../api/kiosk-api.js';
import { formatCapturedAt } from './captured-at.js';
import { el } from './element-builder.js';

export class SearchResults {
  readonly root: HTMLElement;
  private readonly list = el('ol', { class: 'hits', 'data-role': 'hits' });
  private readonly summary = el('p', { class: 'hint', 'data-role': 'results-summary' }, 'Results appear here.');
  private objectUrls: string[] = [];

  constructor(
    private readonly api: KioskApi,
    private readonly onOpen: (hit: SearchHit) => void,
  ) {
    this.root = el('div', { class: 'results', 'aria-live': 'polite' }, el('h2', {}, 'Matches'), this.summary, this.list);
  }

  showMessage(message: string): void {
    this.clear();
    this.summary.textContent = message;
  }

  show(hits: SearchHit[], totalMs: number | null): void {
    this.clear();
    this.summary.textContent = hits.length === 0 ? 'No matches in this gallery yet.' : `${hits.length} matches${totalMs === null ? '' : ` in ${Math.round(totalMs)} ms`}. Tap one to see the whole frame.`;
    for (const hit of hits) {
      const crop = el('img', { alt: '' });
      const button = el(
        'button',
        { type: 'button', class: 'hit', 'data-detection-id': hit.detectionId, 'aria-label': `Match ${hit.rank}, ${Math.round(hit.score * 100)} percent` },
        crop,
        el('span', { class: 'score' }, `${Math.round(hit.score * 100)}%`),
        el('time', { class: 'meta', datetime: hit.capturedAt, title: new Date(hit.capturedAt).toLocaleString() }, formatCapturedAt(hit.capturedAt)),
        el('span', { class: 'meta' }, hit.galleryName),
      );
      button.addEventListener('click', () => this.onOpen(hit));
      this.list.append(el('li', {}, button));
      void this.api.imageObjectUrl(hit.cropUrl).then(
        (url) => {
          this.objectUrls.push(url);
          crop.src = url;
        },
        () => undefined,
      );
    }
  }

  clear(): void {
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
    this.objectUrls = [];
    this.list.replaceChildren();
  }
}
