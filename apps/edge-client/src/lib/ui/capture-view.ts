// Capture mode: the camera (or dropped/picked files) at the configured interval,
// the student on each frame, boxes over the live view, and frames with people
// queued for upload.
import { embeddingToBase64, type PersonDetection } from '@person-search/model';
import { CameraUnavailableError, startCamera, stopCamera } from '../capture/camera.js';
import { framesFromFiles, isSupportedFile } from '../capture/file-frames.js';
import { encodeJpeg, grabFrame, type CapturedFrame } from '../capture/frame.js';
import { newIdempotencyKey, type KioskContext, type KioskView } from '../kiosk-context.js';
import { el } from './element-builder.js';
import { drawDetections } from './overlay.js';

const CAMERA_MESSAGES: Record<string, string> = {
  unsupported: 'This browser cannot open a camera here (it needs HTTPS or localhost).',
  denied: 'Camera access was refused. Allow it in the browser settings, or use files.',
  'not-found': 'No camera is connected.',
  failed: 'The camera could not be started.',
};

export class CaptureView implements KioskView {
  readonly root: HTMLElement;
  private readonly video = el('video', { muted: true, playsinline: true, 'aria-hidden': 'true' });
  private readonly overlay = el('canvas', { 'data-role': 'overlay', 'aria-label': 'Detected people' });
  private readonly stage = el('div', { class: 'stage', 'data-role': 'stage' });
  private readonly message = el('div', { class: 'stage-message', role: 'alert', hidden: true });
  /** What became of the last picked or dropped file (no person, not a picture), over the picture's foot. */
  private readonly notice = el('p', { class: 'notice', role: 'status', 'data-role': 'notice', hidden: true });
  private readonly toggle = el('button', { class: 'primary', type: 'button', 'data-action': 'toggle-camera' }, 'Pause');
  private readonly fileInput = el('input', { type: 'file', accept: 'image/*,video/*', multiple: true, hidden: true });
  private readonly facts = {
    frames: el('dd', { 'data-fact': 'frames' }, '0'),
    people: el('dd', { 'data-fact': 'people' }, '–'),
    waiting: el('dd', { 'data-fact': 'waiting' }, '0'),
    lastError: el('dd', { 'data-fact': 'last-error' }, 'none'),
    backend: el('dd', { 'data-fact': 'backend' }, 'loading…'),
  };
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private cameraOn = false;
  private framesAnalysed = 0;
  /** Frames are numbered as they are taken; a result older than the one on screen is never drawn. */
  private frameTicket = 0;
  private drawnTicket = 0;

  constructor(private readonly context: KioskContext) {
    const chooseFiles = el('button', { type: 'button', 'data-action': 'choose-files' }, 'Use photos or videos');
    chooseFiles.addEventListener('click', () => this.fileInput.click());
    this.toggle.addEventListener('click', () => (this.cameraOn ? this.pauseCamera() : void this.resumeCamera()));
    this.fileInput.addEventListener('change', () => {
      void this.analyseFiles([...(this.fileInput.files ?? [])]);
      this.fileInput.value = '';
    });
    this.stage.append(this.video, this.overlay, this.message, this.notice);
    this.listenForDrops();
    const gallery = context.config.galleryId;
    this.root = el(
      'section',
      { class: 'view capture', 'aria-label': 'Capture' },
      this.stage,
      el(
        'aside',
        { class: 'panel' },
        el('div', { class: 'actions' }, this.toggle, chooseFiles),
        el('p', { class: 'hint' }, 'Or drop photos and videos on the picture.'),
        el(
          'dl',
          { class: 'facts' },
          el('dt', {}, 'Frames analysed'),
          this.facts.frames,
          el('dt', {}, 'People in last frame'),
          this.facts.people,
          el('dt', {}, 'Waiting to send'),
          this.facts.waiting,
          el('dt', {}, 'Gallery'),
          el('dd', { 'data-fact': 'gallery', title: gallery }, gallery || 'not set'),
          el('dt', {}, 'Last upload error'),
          this.facts.lastError,
          el('dt', {}, 'Model runs on'),
          this.facts.backend,
        ),
        this.fileInput,
      ),
    );
    context.queue?.addEventListener('change', this.onQueueChange);
  }

  start(): void {
    void this.resumeCamera();
    // Start the model download now rather than on the first frame; say where it runs and why (staff diagnose slow kiosks here).
    this.context.detector().then(
      (detector) => {
        const engine = detector.backend === 'webgpu' ? 'WebGPU' : `WASM, ${detector.threads} thread${detector.threads === 1 ? '' : 's'}`;
        this.facts.backend.textContent = detector.backendReason ? `${engine} — ${detector.backendReason}` : engine;
      },
      () => (this.facts.backend.textContent = 'not loaded'),
    );
  }

  stop(): void {
    this.pauseCamera();
    this.context.queue?.removeEventListener('change', this.onQueueChange);
  }

  private readonly onQueueChange = () => {
    const status = this.context.queue?.status;
    this.facts.lastError.textContent = status?.lastError ?? 'none';
    this.facts.waiting.textContent = String(status?.pending ?? 0);
  };

  private async resumeCamera(): Promise<void> {
    this.showMessage(null);
    try {
      await startCamera(this.video);
    } catch (error) {
      const reason = error instanceof CameraUnavailableError ? error.reason : 'failed';
      this.showMessage('No camera', CAMERA_MESSAGES[reason] ?? CAMERA_MESSAGES.failed!, 'no-camera');
      // Not a dimmed "Pause": a camera plugged in or allowed later is one press away, and files are the main action now.
      this.toggle.classList.remove('primary');
      this.toggle.textContent = 'Retry camera';
      return;
    }
    this.cameraOn = true;
    this.video.hidden = false;
    this.toggle.classList.add('primary');
    this.toggle.textContent = 'Pause';
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.analyseCameraFrame(), this.context.config.captureIntervalMs);
  }

  private pauseCamera(): void {
    clearInterval(this.timer);
    stopCamera(this.video);
    this.cameraOn = false;
    this.toggle.textContent = 'Start camera';
  }

  private async analyseCameraFrame(): Promise<void> {
    // A slow backend must not pile up frames: skip ticks while one is in flight.
    if (this.busy || this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    this.busy = true;
    try {
      await this.analyse(grabFrame(this.video));
    } finally {
      this.busy = false;
    }
  }

  private async analyseFiles(files: File[]): Promise<void> {
    const supported = files.filter(isSupportedFile);
    const refused = files.filter((file) => !isSupportedFile(file)).map((file) => file.name);
    if (supported.length === 0) {
      if (refused.length > 0) this.showNotice(`Not a photo or video: ${refused.join(', ')}. Use JPEG, PNG or WebP photos, or videos.`, 'not-image');
      return;
    }
    this.pauseCamera();
    this.video.hidden = true;
    this.showMessage(null);
    this.showNotice(null);
    this.busy = true;
    let people = 0;
    let frames = 0;
    try {
      for await (const frame of framesFromFiles(supported, this.context.config.captureIntervalMs)) {
        frames += 1;
        people += await this.analyse(frame);
      }
    } catch (error) {
      this.showMessage('Cannot read that file', `${error instanceof Error ? error.message : String(error)}. Use JPEG, PNG or WebP photos, or videos.`, 'bad-file');
      return;
    } finally {
      this.busy = false;
    }
    const skipped = refused.length > 0 ? ` Skipped (not a photo or video): ${refused.join(', ')}.` : '';
    if (frames > 0 && people === 0) this.showNotice(`No person found in ${supported.length === 1 ? 'this photo' : 'these files'}: nothing was sent.${skipped}`, 'no-person');
    else if (skipped) this.showNotice(skipped.trim(), 'not-image');
  }

  /** Runs the student on one frame, draws the result over that same frame, queues it; returns the people found. */
  private async analyse(frame: CapturedFrame): Promise<number> {
    const ticket = ++this.frameTicket;
    let detections: PersonDetection[] = [];
    let modelId = '';
    try {
      const detector = await this.context.detector();
      modelId = detector.modelId;
      const started = performance.now();
      detections = await detector.detectPeople(frame.image);
      this.context.status.showInferenceMs(performance.now() - started);
    } catch {
      // The status bar already names the model failure; keep showing the picture.
    }
    this.framesAnalysed += 1;
    this.facts.frames.textContent = String(this.framesAnalysed);
    this.facts.people.textContent = String(detections.length);
    // The frame's own pixels go under its boxes (the live video has moved on meanwhile), and a
    // result that finishes after a newer one was drawn is dropped rather than drawn over it.
    if (ticket > this.drawnTicket) {
      this.drawnTicket = ticket;
      drawDetections(this.overlay, frame.image.width, frame.image.height, detections, frame.canvas);
      Object.assign(this.overlay.dataset, { frame: String(ticket), people: String(detections.length) });
    }
    try {
      await this.enqueue(frame, detections, modelId);
    } catch (error) {
      // IndexedDB full or unavailable: say so instead of silently dropping frames.
      this.facts.lastError.textContent = `Cannot queue the frame: ${error instanceof Error ? error.message : String(error)}`;
    }
    return detections.length;
  }

  private async enqueue(frame: CapturedFrame, detections: PersonDetection[], modelId: string): Promise<void> {
    const queue = this.context.queue;
    // A bare detector (no re-ID head) gives no embeddings: nothing to search later, so nothing to send.
    const people = detections.filter((detection): detection is PersonDetection & { embedding: Float32Array } => detection.embedding !== null);
    if (!queue || people.length === 0) return;
    await queue.enqueue({
      idempotencyKey: newIdempotencyKey(),
      modelId,
      capturedAt: frame.capturedAt.toISOString(),
      jpeg: await encodeJpeg(frame.canvas),
      detections: people.map(({ box, score, embedding }) => ({
        box: { x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2 },
        score,
        embedding: embeddingToBase64(embedding),
      })),
    });
  }

  private showNotice(text: string | null, kind = ''): void {
    this.notice.hidden = text === null;
    this.notice.textContent = text ?? '';
    this.notice.dataset.kind = kind;
  }

  private showMessage(title: string | null, detail = '', state = ''): void {
    this.message.hidden = title === null;
    this.stage.dataset.state = state;
    if (title === null) return;
    const chooseFiles = el('button', { type: 'button' }, 'Use photos or videos');
    chooseFiles.addEventListener('click', () => this.fileInput.click());
    this.message.replaceChildren(el('strong', {}, title), el('span', {}, detail), chooseFiles);
  }

  private listenForDrops(): void {
    this.stage.addEventListener('dragover', (event) => {
      event.preventDefault();
      this.stage.classList.add('dragging');
    });
    this.stage.addEventListener('dragleave', () => this.stage.classList.remove('dragging'));
    this.stage.addEventListener('drop', (event) => {
      event.preventDefault();
      this.stage.classList.remove('dragging');
      void this.analyseFiles([...(event.dataTransfer?.files ?? [])]);
    });
  }
}
