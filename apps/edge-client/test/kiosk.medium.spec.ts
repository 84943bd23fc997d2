// The kiosk end to end: Chromium on the page the real API serves (PGlite, child
// process), the real student in onnxruntime-web, real MOT17 frames as camera and
// files. Checks what reached the database through the API, not what the page says.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Route } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou } from '@person-search/model';
import { CreateApiKeyDocument, CreateGalleryDocument, DetectionDocument, ImageDocument, SearchPersonDocument } from '@person-search/schema';
import { missingApiReason, startApiProcess, waitForTeacherQueue, type ApiProcess } from './support/api-process.js';
import { createKioskTenant } from './support/kiosk-tenant.js';
import { buildKiosk } from './support/build-kiosk.js';
import { launchChromium, missingChromiumReason } from './support/chromium.js';
import { writeFakeCameraY4m } from './support/fake-camera.js';
import { openKiosk, queueState, recordIngests, nextSearchInput, waitFor, waitForModel, type IngestCall } from './support/kiosk-page.js';
import { missingSharedDataReason, motFrames, REPO_ROOT } from './support/shared-data.js';
import { missingStudentReason } from './support/student-package.js';

const skipReason = missingChromiumReason() ?? missingApiReason() ?? missingStudentReason() ?? missingSharedDataReason();
if (skipReason) console.warn(`kiosk browser tests skipped: ${skipReason}`);

const SCREENSHOTS = path.join(REPO_ROOT, 'test-results/edge-client');
const LANDSCAPE = { width: 1920, height: 1080 };
const PORTRAIT = { width: 1080, height: 1920 };

describe.skipIf(skipReason)('kiosk in Chromium against the real API', () => {
  let api: ApiProcess;
  let browser: Browser;
  let context: BrowserContext;
  let adminKey: string;
  let galleryId: string;
  let deviceKey: string;
  let searchKey: string;
  const fileFrames = motFrames('MOT17-09-FRCNN').slice(0, 3);
  const fileIngests: IngestCall[] = [];

  async function createGalleryWithDeviceKey(name: string): Promise<{ galleryId: string; deviceKey: string }> {
    const gallery = await api.gql(CreateGalleryDocument, { input: { name } }, adminKey);
    const key = await api.gql(CreateApiKeyDocument, { input: { name: `${name} kiosk`, role: 'DEVICE' as never, galleryIds: [gallery.createGallery.id] } }, adminKey);
    return { galleryId: gallery.createGallery.id, deviceKey: key.createApiKey.secret };
  }

  /**
   * Distinct frames stored in a gallery, seen through search: with a few dozen detections every one
   * is a candidate; the query's own frame is added because search may leave it out.
   */
  async function storedImageIds(gallery: string, anyImageId: string): Promise<Set<string>> {
    const { image } = await api.gql(ImageDocument, { id: anyImageId }, adminKey);
    const result = await api.gql(SearchPersonDocument, { input: { query: { detectionId: image.detections[0]!.id }, galleryIds: [gallery], topK: 200, candidatePool: 200, rerank: false } }, adminKey);
    return new Set([anyImageId, ...result.searchPerson.hits.map((hit) => hit.detection.image.id)]);
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await buildKiosk();
    const cameraFile = path.join(os.tmpdir(), `edge-client-camera-${process.pid}.y4m`);
    // Real street frames, each held ~1 s at 10 fps; Chromium loops the file as its camera.
    await writeFakeCameraY4m(motFrames('MOT17-04-FRCNN').slice(0, 4), cameraFile, { width: 640, height: 360, fps: 10, holdFrames: 10 });
    [api, browser] = await Promise.all([startApiProcess(), launchChromium({ fakeCameraFile: cameraFile })]);
    ({ adminKey, galleryId, deviceKey, searchKey } = await createKioskTenant(api, { tenant: 'edge-client tests', gallery: 'entrance' }));
    context = await browser.newContext({ viewport: LANDSCAPE });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('captures from the camera: people are boxed, frames uploaded and stored with their detections', async () => {
    const page = await openKiosk(context, api.url, { key: deviceKey, gallery: galleryId, mode: 'capture', interval: '700', backend: 'wasm' });
    const ingests = recordIngests(page);
    expect(await waitForModel(page)).toBe('wasm');
    await waitFor(() => queueState(page), (state) => (state?.uploaded ?? 0) >= 2, 120_000, 'two camera frames uploaded');
    await page.locator('[data-fact="people"]').filter({ hasNotText: /^(0|–)$/ }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'capture-landscape.png') });
    await page.setViewportSize(PORTRAIT);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'capture-portrait.png') });
    await page.locator('[data-action="toggle-camera"]').click();
    // A frame already being analysed when the camera pauses is still queued (it was captured before the pause):
    // wait until the analysed-frame count has stood still for 2 s and the queue is empty, so none is left
    // in IndexedDB for the next page of this (API, gallery) to send.
    let stableSince = Date.now();
    let lastFrames = '';
    await waitFor(
      async () => ({ frames: (await page.locator('[data-fact="frames"]').textContent()) ?? '', state: await queueState(page) }),
      ({ frames, state }) => {
        if (frames !== lastFrames) [lastFrames, stableSince] = [frames, Date.now()];
        return state?.pending === 0 && Date.now() - stableSince >= 2_000;
      },
      120_000,
      'camera idle and frames drained',
    );
    await ingests.settled();
    await page.close();

    const stored = ingests.filter((call) => call.imageId);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    for (const call of stored) {
      const { image } = await api.gql(ImageDocument, { id: call.imageId! }, adminKey);
      expect(image.detections).toHaveLength(call.detections);
      expect(image.gallery.id).toBe(galleryId);
    }
  });

  it('captures from picked files: one stored frame per photo with people', async () => {
    const page = await openKiosk(context, api.url, { key: deviceKey, gallery: galleryId, mode: 'capture', interval: '600000', backend: 'wasm' });
    await page.setViewportSize(LANDSCAPE);
    const ingests = recordIngests(page);
    await waitForModel(page);
    await page.locator('input[type="file"]').setInputFiles(fileFrames);
    await waitFor(() => queueState(page), (state) => (state?.uploaded ?? 0) >= fileFrames.length && state?.pending === 0, 120_000, 'file frames uploaded');
    await ingests.settled();
    await page.close();
    expect(ingests.filter((call) => call.imageId && call.duplicate === false)).toHaveLength(fileFrames.length);
    fileIngests.push(...ingests);
    for (const call of ingests) {
      const { image } = await api.gql(ImageDocument, { id: call.imageId! }, adminKey);
      expect(image.detections.length).toBe(call.detections);
      expect(call.detections).toBeGreaterThan(0);
    }
  });

  it('search finds the person captured earlier, and a hit opens its frame', async () => {
    // Search the gallery as the worker leaves it: every frame re-ranked by the teacher, not only those it reached in time.
    await waitForTeacherQueue(api.url);
    const page = await openKiosk(context, api.url, { key: searchKey, gallery: galleryId, mode: 'search', backend: 'wasm' });
    await page.setViewportSize(LANDSCAPE);
    const sent = nextSearchInput(page);
    // The same photo the kiosk captured from a file: the largest person is searched at once.
    await page.locator('input[type="file"]').setInputFiles(fileFrames[0]!);
    const query = (await sent).query.photo;
    const firstHit = page.locator('button.hit').first();
    await firstHit.waitFor({ timeout: 180_000 });
    const shownIds = await page.locator('button.hit').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-detection-id')!));
    const hits = await Promise.all(shownIds.slice(0, 3).map(async (id) => (await api.gql(DetectionDocument, { id }, adminKey)).detection));
    const fileImages = new Set(fileIngests.map((call) => call.imageId));
    // The best match is the same person in one of the captured frames (consecutive frames: little motion) ...
    expect(fileImages.has(hits[0]!.image.id)).toBe(true);
    expect(iou(hits[0]!.box, query.box)).toBeGreaterThan(0.5);
    // ... and the very detection captured from this photo is among the first three.
    expect(hits.some((hit) => fileImages.has(hit.image.id) && iou(hit.box, query.box) > 0.9)).toBe(true);
    await page.locator('img[alt=""]').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-landscape.png') });
    await firstHit.click();
    await page.locator('dialog[open] img').waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-frame-landscape.png') });
    await page.keyboard.press('Escape');
    await page.setViewportSize(PORTRAIT);
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-portrait.png') });

    // An empty street: the kiosk says so instead of searching.
    const empty = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
    await page.locator('input[type="file"]').setInputFiles({ name: 'empty.jpg', mimeType: 'image/jpeg', buffer: empty });
    await page.locator('[data-role="query-stage"][data-state="no-person"]').waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-role="results-summary"]').textContent()).toMatch(/No person found/);
    expect(await page.locator('button.hit').count()).toBe(0);
    await page.close();
  });

  it('offline: queued frames survive a reload and arrive exactly once, even when an answer is lost', async () => {
    const offline = await createGalleryWithDeviceKey('offline door');
    const page = await openKiosk(context, api.url, { key: offline.deviceKey, gallery: offline.galleryId, mode: 'capture', interval: '600000', backend: 'wasm' });
    await page.setViewportSize(LANDSCAPE);
    await waitForModel(page);
    const blockApi = (route: Route) => route.abort('internetdisconnected');
    await page.route('**/graphql', blockApi);
    await page.route('**/v1/blobs', blockApi);
    await page.locator('input[type="file"]').setInputFiles(fileFrames);
    await waitFor(() => queueState(page), (state) => state?.pending === fileFrames.length && state.offline, 120_000, 'frames queued while offline');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('person-search-kiosk')?.shadowRoot?.querySelector('.kiosk'));
    // After the reload the API is still unreachable: the model comes from Cache Storage, the queue from IndexedDB.
    expect(await waitForModel(page)).toBe('wasm');
    const afterReload = await waitFor(() => queueState(page), (state) => state !== null && state.offline, 60_000, 'queue restored after reload');
    expect(afterReload!.pending).toBe(fileFrames.length);
    await page.locator('[data-role="offline"]').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'capture-offline-landscape.png') });

    // Restore the network, but lose the server's answer to the first ingestFrame: the retry must not store it twice.
    const ingests = recordIngests(page);
    let answersLost = 0;
    await page.unroute('**/v1/blobs');
    await page.unroute('**/graphql');
    await page.route('**/graphql', async (route) => {
      if (answersLost === 0 && route.request().postData()?.includes('ingestFrame')) {
        answersLost += 1;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await waitFor(
      async () => {
        await page.evaluate(() => (document.querySelector('person-search-kiosk') as unknown as { retryUploads(): Promise<void> }).retryUploads());
        return queueState(page);
      },
      (state) => state?.pending === 0,
      120_000,
      'queue drained',
    );
    expect(answersLost).toBe(1);
    await ingests.settled(fileFrames.length);
    const keys = new Set(ingests.map((call) => call.idempotencyKey));
    expect(keys.size).toBe(fileFrames.length);
    expect(ingests.filter((call) => call.duplicate === true)).toHaveLength(1);
    // After the outage one frame went alone (it showed uploads work again), the rest of the backlog as a batch.
    expect(ingests.batches).toBeGreaterThan(0);
    const stored = await storedImageIds(offline.galleryId, ingests.find((call) => call.imageId)!.imageId!);
    expect(stored.size).toBe(fileFrames.length);
    await page.close();
  });
});
