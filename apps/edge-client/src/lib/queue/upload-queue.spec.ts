// The upload queue against an in-memory API that keeps the server's contract:
// blobs are content-addressed and ingestFrame stores one frame per idempotency key.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { IngestFrameRequest, KioskApi, SearchResult, StudentModelLocation, UploadedBlob } from '../api/kiosk-api.js';
import { UPLOAD_BATCH, UploadQueue, type NewFrame, type QueueStatus } from './upload-queue.js';

type Failure = 'network' | 'lost-answer' | 'refused' | null;

class InMemoryApi implements KioskApi {
  readonly framesByKey = new Map<string, IngestFrameRequest>();
  blobUploads = 0;
  ingestCalls = 0;
  /** Failures to apply to the next ingestFrame calls, in order. */
  ingestFailures: Failure[] = [];
  blobFailures: Failure[] = [];
  /** /healthz answers (false = the server is down). */
  up = true;
  healthProbes = 0;
  blobAttempts = 0;

  async healthy(): Promise<boolean> {
    this.healthProbes += 1;
    return this.up;
  }

  async uploadBlob(image: Blob): Promise<UploadedBlob> {
    this.blobAttempts += 1;
    if (!this.up) throw new ApiError('NETWORK', 'No connection to the server');
    if (this.blobFailures.shift() === 'network') throw new ApiError('NETWORK', 'No connection to the server');
    this.blobUploads += 1;
    return { blobId: `sha-${image.size}`, width: 4, height: 4 };
  }

  /** ingestFrames calls, and the frames each held. */
  batches: string[][] = [];
  /** Frames the server refuses whenever they are sent (a batch holding one is refused whole). */
  refusedKeys = new Set<string>();

  async ingestFrames(requests: IngestFrameRequest[]): Promise<{ imageId: string }[]> {
    this.batches.push(requests.map((request) => request.idempotencyKey));
    const failure = this.ingestFailures.shift() ?? null;
    if (failure === 'network') throw new ApiError('NETWORK', 'No connection to the server');
    const refused = requests.findIndex((request) => this.refusedKeys.has(request.idempotencyKey));
    if (failure === 'refused' || refused >= 0) throw new ApiError('BAD_USER_INPUT', `frames[${Math.max(0, refused)}].detections[0].box is outside the image`);
    for (const request of requests) if (!this.framesByKey.has(request.idempotencyKey)) this.framesByKey.set(request.idempotencyKey, request);
    if (failure === 'lost-answer') throw new ApiError('NETWORK', 'connection reset');
    return requests.map((request) => ({ imageId: `image-${request.idempotencyKey}` }));
  }

  async ingestFrame(request: IngestFrameRequest): Promise<{ imageId: string }> {
    this.ingestCalls += 1;
    const failure = this.ingestFailures.shift() ?? null;
    if (failure === 'network') throw new ApiError('NETWORK', 'No connection to the server');
    if (failure === 'refused' || this.refusedKeys.has(request.idempotencyKey)) throw new ApiError('BAD_USER_INPUT', 'detections[0].box is outside the image');
    if (!this.framesByKey.has(request.idempotencyKey)) this.framesByKey.set(request.idempotencyKey, request);
    // The server committed, but the answer never reached the kiosk.
    if (failure === 'lost-answer') throw new ApiError('NETWORK', 'connection reset');
    return { imageId: `image-${request.idempotencyKey}` };
  }

  identity(): Promise<never> {
    throw new Error('not used');
  }
  searchPerson(): Promise<SearchResult> {
    throw new Error('not used');
  }
  activeStudent(): Promise<StudentModelLocation> {
    throw new Error('not used');
  }
  imageObjectUrl(): Promise<string> {
    throw new Error('not used');
  }
}

const FAST_BACKOFF = { baseMs: 5, maxMs: 20 };
const SCOPE = { apiBase: 'https://api.example', galleryId: 'gallery-1' };

function frame(key: string, capturedAt = '2026-01-01T00:00:00.000Z'): NewFrame {
  return {
    idempotencyKey: key,
    modelId: 'default-student',
    capturedAt,
    jpeg: new Blob([new Uint8Array([0xff, 0xd8, key.length])], { type: 'image/jpeg' }),
    detections: [{ box: { x1: 1, y1: 1, x2: 3, y2: 3 }, score: 0.9, embedding: 'AACAPw==' }],
  };
}

function until(queue: UploadQueue, done: (status: QueueStatus) => boolean, timeoutMs = 5_000): Promise<QueueStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`queue stuck at ${JSON.stringify(queue.status)}`)), timeoutMs);
    const check = () => {
      if (!done(queue.status)) return;
      clearTimeout(timer);
      queue.removeEventListener('change', check);
      resolve(queue.status);
    };
    queue.addEventListener('change', check);
    check();
  });
}

describe('UploadQueue', () => {
  let api: InMemoryApi;
  let queue: UploadQueue | undefined;

  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    api = new InMemoryApi();
  });
  afterEach(() => queue?.close());

  it('uploads the blob, then ingests the frame with its idempotency key', async () => {
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    await queue.enqueue(frame('k1'));
    const status = await until(queue, (s) => s.uploaded === 1 && s.pending === 0);
    expect(status).toMatchObject({ failed: 0, lastError: null, offline: false });
    expect([...api.framesByKey.keys()]).toEqual(['k1']);
    expect(api.framesByKey.get('k1')).toMatchObject({ blobId: 'sha-3', galleryId: 'gallery-1', modelId: 'default-student' });
  });

  it('keeps frames through network loss, reports offline, and sends each once when back', async () => {
    api.blobFailures = ['network', 'network', 'network'];
    api.ingestFailures = ['network'];
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    await queue.enqueue(frame('a', '2026-01-01T00:00:01.000Z'));
    await queue.enqueue(frame('b', '2026-01-01T00:00:02.000Z'));
    const offline = await until(queue, (s) => s.offline);
    expect(offline.lastError).toMatch(/^NETWORK/);
    const done = await until(queue, (s) => s.uploaded === 2 && s.pending === 0);
    expect(done.offline).toBe(false);
    expect([...api.framesByKey.keys()].sort()).toEqual(['a', 'b']);
  });

  it('shares one backoff while the server is down (probing /healthz, not re-sending frames), then clears the error', async () => {
    api.up = false;
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    for (const key of ['d1', 'd2', 'd3', 'd4', 'd5']) await queue.enqueue(frame(key, `2026-01-01T00:00:0${key[1]}.000Z`));
    const down = await until(queue, (s) => s.offline && s.pending === 5);
    expect(down.lastError).toMatch(/^NETWORK/);
    expect(down.retryAt).not.toBeNull();
    // Until at least three probes have gone out (a fixed 150 ms wait was too short for three on a busy machine).
    for (const deadline = Date.now() + 5_000; api.healthProbes < 3 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
    // One frame tried, then only probes: never one retry per queued frame.
    expect(api.blobAttempts).toBe(1);
    expect(api.healthProbes).toBeGreaterThanOrEqual(3);
    api.up = true;
    const recovered = await until(queue, (s) => s.uploaded === 5 && s.pending === 0);
    expect(recovered).toMatchObject({ lastError: null, offline: false, retryAt: null });
    expect(api.blobAttempts).toBe(6);
  });

  it('stores a frame once when the answer to ingestFrame is lost, and does not upload the blob again', async () => {
    api.ingestFailures = ['lost-answer'];
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    await queue.enqueue(frame('lost'));
    await until(queue, (s) => s.uploaded === 1 && s.pending === 0);
    expect(api.ingestCalls).toBe(2);
    expect(api.blobUploads).toBe(1);
    expect(api.framesByKey.size).toBe(1);
  });

  it('parks a frame the server refuses instead of retrying it forever', async () => {
    api.ingestFailures = ['refused'];
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    await queue.enqueue(frame('bad'));
    const status = await until(queue, (s) => s.failed === 1);
    expect(status).toMatchObject({ pending: 0, uploaded: 0, lastError: 'BAD_USER_INPUT: detections[0].box is outside the image' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.ingestCalls).toBe(1);
  });

  it('sends a backlog in batches once the server answers again, each frame once', async () => {
    api.up = false;
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    const keys = Array.from({ length: 11 }, (_, i) => `backlog-${String(i).padStart(2, '0')}`);
    for (const [i, key] of keys.entries()) await queue.enqueue(frame(key, `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`));
    await until(queue, (s) => s.offline && s.pending === 11);
    api.up = true;
    await until(queue, (s) => s.uploaded === 11 && s.pending === 0);
    // One frame after the outage (it shows uploads work again), then batches of at most UPLOAD_BATCH, oldest first.
    expect(api.ingestCalls).toBeGreaterThanOrEqual(1);
    expect(api.batches.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...api.batches.map((batch) => batch.length))).toBeLessThanOrEqual(UPLOAD_BATCH);
    expect(api.batches.flat()).toEqual([...api.batches.flat()].sort());
    expect([...api.framesByKey.keys()].sort()).toEqual(keys);
    expect(api.blobUploads).toBe(11);
  });

  it('sends a refused batch again frame by frame, parking only the refused frame', async () => {
    api.up = false;
    api.refusedKeys.add('batch-bad');
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    for (const [i, key] of ['batch-ok-1', 'batch-bad', 'batch-ok-2', 'batch-ok-3'].entries()) await queue.enqueue(frame(key, `2026-01-01T00:00:0${i}.000Z`));
    await until(queue, (s) => s.offline && s.pending === 4);
    api.up = true;
    const status = await until(queue, (s) => s.pending === 0 && s.failed === 1);
    expect(status.uploaded).toBe(3);
    expect(api.batches.some((batch) => batch.includes('batch-bad'))).toBe(true);
    expect([...api.framesByKey.keys()].sort()).toEqual(['batch-ok-1', 'batch-ok-2', 'batch-ok-3']);
  });

  it('stores a batch once when its answer is lost', async () => {
    api.up = false;
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    for (const [i, key] of ['lb-1', 'lb-2', 'lb-3', 'lb-4'].entries()) await queue.enqueue(frame(key, `2026-01-01T00:00:0${i}.000Z`));
    await until(queue, (s) => s.offline && s.pending === 4);
    // The probe's single frame goes through; the batch after it is stored but its answer lost.
    api.ingestFailures = [null, 'lost-answer'];
    api.up = true;
    await until(queue, (s) => s.uploaded === 4 && s.pending === 0);
    expect(api.batches.length).toBeGreaterThanOrEqual(2); // the lost one and its retry
    expect([...api.framesByKey.keys()].sort()).toEqual(['lb-1', 'lb-2', 'lb-3', 'lb-4']);
    expect(api.blobUploads).toBe(4);
  });

  it('finds frames queued before a reload and sends them', async () => {
    api.blobFailures = Array(1000).fill('network');
    const before = await UploadQueue.open(api, SCOPE, { baseMs: 60_000, maxMs: 60_000 });
    await before.enqueue(frame('r1'));
    await before.enqueue(frame('r2'));
    await until(before, (s) => s.offline && s.pending === 2);
    before.close();

    api.blobFailures = [];
    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    expect(queue.status.pending).toBe(2);
    await queue.retryNow();
    await until(queue, (s) => s.uploaded === 2 && s.pending === 0);
    expect([...api.framesByKey.keys()].sort()).toEqual(['r1', 'r2']);
  });

  it('sends only its own API and gallery\'s frames, leaving other elements\' frames queued', async () => {
    const other = await UploadQueue.open(api, { apiBase: SCOPE.apiBase, galleryId: 'gallery-2' }, { baseMs: 60_000, maxMs: 60_000 });
    api.blobFailures = ['network'];
    await other.enqueue(frame('theirs'));
    await until(other, (s) => s.offline);
    other.close();

    queue = await UploadQueue.open(api, SCOPE, FAST_BACKOFF);
    await queue.enqueue(frame('mine'));
    const status = await until(queue, (s) => s.uploaded === 1 && s.pending === 0);
    expect(status.failed).toBe(0);
    expect([...api.framesByKey.keys()]).toEqual(['mine']);
    const reopened = await UploadQueue.open(api, { apiBase: SCOPE.apiBase, galleryId: 'gallery-2' }, FAST_BACKOFF);
    expect(reopened.status.pending).toBe(1);
    reopened.close();
  });
});
