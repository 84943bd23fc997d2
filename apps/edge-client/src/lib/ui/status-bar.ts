// The row of status chips: which backend runs, the model download, inference ms
// per frame, the upload queue and connectivity. Staff read it at a glance.
import type { InferenceBackend, DownloadProgress } from '../inference/person-detector.js';
import type { QueueStatus } from '../queue/upload-queue.js';
import { el } from './element-builder.js';

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export class StatusBar {
  readonly root = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly backend = el('span', { class: 'chip', 'data-status': 'backend' }, 'Model: not loaded');
  private readonly inference = el('span', { class: 'chip', 'data-status': 'inference', hidden: true });
  private readonly queue = el('span', { class: 'chip', 'data-status': 'queue', hidden: true });
  private readonly connectivity = el('span', { class: 'chip danger', 'data-status': 'connectivity', hidden: true }, 'Offline');

  constructor() {
    this.root.append(this.backend, this.inference, this.queue, this.connectivity);
  }

  showDownload(modelId: string, progress: DownloadProgress): void {
    const bar = el('progress', { max: String(progress.totalBytes ?? 1), value: String(progress.totalBytes ? progress.loadedBytes : 0) });
    const size = progress.totalBytes ? `${megabytes(progress.loadedBytes)} / ${megabytes(progress.totalBytes)}` : megabytes(progress.loadedBytes);
    this.backend.className = 'chip';
    this.backend.dataset.phase = 'download';
    this.backend.replaceChildren(`${progress.fromCache ? 'Loading' : 'Downloading'} ${modelId}`, bar, size);
  }

  /** Download done (or cached): the runtime compiles the model and runs a first frame, a separate wait from the download. */
  showPreparing(modelId: string): void {
    this.backend.className = 'chip';
    this.backend.dataset.phase = 'preparing';
    this.backend.replaceChildren(el('span', { class: 'spinner small', 'aria-hidden': 'true' }), `Preparing model ${modelId}…`);
  }

  showBackend(backend: InferenceBackend, threads: number, modelId: string, modelBytes: number, reason = ''): void {
    this.backend.className = 'chip';
    this.backend.dataset.backend = backend;
    this.backend.dataset.phase = 'ready';
    this.backend.dataset.reason = reason;
    this.backend.title = reason;
    const engine = backend === 'webgpu' ? 'WebGPU' : `WASM · ${threads} thread${threads === 1 ? '' : 's'}`;
    this.backend.replaceChildren([engine, modelId, modelBytes > 0 ? megabytes(modelBytes) : null].filter(Boolean).join(' · '));
  }

  showModelError(message: string): void {
    this.backend.className = 'chip danger';
    this.backend.dataset.phase = 'error';
    this.backend.replaceChildren(`Model unavailable: ${message}`);
  }

  showInferenceMs(milliseconds: number): void {
    this.inference.hidden = false;
    this.inference.dataset.ms = String(Math.round(milliseconds));
    this.inference.textContent = `${Math.round(milliseconds)} ms / frame`;
  }

  showQueue(status: QueueStatus): void {
    this.queue.hidden = false;
    this.queue.className = status.failed > 0 ? 'chip danger' : status.pending > 0 ? 'chip warn' : 'chip';
    this.queue.dataset.pending = String(status.pending);
    this.queue.dataset.uploaded = String(status.uploaded);
    // The same "waiting to send" number as the capture panel, under the same name.
    const parts = [`${status.pending} waiting to send`, `${status.uploaded} sent`];
    if (status.failed > 0) parts.push(`${status.failed} refused`);
    this.queue.textContent = parts.join(' · ');
    this.queue.title = status.lastError ? `Last error: ${status.lastError}` : '';
  }

  showOnline(online: boolean): void {
    this.connectivity.hidden = online;
  }
}
