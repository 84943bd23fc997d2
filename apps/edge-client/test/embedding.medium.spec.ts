// The element embedded on a customer's page on another site (127.0.0.2, the API
// on 127.0.0.1) with nothing but its one script tag, in a cross-origin isolated
// page (WASM threads) and in a plain one (one thread). A picked frame must reach
// the database through the API: that proves the script, its chunks, the
// onnxruntime-web runtime and the model files all load cross-origin, from the
// API, resolved against the script's own URL, never the page's or a CDN's.
// Search from the same kind of page finds that frame (blob upload, crops, frame).
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument, DetectionDocument, ImageDocument } from '@person-search/schema';
import { missingApiReason, startApiProcess, type ApiProcess } from './support/api-process.js';
import { buildKiosk } from './support/build-kiosk.js';
import { launchChromium, missingChromiumReason } from './support/chromium.js';
import { startHostPageServer, type HostPageServer } from './support/host-page-server.js';
import { queueState, recordIngests, waitFor, waitForModel, type KioskAttributes } from './support/kiosk-page.js';
import { missingSharedDataReason, motFrames } from './support/shared-data.js';
import { missingStudentReason } from './support/student-package.js';

const skipReason = missingChromiumReason() ?? missingApiReason() ?? missingStudentReason() ?? missingSharedDataReason();
if (skipReason) console.warn(`embedding browser tests skipped: ${skipReason}`);

interface EmbeddedPage {
  host: HostPageServer;
  page: Page;
  /** Page errors, console errors and failed requests. */
  problems: string[];
  /** Every URL the page requested. */
  requested: string[];
  close(): Promise<void>;
}

describe.skipIf(skipReason)('<person-search-kiosk> embedded on another origin', () => {
  let api: ApiProcess;
  let browser: Browser;
  let adminKey: string;
  let galleryId: string;
  let deviceKey: string;
  const frame = motFrames('MOT17-09-FRCNN')[0]!;
  const storedImageIds = new Set<string>();

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

  /** Opens the host page in a fresh context, recording every request, error and failure it sees. */
  async function openEmbedded(attributes: KioskAttributes, isolated: boolean): Promise<EmbeddedPage> {
    const host = await startHostPageServer({ apiUrl: api.url, attributes, isolated });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const embedded: EmbeddedPage = {
      host,
      page,
      problems: [],
      requested: [],
      close: async () => {
        await context.close();
        await host.close();
      },
    };
    page.on('pageerror', (error) => embedded.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && embedded.problems.push(`console: ${message.text()} (${message.location().url})`));
    page.on('requestfailed', (request: Request) => embedded.problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`));
    page.on('request', (request) => embedded.requested.push(request.url()));
    await page.goto(host.pageUrl);
    await page.waitForFunction(() => document.querySelector('person-search-kiosk')?.shadowRoot?.querySelector('.kiosk'));
    return embedded;
  }

  /** Nothing failed, and everything but the page itself came from the API: no CDN, nothing resolved against the host page. */
  function expectEverythingFromTheApi({ host, problems, requested }: EmbeddedPage): void {
    expect(problems).toEqual([]);
    const apiOrigin = new URL(api.url).origin;
    const foreign = requested.filter((url) => url !== host.pageUrl && !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== apiOrigin);
    expect(foreign).toEqual([]);
    expect(host.requestedPaths.filter((pathname) => pathname !== '/favicon.ico')).toEqual([new URL(host.pageUrl).pathname]);
    expect(requested.some((url) => url.startsWith(`${api.url}/kiosk/ort/`) && url.endsWith('.wasm'))).toBe(true);
    expect(requested.some((url) => url.startsWith(`${api.url}/models/`))).toBe(true);
  }

  it.each([{ isolated: true }, { isolated: false }])('capture, one script tag on a page with isolated=$isolated: a picked frame and its detections reach the database', async ({ isolated }) => {
    const embedded = await openEmbedded({ key: deviceKey, gallery: galleryId, mode: 'capture', interval: '600000', backend: 'wasm', locked: '' }, isolated);
    const { page } = embedded;
    try {
      const ingests = recordIngests(page);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
      expect(await waitForModel(page)).toBe('wasm');
      // Threads only where the host page is isolated (SharedArrayBuffer), as many as the kiosk picks (≤ 4).
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const threads = isolated ? Math.max(1, Math.min(4, cores)) : 1;
      expect(await page.locator('[data-status="backend"]').textContent()).toContain(`WASM · ${threads} thread`);

      await page.locator('input[type="file"]').setInputFiles(frame);
      await waitFor(() => queueState(page), (state) => (state?.uploaded ?? 0) >= 1 && state?.pending === 0, 120_000, 'the picked frame uploaded');
      await ingests.settled();
      await page.close();
      expectEverythingFromTheApi(embedded);

      const stored = ingests.filter((call) => call.imageId && call.duplicate === false);
      expect(stored).toHaveLength(1);
      storedImageIds.add(stored[0]!.imageId!);
      const { image } = await api.gql(ImageDocument, { id: stored[0]!.imageId! }, adminKey);
      expect(image.gallery.id).toBe(galleryId);
      expect(image.detections.length).toBe(stored[0]!.detections);
      expect(image.detections.length).toBeGreaterThan(0);
    } finally {
      await embedded.close();
    }
  });

  it('search, embedded on an isolated page: the photo is uploaded, matches come back and their crops and frame load', async () => {
    const searchKey = (await api.gql(CreateApiKeyDocument, { input: { name: 'shop desk', role: 'SEARCH' as never } }, adminKey)).createApiKey.secret;
    const embedded = await openEmbedded({ key: searchKey, gallery: galleryId, mode: 'search', backend: 'wasm', locked: '' }, true);
    const { page } = embedded;
    try {
      await page.locator('input[type="file"]').setInputFiles(frame);
      const firstHit = page.locator('button.hit').first();
      await firstHit.waitFor({ timeout: 180_000 });
      const hitId = (await firstHit.getAttribute('data-detection-id'))!;
      const { detection } = await api.gql(DetectionDocument, { id: hitId }, adminKey);
      expect(storedImageIds.has(detection.image.id)).toBe(true);
      // Crops are fetched with the key from the API (CORS) and shown as object URLs.
      await page.waitForFunction(() => {
        const crop = document.querySelector('person-search-kiosk')?.shadowRoot?.querySelector<HTMLImageElement>('button.hit img');
        return crop?.complete === true && crop.naturalWidth > 0;
      });
      await firstHit.click();
      await page.locator('dialog[open] img').waitFor();
      await page.waitForFunction(() => (document.querySelector('person-search-kiosk')?.shadowRoot?.querySelector<HTMLImageElement>('dialog[open] img')?.naturalWidth ?? 0) > 0);
      await page.close();
      expectEverythingFromTheApi(embedded);
      expect(embedded.requested.some((url) => url.startsWith(`${api.url}/v1/blobs`))).toBe(true);
    } finally {
      await embedded.close();
    }
  });
});
