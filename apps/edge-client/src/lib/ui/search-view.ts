// Search mode: take or choose a photo, the student finds the people in it on the
// device, the largest is searched at once and tapping another searches again;
// hits open the full frame.
import type { PersonDetection } from '@person-search/model';
import { ApiError } from '../api/api-error.js';
import { CameraUnavailableError, startCamera, stopCamera } from '../capture/camera.js';
import { encodeJpeg, grabFrame, type CapturedFrame } from '../capture/frame.js';
import type { KioskContext, KioskView } from '../kiosk-context.js';
import { boxToPercentRect, largestBoxIndex } from './box-geometry.js';
import { el } from './element-builder.js';
import { FrameViewer } from './frame-viewer.js';
import { SearchResults } from './search-results.js';

/** Enough hits for result-groups.ts to see the bulk of strangers' scores. */
const TOP_K = 40;

interface QueryPhoto {
  frame: CapturedFrame;
  detections: PersonDetection[];
  /** Uploaded once per photo, reused when another person is tapped. */
  blobId?: string;
}

export class SearchView implements KioskView {
  readonly root: HTMLElement;
  private readonly stage = el('div', { class: 'stage', 'data-role': 'query-stage' });
  private readonly video = el('video', { muted: true, playsinline: true, 'aria-hidden': 'true' });
  private readonly fileInput = el('input', { type: 'file', accept: 'image/*', hidden: true });
  private readonly takePhoto = el('button', { type: 'button', class: 'primary', 'data-action': 'take-photo' }, 'Open camera');
  private readonly choosePhoto = el('button', { type: 'button', 'data-action': 'choose-photo' }, 'Choose photo');
  private readonly results: SearchResults;
  private readonly viewer: FrameViewer;
  private photo: QueryPhoto | null = null;
  private photoUrl: string | null = null;

  constructor(private readonly context: KioskContext) {
    this.viewer = new FrameViewer(context.api);
    this.results = new SearchResults(context.api, (hit) => void this.viewer.show(hit));
    this.takePhoto.addEventListener('click', () => void this.openCamera());
    this.choosePhoto.addEventListener('click', () => this.fileInput.click());
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      this.fileInput.value = '';
      if (file) void this.usePhotoFile(file);
    });
    this.root = el(
      'section',
      { class: 'view search', 'aria-label': 'Search' },
      this.stage,
      el('aside', { class: 'panel' }, el('div', { class: 'actions' }, this.takePhoto, this.choosePhoto), this.results.root, this.fileInput, this.viewer.root),
    );
  }

  start(): void {
    this.showMessage('Who are you looking for?', 'Take a photo of the person, or choose one. Then tap the person to search.', 'empty');
    this.context.detector().catch(() => undefined);
  }

  stop(): void {
    stopCamera(this.video);
    this.results.clear();
    if (this.photoUrl) URL.revokeObjectURL(this.photoUrl);
  }

  private async openCamera(): Promise<void> {
    try {
      await startCamera(this.video, 'environment');
    } catch (error) {
      const denied = error instanceof CameraUnavailableError && error.reason === 'denied';
      this.showMessage('No camera', denied ? 'Camera access was refused. Choose a photo instead.' : 'No camera is available. Choose a photo instead.', 'no-camera');
      return;
    }
    // Not "Capture": that is the mode tab's name; a screen reader user must tell the two apart.
    const shutter = el('button', { type: 'button', class: 'primary', 'data-action': 'shutter' }, 'Take the photo');
    shutter.style.cssText = 'position:absolute;bottom:var(--gap);left:50%;transform:translateX(-50%);z-index:1';
    shutter.addEventListener('click', () => {
      const frame = grabFrame(this.video);
      stopCamera(this.video);
      void this.analysePhoto(frame);
    });
    this.stage.dataset.state = 'camera';
    this.stage.replaceChildren(this.video, shutter);
    shutter.focus();
  }

  private async usePhotoFile(file: File): Promise<void> {
    stopCamera(this.video);
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' }).catch(() => null);
    if (!bitmap) return this.showMessage('Cannot read that photo', `"${file.name}" is not a picture this browser can open. Choose a JPEG, PNG or WebP image.`, 'bad-file');
    try {
      await this.analysePhoto(grabFrame(bitmap));
    } finally {
      bitmap.close();
    }
  }

  private async analysePhoto(frame: CapturedFrame): Promise<void> {
    this.showMessage('Looking for people…', '', 'analysing', true);
    this.results.clear();
    let detections: PersonDetection[];
    try {
      const detector = await this.context.detector();
      const started = performance.now();
      detections = await detector.detectPeople(frame.image);
      this.context.status.showInferenceMs(performance.now() - started);
    } catch (error) {
      return this.showMessage('The model is not ready', error instanceof Error ? error.message : String(error), 'model-error');
    }
    this.photo = { frame, detections };
    await this.renderPhoto();
    if (detections.length === 0) {
      this.results.showMessage('No person found in this photo. Try another one, with the whole person in view.');
      this.stage.dataset.state = 'no-person';
      this.takePhoto.focus();
      return;
    }
    const chosen = largestBoxIndex(detections.map((d) => d.box));
    // The shutter (or file button) is gone or done: focus goes to the person searched, not to <body>.
    this.stage.querySelector<HTMLButtonElement>(`button.person[data-person="${chosen}"]`)?.focus();
    await this.select(chosen);
  }

  private async renderPhoto(): Promise<void> {
    const photo = this.photo!;
    if (this.photoUrl) URL.revokeObjectURL(this.photoUrl);
    this.photoUrl = URL.createObjectURL(await encodeJpeg(photo.frame.canvas));
    const { width, height } = photo.frame.image;
    const wrapper = el('div', { class: 'photo', 'data-role': 'query-photo' }, el('img', { src: this.photoUrl, alt: 'Query photo' }));
    wrapper.style.aspectRatio = `${width} / ${height}`;
    // Fit the photo inside the stage whatever the orientation.
    wrapper.style.width = `min(100%, calc((100cqh) * ${width / height}))`;
    photo.detections.forEach((detection, index) => {
      const rect = boxToPercentRect(detection.box, width, height);
      const button = el('button', { type: 'button', class: 'person', 'aria-pressed': 'false', 'aria-label': `Person ${index + 1}`, 'data-person': String(index) });
      Object.assign(button.style, { left: `${rect.left}%`, top: `${rect.top}%`, width: `${rect.width}%`, height: `${rect.height}%` });
      button.addEventListener('click', () => void this.select(index));
      wrapper.append(button);
    });
    if (photo.detections.length === 0) {
      wrapper.append(el('div', { class: 'stage-message', role: 'alert', style: 'position:absolute;inset:auto 0 0 0;background:rgba(0,0,0,.7)' }, el('strong', {}, 'No person found')));
    }
    this.stage.dataset.state = 'photo';
    this.stage.replaceChildren(wrapper);
  }

  private async select(index: number): Promise<void> {
    const photo = this.photo;
    const detection = photo?.detections[index];
    if (!photo || !detection) return;
    for (const button of this.stage.querySelectorAll<HTMLButtonElement>('button.person')) {
      button.setAttribute('aria-pressed', String(button.dataset.person === String(index)));
    }
    this.results.showMessage('Searching…');
    try {
      photo.blobId ??= (await this.context.api.uploadBlob(await encodeJpeg(photo.frame.canvas))).blobId;
      const galleryIds = this.context.config.galleryId ? [this.context.config.galleryId] : [];
      const { hits, totalMs, teacherModelId } = await this.context.api.searchPerson({ blobId: photo.blobId, box: detection.box, galleryIds, topK: TOP_K });
      this.results.show(hits, totalMs, teacherModelId);
    } catch (error) {
      const offline = error instanceof ApiError && error.code === 'NETWORK';
      this.results.showMessage(offline ? 'Offline: searching needs a connection to the server.' : `Search failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private showMessage(title: string, detail: string, state: string, spinner = false): void {
    this.stage.dataset.state = state;
    this.stage.replaceChildren(el('div', { class: 'stage-message', role: 'status' }, spinner ? el('div', { class: 'spinner' }) : null, el('strong', {}, title), detail ? el('span', {}, detail) : null));
  }
}
