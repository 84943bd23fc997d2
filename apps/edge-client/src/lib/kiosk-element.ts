// <person-search-kiosk api key gallery mode="capture|search" interval backend locked>:
// the whole kiosk in one custom element with its own shadow DOM, so a host page
// embeds it with one script tag and no framework.
import { ApiError } from './api/api-error.js';
import { apiKeyCredentials, type Credentials } from './api/credentials.js';
import { deviceSessionCredentials, storedDeviceSession } from './api/device-session.js';
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
import { roleProblem, SetupView, type SetupResult } from './ui/setup-view.js';
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
    /** Credentials the server accepted for this mode (apiBase|mode|key), so a mode switch does not ask again. */
    private verified = '';
    /** Renders wait on the network; only the latest one may mount. */
    private renderGeneration = 0;
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

    private credentials(config: KioskConfig): Credentials {
      if (config.apiKey) return apiKeyCredentials(config.apiKey);
      if (storedDeviceSession(config.apiBase)) return deviceSessionCredentials(config.apiBase);
      return apiKeyCredentials('');
    }

    /**
     * Asks the server who the credentials are (the `viewer`) before any action is offered: a
     * wrong key is found now, not at the first photo. Without a network the kiosk starts anyway
     * (frames queue offline); null = go ahead, else the problem in words.
     */
    private async checkCredentials(config: KioskConfig, api: KioskApi, credentials: Credentials): Promise<string | null> {
      if (credentials.kind === 'none') return null;
      const token = `${config.apiBase}|${config.mode}|${config.apiKey || 'device'}`;
      if (this.verified === token) return null;
      try {
        const problem = roleProblem(config.mode, (await api.identity()).role);
        if (!problem) this.verified = token;
        return problem;
      } catch (error) {
        if (error instanceof ApiError && !error.transient) {
          return credentials.kind === 'device'
            ? 'This kiosk\'s enrolment is no longer valid (the device was revoked, or was not used for too long). Enter a new enrolment code.'
            : 'The server did not accept this key. It may be mistyped, revoked, or made for another server.';
        }
        return null;
      }
    }

    private async render(): Promise<void> {
      // A keyboard user who switched modes keeps focus on the switch when the view is rebuilt.
      const focused = this.shadow.activeElement;
      const focusedMode = focused instanceof HTMLElement && focused.closest('.modes') ? focused.dataset.mode : undefined;
      this.teardown();
      const generation = ++this.renderGeneration;
      const config = readConfig(this, location.origin);
      const credentials = this.credentials(config);
      const api = new HttpKioskApi(config.apiBase, credentials);
      if (!this.shadow.firstChild) this.shadow.replaceChildren(el('style', {}, KIOSK_CSS), el('div', { class: 'kiosk connecting', role: 'status' }, 'Connecting to the server…'));
      const problem = credentials.kind === 'none' ? null : await this.checkCredentials(config, api, credentials);
      if (generation !== this.renderGeneration) return;
      delete this.dataset.state;
      if (credentials.kind === 'none' || problem) return this.renderSetup(config, problem, focusedMode);
      const status = new StatusBar();
      const canUpload = config.mode === 'capture' && config.galleryId !== '';
      const queue = canUpload ? await UploadQueue.open(api, { apiBase: config.apiBase, galleryId: config.galleryId }) : null;
      if (generation !== this.renderGeneration) return queue?.close();
      this.queue = queue;
      queue?.addEventListener('change', () => {
        status.showQueue(queue.status);
        this.updateOfflineBanner();
      });
      if (queue) status.showQueue(queue.status);
      const context: KioskContext = { config, api, queue, status, detector: () => this.detector(config, api, credentials, status) };
      const view = config.mode === 'search' ? new SearchView(context) : new CaptureView(context);
      this.view = view;
      this.mount(config, view.root, status.root, this.configBanner(config));
      this.updateOfflineBanner();
      if (focusedMode) this.shadow.querySelector<HTMLElement>(`.modes [data-mode="${focusedMode}"]`)?.focus();
      view.start();
      queue?.wake();
    }

    private mount(config: KioskConfig, view: HTMLElement, status: HTMLElement | null, banner: HTMLElement | null): void {
      if (!config.modeLocked) Object.assign(view, { id: 'kiosk-panel' }).setAttribute('role', 'tabpanel');
      if (!config.modeLocked) view.setAttribute('aria-labelledby', `kiosk-tab-${config.mode}`);
      this.shadow.replaceChildren(
        el('style', {}, KIOSK_CSS),
        el('div', { class: 'kiosk', 'data-mode': config.mode }, el('header', { class: 'topbar' }, config.modeLocked ? null : this.modeSwitch(config.mode), status), banner, this.offlineBanner, view),
      );
    }

    private renderSetup(config: KioskConfig, problem: string | null, focusedMode: string | undefined): void {
      const setup = new SetupView(config, problem, (result: SetupResult) => this.applySetup(result));
      this.mount(config, setup.root, null, null);
      this.dataset.state = 'setup';
      if (focusedMode) this.shadow.querySelector<HTMLElement>(`.modes [data-mode="${focusedMode}"]`)?.focus();
      else setup.focus();
    }

    /** The setup screen's answer becomes attributes (the standalone page remembers them) and the kiosk starts. */
    private applySetup(result: SetupResult): void {
      if (result.apiKey) this.setAttribute('key', result.apiKey);
      else this.removeAttribute('key');
      if (result.galleryId) this.setAttribute('gallery', result.galleryId);
      this.verified = '';
      this.dispatchEvent(new CustomEvent('kiosk-setup', { bubbles: true, composed: true, detail: { enrolled: result.apiKey === null } }));
      this.scheduleRender();
    }

    /** One student per element and API/backend: switching modes must not download it again. */
    private detector(config: KioskConfig, api: KioskApi, credentials: Credentials, status: StatusBar): Promise<PersonDetector> {
      const key = `${config.apiBase}|${config.backend}`;
      if (!this.detectorPromise || this.detectorKey !== key) {
        this.detectorKey = key;
        status.showPreparing('');
        this.detectorPromise = api
          .activeStudent()
          .then(
            (location) => rememberStudentLocation(config.apiBase, location),
            (error: unknown) => recallStudentLocation(config.apiBase) ?? Promise.reject(error),
          )
          .then((location) =>
            loadWebStudentDetector(location, {
              bearer: () => credentials.bearer(),
              backend: config.backend,
              wasmPaths: options.wasmPaths,
              onProgress: (progress) => status.showDownload(location.id, progress),
              onPreparing: () => status.showPreparing(location.id),
            }),
          );
        this.detectorPromise.catch(() => {
          // Let the next frame try again (the API may have been unreachable).
          this.detectorPromise = null;
        });
      }
      return this.detectorPromise.then(
        (detector) => {
          status.showBackend(detector.backend, detector.threads, detector.modelId, detector.modelBytes, detector.backendReason);
          return detector;
        },
        (error: unknown) => {
          status.showModelError(error instanceof Error ? error.message : String(error));
          throw error;
        },
      );
    }

    /** ARIA tabs: one Tab stop (roving tabindex), arrows/Home/End move and select (the view follows). */
    private modeSwitch(mode: KioskMode): HTMLElement {
      const modes: KioskMode[] = ['capture', 'search'];
      const tab = (value: KioskMode, label: string) => {
        const selected = mode === value;
        const button = el('button', { type: 'button', role: 'tab', id: `kiosk-tab-${value}`, 'aria-selected': String(selected), 'aria-controls': 'kiosk-panel', tabindex: selected ? '0' : '-1', 'data-mode': value }, label);
        button.addEventListener('click', () => (this.mode = value));
        return button;
      };
      const list = el('div', { class: 'modes', role: 'tablist', 'aria-label': 'Mode' }, tab('capture', 'Capture'), tab('search', 'Search'));
      list.addEventListener('keydown', (event) => {
        const index = modes.indexOf(mode);
        const next = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: modes.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        const target = modes[(next + modes.length) % modes.length]!;
        // Focus moves at once (the old view stays until the new one is built), then the mode follows.
        this.shadow.querySelector<HTMLElement>(`.modes [data-mode="${target}"]`)?.focus();
        this.mode = target;
      });
      return list;
    }

    private configBanner(config: KioskConfig): HTMLElement | null {
      if (config.mode !== 'capture' || config.galleryId) return null;
      return el('div', { class: 'banner', role: 'alert', 'data-role': 'config' }, 'No gallery is set (attribute "gallery"), so frames are looked at but not sent.');
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
