// The first-run screen: shown instead of capture/search (so no action works
// before the kiosk is set up) while there is no key or enrolled device, or when
// the server refused the key. Takes an API key or a one-time enrolment code,
// checks it with the server at once, and says in plain words what went wrong.
import { ApiError } from '../api/api-error.js';
import { apiKeyCredentials, classifySecret } from '../api/credentials.js';
import { enrolDevice } from '../api/device-session.js';
import { HttpKioskApi } from '../api/http-kiosk-api.js';
import type { KioskConfig } from '../config.js';
import { el } from './element-builder.js';

export interface SetupResult {
  /** An API key to put in the `key` attribute; null when a device was enrolled (its session is stored). */
  apiKey: string | null;
  galleryId: string;
}

/** Plain words for a failed check, for people who never saw an error code. */
export function setupErrorText(error: unknown, what: 'key' | 'code', apiBase: string): string {
  const code = error instanceof ApiError ? error.code : 'INTERNAL_SERVER_ERROR';
  if (code === 'UNAUTHENTICATED') {
    return what === 'key'
      ? 'The server did not accept this key. It may be mistyped, revoked, or made for another server.'
      : 'The server did not accept this code. It may be mistyped, expired or already used: ask for a new one.';
  }
  if (code === 'NETWORK') return `Cannot reach the server at ${apiBase}. Check the network, and that the address is right.`;
  if (code === 'RATE_LIMITED') return 'Too many tries. Wait a minute, then try again.';
  if (code === 'FORBIDDEN') return 'This key may not be used here. Ask for a key for this kiosk.';
  return `The server could not check this ${what} right now. Try again in a moment.`;
}

/** Which roles a mode needs; a mismatch is said in words, not found out at the first photo. */
export function roleProblem(mode: KioskConfig['mode'], role: string): string | null {
  if (role === 'ADMIN') return null;
  if (mode === 'capture' && role !== 'DEVICE') return `This is a ${role.toLowerCase()} key: capturing needs a device key (role DEVICE). Use Search, or paste a device key.`;
  if (mode === 'search' && role !== 'SEARCH') return `This is a ${role.toLowerCase()} key: searching needs a search key (role SEARCH). Use Capture, or paste a search key.`;
  return null;
}

export class SetupView {
  readonly root: HTMLElement;
  private readonly secret = el('input', { id: 'setup-secret', type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-field': 'secret', 'aria-describedby': 'setup-secret-help' });
  private readonly gallery = el('input', { id: 'setup-gallery', type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-field': 'gallery' });
  private readonly submit = el('button', { type: 'submit', class: 'primary', 'data-action': 'connect', disabled: true }, 'Connect');
  private readonly error = el('p', { class: 'banner danger', role: 'alert', 'data-role': 'setup-error', hidden: true });

  constructor(
    private readonly config: KioskConfig,
    problem: string | null,
    private readonly onDone: (result: SetupResult) => void,
  ) {
    this.gallery.value = config.galleryId;
    const example = `${config.apiBase}/kiosk/?key=psk_…&gallery=<gallery id>&mode=${config.mode}`;
    const form = el(
      'form',
      { class: 'setup-form', 'data-role': 'setup-form' },
      el('label', { for: 'setup-secret' }, 'API key or enrolment code'),
      this.secret,
      el('p', { class: 'hint', id: 'setup-secret-help' }, 'A key starts with psk_; an enrolment code looks like ABCD-EFGH-JKLM.'),
      config.mode === 'capture' ? el('label', { for: 'setup-gallery' }, 'Gallery id (where captured frames go)') : null,
      config.mode === 'capture' ? this.gallery : null,
      this.error,
      this.submit,
    );
    this.secret.addEventListener('input', () => (this.submit.disabled = this.secret.value.trim() === ''));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.connect();
    });
    this.root = el(
      'section',
      { class: 'view setup', 'data-role': 'setup', 'aria-labelledby': 'setup-title' },
      el(
        'div',
        { class: 'setup-card' },
        el('h1', { id: 'setup-title' }, 'Set up this kiosk'),
        el('p', {}, 'This kiosk needs an API key or an enrolment code before it can capture or search.'),
        form,
        el(
          'div',
          { class: 'setup-help' },
          el('h2', {}, 'Where do I get one?'),
          el(
            'p',
            {},
            `An administrator of your organisation creates it: an API key with role ${config.mode === 'capture' ? 'DEVICE' : 'SEARCH'} (createApiKey), or a one-time enrolment code for a registered device (createDeviceEnrolment, valid 10 minutes).`,
          ),
          el('h2', {}, 'Set up by address instead'),
          el('p', {}, 'Open the kiosk with its settings in the address; it remembers them after a restart:'),
          el('code', { 'data-role': 'setup-url' }, example),
        ),
      ),
    );
    if (problem) this.showError(problem);
  }

  focus(): void {
    this.secret.focus();
  }

  private showError(text: string): void {
    this.error.hidden = false;
    this.error.textContent = text;
  }

  private async connect(): Promise<void> {
    const value = this.secret.value.trim();
    const galleryId = this.gallery.value.trim();
    const kind = classifySecret(value);
    this.error.hidden = true;
    if (kind === 'unknown') return this.showError('That is neither an API key (it starts with psk_) nor an enrolment code (like ABCD-EFGH-JKLM). Check what was pasted.');
    if (kind === 'device-token') return this.showError('That is a device token, which the kiosk gets by itself. Paste the enrolment code instead.');
    this.submit.disabled = true;
    this.submit.textContent = 'Checking…';
    try {
      if (kind === 'enrolment-code') {
        const session = await enrolDevice(this.config.apiBase, value);
        const galleries = session.device.galleryIds ?? [];
        this.onDone({ apiKey: null, galleryId: galleryId || (galleries.length === 1 ? galleries[0]! : '') });
        return;
      }
      const identity = await new HttpKioskApi(this.config.apiBase, apiKeyCredentials(value)).identity();
      const mismatch = roleProblem(this.config.mode, identity.role);
      if (mismatch) return this.showError(mismatch);
      this.onDone({ apiKey: value, galleryId });
    } catch (error) {
      this.showError(setupErrorText(error, kind === 'api-key' ? 'key' : 'code', this.config.apiBase));
    } finally {
      this.submit.disabled = false;
      this.submit.textContent = 'Connect';
    }
  }
}
