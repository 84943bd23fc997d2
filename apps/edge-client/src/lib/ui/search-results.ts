// Search hits as tappable crops with score, time and gallery, in two groups:
// "likely the same person" (above this query's calibrated threshold, see
// result-groups.ts) and "others", with near-identical frames folded together.
import type { KioskApi, SearchHit } from '../api/kiosk-api.js';
import { formatCapturedAt } from './captured-at.js';
import { el } from './element-builder.js';
import { groupResults, type Sighting } from './result-groups.js';

const percent = (score: number) => `${Math.round(score * 100)}%`;

export class SearchResults {
  readonly root: HTMLElement;
  private readonly groups = el('div', { class: 'groups', 'data-role': 'hits' });
  private readonly summary = el('p', { class: 'hint', 'data-role': 'results-summary' }, 'Results appear here.');
  private objectUrls: string[] = [];

  constructor(
    private readonly api: KioskApi,
    private readonly onOpen: (hit: SearchHit) => void,
  ) {
    this.root = el('div', { class: 'results', 'aria-live': 'polite' }, el('h2', {}, 'Results'), this.summary, this.groups);
  }

  showMessage(message: string): void {
    this.clear();
    this.summary.textContent = message;
  }

  show(hits: SearchHit[], totalMs: number | null, teacherModelId: string | null): void {
    this.clear();
    if (hits.length === 0) {
      this.summary.textContent = 'Nobody in this gallery yet.';
      return;
    }
    const { likely, others, threshold } = groupResults(hits, teacherModelId);
    const took = totalMs === null ? '' : ` (${Math.round(totalMs)} ms)`;
    this.summary.textContent =
      likely.length === 0
        ? `No one here is likely the same person${took}: the closest people are shown below, less alike. Tap one to see the whole frame.`
        : `${likely.length} likely the same person${took}. Tap one to see the whole frame.`;
    this.summary.dataset.threshold = threshold.toFixed(3);
    if (likely.length > 0) this.groups.append(this.group('likely', `Likely the same person · ${percent(threshold)} or more`, likely));
    if (others.length > 0) this.groups.append(this.group('others', likely.length > 0 ? 'Others, less alike' : 'Closest people, not likely the same', others));
  }

  clear(): void {
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
    this.objectUrls = [];
    this.groups.replaceChildren();
    delete this.summary.dataset.threshold;
  }

  private group(kind: 'likely' | 'others', title: string, sightings: Sighting[]): HTMLElement {
    const headingId = `results-${kind}`;
    return el(
      'section',
      { class: `group ${kind}`, 'data-group': kind, 'aria-labelledby': headingId },
      el('h3', { id: headingId }, title),
      el('ol', { class: 'hits' }, ...sightings.map((sighting) => el('li', {}, this.hitButton(sighting, kind)))),
    );
  }

  private hitButton({ hit, similar }: Sighting, kind: 'likely' | 'others'): HTMLButtonElement {
    const crop = el('img', { alt: '' });
    const when = formatCapturedAt(hit.capturedAt);
    const more = similar.length > 0 ? `+${similar.length} similar` : null;
    // The accessible name is the visible text after a hidden prefix (axe: the visible label must be part of the name).
    const context = `Result ${hit.rank}, ${kind === 'likely' ? 'likely the same person' : 'less alike'}: `;
    const button = el(
      'button',
      { type: 'button', class: 'hit', 'data-detection-id': hit.detectionId, 'data-similar': String(similar.length) },
      el('span', { class: 'visually-hidden' }, context),
      crop,
      el('span', { class: 'score' }, percent(hit.score)),
      el('time', { class: 'meta', datetime: hit.capturedAt, title: new Date(hit.capturedAt).toLocaleString() }, when),
      el('span', { class: 'meta' }, hit.galleryName),
      more ? el('span', { class: 'meta similar' }, more) : null,
    );
    button.addEventListener('click', () => this.onOpen(hit));
    void this.api.imageObjectUrl(hit.cropUrl).then(
      (url) => {
        this.objectUrls.push(url);
        crop.src = url;
      },
      () => undefined,
    );
    return button;
  }
}
