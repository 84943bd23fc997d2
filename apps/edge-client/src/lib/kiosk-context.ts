// What the element hands its views: configuration, the network and inference
// layers, the upload queue and the status bar. Built once per connected element.
import type { KioskApi } from './api/kiosk-api.js';
import type { KioskConfig } from './config.js';
import type { PersonDetector } from './inference/person-detector.js';
import type { UploadQueue } from './queue/upload-queue.js';
import type { StatusBar } from './ui/status-bar.js';

export interface KioskContext {
  readonly config: KioskConfig;
  readonly api: KioskApi;
  /** Loads the student on first call (download, checksum, cache) and reuses it afterwards. */
  detector(): Promise<PersonDetector>;
  /** null in search mode or when no gallery is configured. */
  readonly queue: UploadQueue | null;
  readonly status: StatusBar;
}

export interface KioskView {
  readonly root: HTMLElement;
  start(): void;
  /** Releases the camera, timers and object URLs. */
  stop(): void;
}

/** Random idempotency key; crypto.randomUUID needs a secure context, which a LAN kiosk may lack. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
