// Uploads captured frames in the background, oldest first: blob first, then
// `ingestFrame` with the frame's idempotency key, so a retry after a lost
// answer stores the frame once. A backlog (after an outage, a reload) goes up to
// BATCH frames per `ingestFrames` request once the server answers again: the
// blobs one by one, then one request for the frames. A transient failure opens
// one shared circuit (jittered backoff, then a /healthz probe and a single frame
// before the next batch); refusals park the frame (a refused batch is sent again
// frame by frame, so only the refused one is parked).
import { ApiError } from '../api/api-error.js';
import type { KioskApi } from '../api/kiosk-api.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { UploadCircuit } from './circuit.js';
import { QueueStore, type QueuedFrame } from './queue-store.js';

export interface QueueStatus {
  /** Frames waiting to be sent (the one number the status bar and the capture panel show). */
  pending: number;
  failed: number;
  /** Frames stored by the server since this page loaded. */
  uploaded: number;
  /** Why the last attempt failed; cleared by the next successful upload. */
  lastError: string | null;
  /** The last attempt failed for want of a connection. */
  offline: boolean;
  /** Epoch ms of the next attempt while the circuit is open, else null. */
  retryAt: number | null;
}

export type NewFrame = Pick<QueuedFrame, 'idempotencyKey' | 'modelId' | 'capturedAt' | 'jpeg' | 'detections'>;

/**
 * Which frames a queue owns: one origin's IndexedDB may hold frames of several
 * elements (two galleries on one page, or a kiosk reconfigured); each is sent
 * only by an element for its own API and gallery, with that element's key.
 */
export interface QueueScope {
  apiBase: string;
  galleryId: string;
}

/** Only one tab per scope uploads at a time (Web Locks); the others keep queueing. */
const UPLOAD_LOCK_PREFIX = 'person-search-kiosk-upload:';
/** Frames per `ingestFrames` request when more than one is waiting (the server takes up to 32). */
export const UPLOAD_BATCH = 8;
const LOCK_BUSY_RECHECK_MS = 5_000;

type FrameWithBlob = QueuedFrame & { blobId: string };

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError('INTERNAL_SERVER_ERROR', String(error), { cause: error });
}

export class UploadQueue extends EventTarget {
  private current: QueueStatus = { pending: 0, failed: 0, uploaded: 0, lastError: null, offline: false, retryAt: null };
  private readonly circuit: UploadCircuit;
  private draining = false;
  private wakeAgain = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  private constructor(
    private readonly store: QueueStore,
    private readonly api: KioskApi,
    private readonly scope: QueueScope,
    backoff: BackoffPolicy,
  ) {
    super();
    this.circuit = new UploadCircuit(backoff);
  }

  static async open(api: KioskApi, scope: QueueScope, backoff: BackoffPolicy = DEFAULT_BACKOFF): Promise<UploadQueue> {
    const queue = new UploadQueue(await QueueStore.open(), api, scope, backoff);
    await queue.refreshCounts();
    return queue;
  }

  get status(): QueueStatus {
    return { ...this.current };
  }

  async enqueue(frame: NewFrame): Promise<void> {
    await this.store.put({ ...frame, apiBase: this.scope.apiBase, galleryId: this.scope.galleryId, attempts: 0, notBefore: 0, state: 'pending' });
    await this.refreshCounts();
    this.wake();
  }

  /** Probes the server now instead of waiting out the backoff (e.g. the browser reports it is back online). */
  async retryNow(): Promise<void> {
    this.circuit.expedite();
    this.wake();
  }

  /** Starts draining whatever is stored (frames from before a reload included). */
  wake(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    this.draining = true;
    void this.drainWithLock().finally(() => {
      this.draining = false;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.store.close();
  }

  private async drainWithLock(): Promise<void> {
    if (typeof navigator === 'undefined' || !navigator.locks) return this.drain();
    await navigator.locks.request(`${UPLOAD_LOCK_PREFIX}${this.scope.apiBase}|${this.scope.galleryId}`, { ifAvailable: true }, async (lock) => {
      if (lock) await this.drain();
      else this.schedule(LOCK_BUSY_RECHECK_MS);
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const pending = (await this.ownFrames()).filter((frame) => frame.state === 'pending').sort((a, b) => a.capturedAt.localeCompare(b.capturedAt));
      const oldest = pending[0];
      if (!oldest) return;
      const wait = this.circuit.waitMs(Date.now());
      if (wait > 0) return this.schedule(wait);
      // After a failure, a cheap probe decides whether the server is back before a frame is sent again.
      if (this.circuit.isOpen && !(await this.api.healthy())) {
        this.recordFailure(new ApiError('NETWORK', 'The server does not answer'));
      } else if (this.circuit.isOpen || pending.length === 1) {
        await this.upload(oldest); // after a failure, one frame shows whether uploads work again
      } else {
        await this.uploadBatch(pending.slice(0, UPLOAD_BATCH));
      }
      await this.refreshCounts();
    }
  }

  private recordFailure(error: ApiError): void {
    const now = Date.now();
    this.current.retryAt = now + this.circuit.fail(now);
    this.current.lastError = `${error.code}: ${error.message}`;
    this.current.offline = error.code === 'NETWORK';
  }

  /** Blobs first (one by one, each kept once stored), then one `ingestFrames` for the frames that have theirs. */
  private async uploadBatch(frames: QueuedFrame[]): Promise<void> {
    const ready: FrameWithBlob[] = [];
    for (const frame of frames) {
      try {
        ready.push(await this.withBlob(frame));
      } catch (error) {
        if (!(await this.failed(frame, error))) return; // transient: the circuit is open, stop here
      }
    }
    if (ready.length === 0) return;
    try {
      await this.api.ingestFrames(ready.map((frame) => this.ingestRequest(frame)));
    } catch (error) {
      const apiError = asApiError(error);
      if (apiError.transient) {
        for (const frame of ready) await this.saveAttempt(frame, apiError);
        this.recordFailure(apiError); // one failure of the server, however many frames it held
        return;
      }
      // Refused: all or none was stored. Frame by frame, only the refused one is parked (the others are stored,
      // once each: their keys are unchanged).
      for (const frame of ready) await this.upload(frame);
      return;
    }
    for (const frame of ready) await this.store.delete(frame.idempotencyKey);
    this.succeeded(ready.length);
  }

  /** The frame with its blob on the server: uploaded now, and kept on the stored frame, unless an earlier attempt did. */
  private async withBlob(frame: QueuedFrame): Promise<FrameWithBlob> {
    if (frame.blobId) return frame as FrameWithBlob;
    const uploaded = { ...frame, blobId: (await this.api.uploadBlob(frame.jpeg)).blobId };
    await this.store.put(uploaded);
    return uploaded;
  }

  private ingestRequest(frame: FrameWithBlob) {
    return { idempotencyKey: frame.idempotencyKey, galleryId: frame.galleryId, blobId: frame.blobId, capturedAt: frame.capturedAt, modelId: frame.modelId, detections: frame.detections };
  }

  private succeeded(frames: number): void {
    this.current.uploaded += frames;
    this.circuit.succeed();
    // Recovered: an old error would only mislead staff (refused frames keep their own count).
    Object.assign(this.current, { offline: false, lastError: null, retryAt: null });
  }

  /**
   * Records a frame's failed attempt: a transient one keeps it pending and opens the circuit, a refusal parks
   * it. Returns whether the next frame may go at once (a refusal).
   */
  private async failed(frame: QueuedFrame, error: unknown): Promise<boolean> {
    const apiError = asApiError(error);
    await this.saveAttempt(frame, apiError);
    if (apiError.transient) {
      this.recordFailure(apiError);
      return false;
    }
    // A refusal is about this frame, not the server: the next frame goes at once.
    this.current.lastError = `${apiError.code}: ${apiError.message}`;
    return true;
  }

  /** Stores a failed attempt on the frame (its blob id kept): pending again after a transient failure, parked after a refusal. */
  private async saveAttempt(frame: QueuedFrame, apiError: ApiError): Promise<void> {
    await this.store.put({ ...frame, attempts: frame.attempts + 1, lastError: `${apiError.code}: ${apiError.message}`, state: apiError.transient ? 'pending' : 'failed', notBefore: 0 });
  }

  private async upload(frame: QueuedFrame): Promise<void> {
    let attempted = frame;
    try {
      const withBlob = await this.withBlob(frame);
      attempted = withBlob; // a failure below keeps the blob id on the stored frame
      await this.api.ingestFrame(this.ingestRequest(withBlob));
      await this.store.delete(frame.idempotencyKey);
      this.succeeded(1);
    } catch (error) {
      await this.failed(attempted, error);
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(0, delayMs));
  }

  private async ownFrames(): Promise<QueuedFrame[]> {
    return (await this.store.all()).filter((frame) => frame.apiBase === this.scope.apiBase && frame.galleryId === this.scope.galleryId);
  }

  private async refreshCounts(): Promise<void> {
    const frames = await this.ownFrames();
    this.current.pending = frames.filter((frame) => frame.state === 'pending').length;
    this.current.failed = frames.length - this.current.pending;
    this.dispatchEvent(new Event('change'));
  }
}
