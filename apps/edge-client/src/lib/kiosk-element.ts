// <person-search-kiosk api key gallery mode="capture|search" interval backend locked>:
// the whole kiosk in one custom element with its own shadow DOM, so a host page
// embeds it with one script tag and no framework.
import { HttpKioskApi } from './api/http-kiosk-api.js';
import type { KioskApi } from './api/kiosk-api.js';
import { OBSERVED_ATTRIBUTES, readConfig, type KioskConfig, type KioskMode } from './config.js';
import type { PersonDetector } from './inference/person-detector.js';
import { recallStudentLocation, rememberStudentLocation } from './inference/student-location-store.js';
import { loadWebStudentDetector } from './inference/web-student-detector.js';
import type { KioskContext, KioskView } from './kiosk-context.js';
import { UploadQueue } from './queue/upload-queue.js';
import { CaptureView } from './ui/capture-view.js';
import { el } from './ui/element-builder.js';
import { SearchView } from './ui/search-view.js';
import { StatusBar } from './ui/status-bar.js';
import { KIOSK_CSS } from './ui/styles.js';

export interface KioskElementOptions {
  /** Folder URL of onnxruntime-web's wasm files; the build ships them in `ort/` beside the script. */
  wasmPaths: string;
}

export function createKioskElementClass(options: KioskElementOptions): CustomElementConstructor {
  return class PersonSearchKiosk extends HTMLElement {
    static observedAttributes = [...OBSERVED_ATTRIBUTES];
    private readonly shadow = this.attachShadow({ mode: 'open' });
    private view: KioskView | null = null;
    private queue: UploadQueue | null = null;
    private detectorPromise: Promise<PersonDetector> | null = null;
    private detectorKey = '';
    private renderScheduled = false;
    private readonly offlineBanner = el('div', { class: 'banner', role: 'alert', 'data-role': 'offline', hidden: true });

    constructor() {
      super();
      // Kiosk visitors long-press; a context menu or a text selection would strand them.
      this.addEventListener('contextmenu', (event) => event.preventDefault());
    }

    get mode(): KioskMode {
      return readConfig(this, location.origin).mode;
    }

    set mode(mode: KioskMode) {
      this.setAttribute('mode', mode);
    }

    /** Upload queue state (pending, failed, uploaded, lastError), or null in search mode. */
    get queueStatus() {
      return this.queue?.status ?? null;
    }

    /** Retries queued frames now instead of waiting for their backoff. */
    retryUploads(): Promise<void> {
      return this.queue?.retryNow() ?? Promise.resolve();
    }

    connectedCallback(): void {
      window.addEventListener('online', this.onConnectivity);
      window.addEventListener('offline', this.onConnectivity);
      this.scheduleRender();
    }

    disconnectedCallback(): void {
      window.removeEventListener('online', this.onConnectivity);
      window.removeEventListener('offline', this.onConnectivity);
      this.teardown();
    }

    attributeChangedCallback(): void {
      if (this.isConnected) this.scheduleRender();
    }

    private readonly onConnectivity = () => {
      this.updateOfflineBanner();
      if (navigator.onLine) void this.queue?.retryNow();
    };

    /** Several attributes often change together: render once after them. */
    private scheduleRender(): void {
      if (this.renderScheduled) return;
      this.renderScheduled = true;
      queueMicrotask(() => {
        this.renderScheduled = false;
        void this.render();
      });
    }

    private teardown(): void {
      this.view?.stop();
      this.view = null;
      this.queue?.close();
      this.queue = null;
    }

    private async render(): Promise<void> {
      // A keyboard user who switched modes keeps focus on the switch when the view is rebuilt.
      const focused = this.shadow.activeElement;
      const focusedMode = focused instanceof HTMLElement && focused.closest('.modes') ? focused.dataset.mode : undefined;
      this.teardown();
      const config = readConfig(this, location.origin);
      const api = new HttpKioskApi(config.apiBase, config.apiKey);
      const status = new StatusBar();
      const canUpload = config.mode === 'capture' && config.galleryId !== '' && config.apiKey !== '';
      const queue = canUpload ? await UploadQueue.open(api, { apiBase: config.apiBase, galleryId: config.galleryId }) : null;
      this.queue = queue;
      queue?.addEventListener('change', () => {
        status.showQueue(queue.status);
        this.updateOfflineBanner();
      });
      if (queue) status.showQueue(queue.status);
      const context: KioskContext = { config, api, queue, status, detector: () => this.detector(config, api, status) };
      const view = config.mode === 'search' ? new SearchView(context) : new CaptureView(context);
      this.view = view;
      this.shadow.replaceChildren(
        el('style', {}, KIOSK_CSS),
        el('div', { class: 'kiosk', 'data-mode': config.mode }, el('header', { class: 'topbar' }, config.modeLocked ? null : this.modeSwitch(config.mode), status.root), this.configBanner(config), this.offlineBanner, view.root),
      );
      this.updateOfflineBanner();
      if (focusedMode) this.shadow.querySelector<HTMLElement>(`.modes [data-mode="${focusedMode}"]`)?.focus();
      view.start();
      queue?.wake();
    }

    /** One student per element and API/backend: switching modes must not download it again. */
    private detector(config: KioskConfig, api: KioskApi, status: StatusBar): Promise<PersonDetector> {
      const key = `${config.apiBase}|${config.backend}`;
      if (!this.detectorPromise || this.detectorKey !== key) {
        this.detectorKey = key;
        this.detectorPromise = api
          .activeStudent()
          .then(
            (location) => rememberStudentLocation(config.apiBase, location),
            (error: unknown) => recallStudentLocation(config.apiBase) ?? Promise.reject(error),
          )
          .then((location) =>
            loadWebStudentDetector(location, {
              apiKey: config.apiKey,
              backend: config.backend,
              wasmPaths: options.wasmPaths,
              onProgress: (progress) => status.showDownload(location.id, progress),
            }),
          );
        this.detectorPromise.catch(() => {
          // Let the next frame try again (the API may have been unreachable).
          this.detectorPromise = null;
        });
      }
      return this.detectorPromise.then(
        (detector) => {
          status.showBackend(detector.backend, detector.threads, detector.modelId, detector.modelBytes);
          return detector;
        },
        (error: unknown) => {
          status.showModelError(error instanceof Error ? error.message : String(error));
          throw error;
        },
      );
    }

    private modeSwitch(mode: KioskMode): HTMLElement {
      const tab = (value: KioskMode, label: string) => {
        const button = el('button', { type: 'button', role: 'tab', 'aria-selected': String(mode === value), 'data-mode': value }, label);
        button.addEventListener('click', () => (this.mode = value));
        return button;
      };
      return el('div', { class: 'modes', role: 'tablist', 'aria-label': 'Mode' }, tab('capture', 'Capture'), tab('search', 'Search'));
    }

    private configBanner(config: KioskConfig): HTMLElement | null {
      const problems: string[] = [];
      if (!config.apiKey) problems.push('no API key (attribute "key")');
      if (config.mode === 'capture' && !config.galleryId) problems.push('no gallery (attribute "gallery"): frames are analysed but not uploaded');
      return problems.length === 0 ? null : el('div', { class: 'banner danger', role: 'alert', 'data-role': 'config' }, `Setup needed: ${problems.join('; ')}.`);
    }

    private updateOfflineBanner(): void {
      const offline = !navigator.onLine || this.queue?.status.offline === true;
      this.offlineBanner.hidden = !offline;
      this.offlineBanner.textContent =
        this.mode === 'search' ? 'Offline: searching needs a connection to the server.' : 'Offline: frames are kept on this kiosk and sent when the connection returns.';
      this.shadow.querySelector<HTMLElement>('[data-status="connectivity"]')?.toggleAttribute('hidden', !offline);
    }
  };
}
