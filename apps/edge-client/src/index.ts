// Public API of the edge client: register the <person-search-kiosk> element.
// Host pages normally just load dist/person-search-kiosk.js, which calls this.
import { createKioskElementClass, type KioskElementOptions } from './lib/kiosk-element.js';

export const KIOSK_TAG = 'person-search-kiosk';

export type { KioskElementOptions } from './lib/kiosk-element.js';
export type { KioskConfig, KioskMode, BackendChoice } from './lib/config.js';
export type { QueueStatus } from './lib/queue/upload-queue.js';

/** Defines the element once (a second call, e.g. from two script tags, is a no-op). */
export function defineKioskElement(options: KioskElementOptions): void {
  if (!customElements.get(KIOSK_TAG)) customElements.define(KIOSK_TAG, createKioskElementClass(options));
}
