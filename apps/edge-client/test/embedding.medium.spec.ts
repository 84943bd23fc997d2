// The element embedded on a customer's page on another site (127.0.0.2, the API
// on 127.0.0.1) with nothing but its one script tag, in a cross-origin isolated
// page (WASM threads) and in a plain one (one thread). A picked frame must reach
// the database through the API: that proves the script, its chunks, the
// onnxruntime-web runtime and the model files all load cross-origin, from the
// API, resolved against the script's own URL, never the page's or a CDN's.
import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument, ImageDocument } from '@person-search/schema';
import { missingApiReason, startApiProcess, type ApiProcess } from './support/api-process.js';
import { buildKiosk } from './support/build-kiosk.js';
import { launchChromium, missingChromiumReason } from './support/chromium.js';
import { startHostPageServer } from './support/host-page-server.js';
import { queueState, recordIngests, waitFor, waitForModel } from './support/kiosk-page.js';
import { missingSharedDataReason, motFrames } from './support/shared-data.js';
import { missingStudentReason } from './support/student-package.js';

const skipReason = missingChromiumReason() ?? missingApiReason() ?? missingStudentReason() ?? missingSharedDataReason();
if (skipReason) console.warn(`embedding browser tests skipped: ${skipReason}`);

describe.skipIf(skipReason)('<person-search-kiosk> embedded on another origin', () => {
  let api: ApiProcess;
  let browser: Browser;
  let adminKey: string;
  let galleryId: string;
  let deviceKey: string;

  beforeAll(async () => {
    await buildKiosk();
    [api, browser] = await Promise.all([startApiProcess(), launchChromium()]);
    const tenant = await api.gql(CreateTenantDocument, { input: { name: 'embedding tests' } }, api.operatorToken);
    adminKey = tenant.createTenant.adminKey.secret;
    const gallery = await api.gql(CreateGalleryDocument, { input: { name: 'shop entrance' } }, adminKey);
    galleryId = gallery.createGallery.id;
    const key = await api.gql(CreateApiKeyDocument, { input: { name: 'shop kiosk', role: 'DEVICE' as never, galleryIds: [galleryId] } }, adminKey);
    deviceKey = key.createApiKey.secret;
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it.each([{ isolated: true }, { isolated: false }])('one script tag on a page with isolated=$isolated: a picked frame and its detections reach the database', async ({ isolated }) => {
    const host = await startHostPageServer({ apiUrl: api.url, attributes: { key: deviceKey, gallery: galleryId, mode: 'capture', interval: '600000', backend: 'wasm', locked: '' }, isolated });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requested: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()} (${message.location().url})`));
      page.on('requestfailed', (request: Request) => problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`));
      page.on('request', (request) => requested.push(request.url()));
      const ingests = recordIngests(page);

      await page.goto(host.pageUrl);
      await page.waitForFunction(() => document.querySelector('person-search-kiosk')?.shadowRoot?.querySelector('.kiosk'));
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
      expect(await waitForModel(page)).toBe('wasm');
      // Threads only where the host page is isolated (SharedArrayBuffer), as many as the kiosk picks (≤ 4).
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const threads = isolated ? Math.max(1, Math.min(4, cores)) : 1;
      expect(await page.locator('[data-status="backend"]').textContent()).toContain(`WASM · ${threads} thread`);

      const [frame] = motFrames('MOT17-09-FRCNN');
      await page.locator('input[type="file"]').setInputFiles(frame!);
      await waitFor(() => queueState(page), (state) => (state?.uploaded ?? 0) >= 1 && state?.pending === 0, 120_000, 'the picked frame uploaded');
      await page.close();

      expect(problems).toEqual([]);
      // Everything but the page itself came from the API's origin: no CDN, nothing resolved against the host page.
      const apiOrigin = new URL(api.url).origin;
      const foreign = requested.filter((url) => url !== host.pageUrl && !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== apiOrigin);
      expect(foreign).toEqual([]);
      expect(host.requestedPaths.filter((pathname) => pathname !== '/favicon.ico')).toEqual([new URL(host.pageUrl).pathname]);
      expect(requested.some((url) => url.startsWith(`${api.url}/kiosk/ort/`) && url.endsWith('.wasm'))).toBe(true);
      expect(requested.some((url) => url.startsWith(`${api.url}/models/`))).toBe(true);

      const stored = ingests.filter((call) => call.imageId && call.duplicate === false);
      expect(stored).toHaveLength(1);
      const { image } = await api.gql(ImageDocument, { id: stored[0]!.imageId! }, adminKey);
      expect(image.gallery.id).toBe(galleryId);
      expect(image.detections.length).toBe(stored[0]!.detections);
      expect(image.detections.length).toBeGreaterThan(0);
    } finally {
      await context.close();
      await host.close();
    }
  });
});
