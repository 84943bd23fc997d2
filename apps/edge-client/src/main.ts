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
// Keep the page's URL in step when a visitor switches modes, so a reload stays there.
new MutationObserver(() => {
  const url = new URL(location.href);
  url.searchParams.set('mode', kiosk.getAttribute('mode') ?? 'capture');
  history.replaceState(null, '', url);
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}'), mode: kiosk.getAttribute('mode') }));
}).observe(kiosk, { attributes: true, attributeFilter: ['mode'] });
document.body.append(kiosk);
