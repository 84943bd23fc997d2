// The element's configuration, read from its attributes. Attribute names are
// the public contract with host pages: api, key, gallery, mode, interval, backend.

export type KioskMode = 'capture' | 'search';
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

export interface KioskConfig {
  /** API origin (e.g. https://search.example.com); defaults to the page's origin. */
  apiBase: string;
  /** API key `psk_<prefix>_<secret>`: DEVICE for capture, SEARCH for search. */
  apiKey: string;
  /** Gallery id frames are ingested into and searches are limited to (optional for search). */
  galleryId: string;
  mode: KioskMode;
  /** Milliseconds between camera frames in capture mode. */
  captureIntervalMs: number;
  backend: BackendChoice;
  /** Hides the capture/search switch so visitors stay in one mode. */
  modeLocked: boolean;
}

export const OBSERVED_ATTRIBUTES = ['api', 'key', 'gallery', 'mode', 'interval', 'backend', 'locked'] as const;

const MIN_INTERVAL_MS = 100;
const DEFAULT_INTERVAL_MS = 1000;

export function readConfig(element: HTMLElement, pageOrigin: string): KioskConfig {
  const interval = Number(element.getAttribute('interval'));
  const backend = element.getAttribute('backend');
  return {
    apiBase: (element.getAttribute('api') || pageOrigin).replace(/\/+$/, ''),
    apiKey: element.getAttribute('key') ?? '',
    galleryId: element.getAttribute('gallery') ?? '',
    mode: element.getAttribute('mode') === 'search' ? 'search' : 'capture',
    captureIntervalMs: Number.isFinite(interval) && interval >= MIN_INTERVAL_MS ? interval : DEFAULT_INTERVAL_MS,
    backend: backend === 'webgpu' || backend === 'wasm' ? backend : 'auto',
    modeLocked: element.hasAttribute('locked'),
  };
}
