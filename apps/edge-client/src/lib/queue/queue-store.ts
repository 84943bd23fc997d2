// IndexedDB persistence for frames waiting to be uploaded, so neither a reload
// nor a lost network drops a frame. One object store keyed by the frame's
// idempotency key; the JPEG is stored as a Blob.
import type { FrameDetection } from '../api/kiosk-api.js';

export interface QueuedFrame {
  idempotencyKey: string;
  /** The API the frame is for; with galleryId it scopes which element uploads it. */
  apiBase: string;
  galleryId: string;
  modelId: string;
  capturedAt: string;
  jpeg: Blob;
  detections: FrameDetection[];
  /** Set once the blob is stored, so a retry only repeats `ingestFrame`. */
  blobId?: string;
  attempts: number;
  /** Unused since retries share one circuit (upload-queue.ts); kept so frames stored by older builds still load. */
  notBefore: number;
  /** `failed` frames were refused by the server (e.g. BAD_USER_INPUT) and wait for staff. */
  state: 'pending' | 'failed';
  lastError?: string;
}

const DATABASE_NAME = 'person-search-kiosk';
const STORE = 'upload-queue';

export class QueueStore {
  private constructor(private readonly database: IDBDatabase) {}

  static open(): Promise<QueueStore> {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DATABASE_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: 'idempotencyKey' });
      };
      request.onsuccess = () => resolve(new QueueStore(request.result));
      request.onerror = () => reject(request.error);
    });
  }

  put(frame: QueuedFrame): Promise<void> {
    return this.run('readwrite', (store) => store.put(frame)).then(() => undefined);
  }

  delete(idempotencyKey: string): Promise<void> {
    return this.run('readwrite', (store) => store.delete(idempotencyKey)).then(() => undefined);
  }

  all(): Promise<QueuedFrame[]> {
    return this.run('readonly', (store) => store.getAll() as IDBRequest<QueuedFrame[]>);
  }

  close(): void {
    this.database.close();
  }

  private run<T>(mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const transaction = this.database.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      // Resolve on commit, not on request success: a reload right after must find the write.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }
}
