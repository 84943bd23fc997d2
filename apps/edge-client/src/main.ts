// The standalone kiosk page (/kiosk/). Configuration comes from the query string
// (?key=psk_…&gallery=…&mode=search&api=…) and is remembered in localStorage so a
// kiosk that reboots comes back configured.
import { defineKioskElement, KIOSK_TAG } from './index.js';

const STORAGE_KEY = 'person-search-kiosk:attributes';
const ATTRIBUTES = ['api', 'key', 'gallery', 'mode', 'interval', 'backend', 'locked'] as const;

function kioskAttributes(): Record<string, string> {
  const remembered = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, string>;
  const query = new URLSearchParams(location.search);
  const attributes: Record<string, string> = {};
  for (const name of ATTRIBUTES) {
    const value = query.get(name) ?? remembered[name];
    if (value !== undefined && value !== null) attributes[name] = value;
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(attributes));
  return attributes;
}

defineKioskElement({ wasmPaths: new URL(`${import.meta.env.BASE_URL}ort/`, location.href).href });
const kiosk = document.createElement(KIOSK_TAG);
for (const [name, value] of Object.entries(kioskAttributes())) kiosk.setAttribute(name, value);
// Keep the page's URL and the remembered settings in step when a visitor switches modes or
// the setup screen sets a key or gallery, so a reload or reboot comes back the same. The
// key never goes into the address bar (it would show on screen and in the history).
new MutationObserver(() => {
  const attributes: Record<string, string> = {};
  for (const name of ATTRIBUTES) {
    const value = kiosk.getAttribute(name);
    if (value !== null) attributes[name] = value;
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(attributes));
  const url = new URL(location.href);
  url.searchParams.set('mode', attributes.mode ?? 'capture');
  url.searchParams.delete('key');
  history.replaceState(null, '', url);
}).observe(kiosk, { attributes: true, attributeFilter: [...ATTRIBUTES] });
document.body.append(kiosk);

// Offline start: the worker caches this page, its scripts and the ORT runtime (see src/sw/).
// Not under the dev server (no sw.js there). MODE, not PROD: PROD follows NODE_ENV, which a test runner sets.
if ('serviceWorker' in navigator && import.meta.env.MODE !== 'development') {
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch((error: unknown) => {
    console.warn(`Offline start unavailable: ${error instanceof Error ? error.message : String(error)}`);
  });
}
