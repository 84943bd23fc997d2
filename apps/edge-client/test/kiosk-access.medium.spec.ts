// The kiosk on a device without a camera, driven by keyboard alone: Chromium
// launched without fake media devices and without camera permission. Capture
// must say "no camera" clearly and still take files (picked and dropped), and
// every control of both modes must be reachable with Tab, show its focus and
// work with Enter or Space.
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument, ImageDocument } from '@person-search/schema';
import { missingApiReason, startApiProcess, type ApiProcess } from './support/api-process.js';
import { buildKiosk } from './support/build-kiosk.js';
import { launchChromium, missingChromiumReason } from './support/chromium.js';
import { focusedControl, tabStops, tabTo } from './support/keyboard.js';
import { openKiosk, queueState, recordIngests, waitFor, waitForModel } from './support/kiosk-page.js';
import { missingSharedDataReason, motFrames, REPO_ROOT } from './support/shared-data.js';
import { missingStudentReason } from './support/student-package.js';

const skipReason = missingChromiumReason() ?? missingApiReason() ?? missingStudentReason() ?? missingSharedDataReason();
if (skipReason) console.warn(`kiosk access browser tests skipped: ${skipReason}`);

const SCREENSHOTS = path.join(REPO_ROOT, 'test-results/edge-client');
const LANDSCAPE = { width: 1920, height: 1080 };

/** Drops `file` on `selector` the way a browser does: a DataTransfer holding a File. */
async function dropFile(page: Page, selector: string, file: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ base64, name }) => {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: 'image/jpeg' }));
      return transfer;
    },
    { base64: readFileSync(file).toString('base64'), name: path.basename(file) },
  );
  await page.locator(selector).dispatchEvent('dragover', { dataTransfer });
  await page.locator(selector).dispatchEvent('drop', { dataTransfer });
}

describe.skipIf(skipReason)('kiosk without a camera, by keyboard', () => {
  let api: ApiProcess;
  let browser: Browser;
  let context: BrowserContext;
  let adminKey: string;
  let galleryId: string;
  let deviceKey: string;
  const frames = motFrames('MOT17-09-FRCNN');

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await buildKiosk();
    // No --use-fake-device-for-media-stream / --use-fake-ui-for-media-stream: no camera, and nobody grants one.
    [api, browser] = await Promise.all([startApiProcess(), launchChromium()]);
    const tenant = await api.gql(CreateTenantDocument, { input: { name: 'kiosk access tests' } }, api.operatorToken);
    adminKey = tenant.createTenant.adminKey.secret;
    galleryId = (await api.gql(CreateGalleryDocument, { input: { name: 'back door' } }, adminKey)).createGallery.id;
    deviceKey = (await api.gql(CreateApiKeyDocument, { input: { name: 'door kiosk', role: 'DEVICE' as never, galleryIds: [galleryId] } }, adminKey)).createApiKey.secret;
    context = await browser.newContext({ viewport: LANDSCAPE, permissions: [] });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('capture shows a clear "no camera" state, and picked and dropped photos are still stored', async () => {
    const page = await openKiosk(context, api.url, { key: deviceKey, gallery: galleryId, mode: 'capture', interval: '600000', backend: 'wasm' });
    const ingests = recordIngests(page);
    page.on('filechooser', () => undefined); // keeps file-chooser interception on (see the keyboard test)
    const stage = page.locator('[data-role="stage"][data-state="no-camera"]');
    await stage.waitFor({ timeout: 30_000 });
    const message = stage.locator('.stage-message');
    expect(await message.isVisible()).toBe(true);
    expect(await message.locator('strong').textContent()).toBe('No camera');
    console.info(`no-camera message: ${await message.textContent()}`);
    // The camera button offers a retry instead of a dead "Pause".
    const toggle = page.locator('[data-action="toggle-camera"]');
    expect(await toggle.textContent()).toBe('Retry camera');
    expect(await toggle.isEnabled()).toBe(true);
    await waitForModel(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'capture-no-camera-landscape.png') });

    // The message's own button opens the file chooser ...
    const chooser = page.waitForEvent('filechooser');
    await message.getByRole('button', { name: 'Use photos or videos' }).click();
    await (await chooser).setFiles(frames[0]!);
    await waitFor(() => queueState(page), (state) => state?.uploaded === 1 && state.pending === 0, 120_000, 'the picked photo uploaded');
    // ... and a photo dropped on the stage goes the same way.
    await dropFile(page, '[data-role="stage"]', frames[1]!);
    await waitFor(() => queueState(page), (state) => state?.uploaded === 2 && state.pending === 0, 120_000, 'the dropped photo uploaded');
    await ingests.settled();
    await page.close();

    const stored = ingests.filter((call) => call.imageId && call.duplicate === false);
    expect(stored).toHaveLength(2);
    for (const call of stored) {
      const { image } = await api.gql(ImageDocument, { id: call.imageId! }, adminKey);
      expect(image.gallery.id).toBe(galleryId);
      expect(image.detections.length).toBe(call.detections);
      expect(call.detections).toBeGreaterThan(0);
    }
  });

  it('every control of capture and search is reachable by Tab, visibly focused, and works with Enter or Space', async () => {
    // An ADMIN key may capture and search, so the mode switch is live in both directions.
    const page = await openKiosk(context, api.url, { key: adminKey, gallery: galleryId, mode: 'capture', interval: '600000', backend: 'wasm' });
    // Playwright turns file-chooser interception on and off with its listeners, without waiting for the browser:
    // a standing listener keeps it on, so a chooser opened right after waitForEvent() is never a real (headless) dialog.
    page.on('filechooser', () => undefined);
    await page.locator('[data-role="stage"][data-state="no-camera"]').waitFor({ timeout: 30_000 });
    await waitForModel(page);

    const captureStops = await tabStops(page);
    const captureNames = captureStops.map((stop) => stop.name);
    expect(captureNames).toEqual(expect.arrayContaining(['mode:capture', 'toggle-camera', 'choose-files']));
    // The mode switch is one Tab stop (roving tabindex): the unselected tab is reached with the arrows.
    expect(captureNames).not.toContain('mode:search');
    // "Retry camera" works from the keyboard: still no camera, so the same clear state comes back.
    await tabTo(page, 'toggle-camera');
    await page.keyboard.press('Enter');
    await page.locator('[data-role="stage"][data-state="no-camera"]').waitFor();
    expect(captureStops.filter((stop) => !stop.visibleFocus)).toEqual([]);

    // The file chooser opens from the keyboard (Space), and the picked photo is analysed and queued.
    await tabTo(page, 'choose-files');
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Space');
    await (await chooser).setFiles(frames[2]!);
    await waitFor(() => queueState(page), (state) => (state?.uploaded ?? 0) >= 1 && state?.pending === 0, 120_000, 'the photo picked by keyboard uploaded');

    // The mode switch works with the arrow keys, and focus stays on it after the view is rebuilt.
    await tabTo(page, 'mode:capture');
    await page.keyboard.press('ArrowRight');
    await page.locator('.kiosk[data-mode="search"]').waitFor();
    expect(await focusedControl(page)).toMatchObject({ name: 'mode:search', visibleFocus: true });
    await page.locator('[data-status="backend"][data-backend]').waitFor();

    const searchStops = await tabStops(page);
    expect(searchStops.map((stop) => stop.name)).toEqual(expect.arrayContaining(['mode:search', 'take-photo', 'choose-photo']));
    expect(searchStops.filter((stop) => !stop.visibleFocus)).toEqual([]);

    // "Open camera" with no camera says so; "Choose photo" (Enter) still searches.
    await tabTo(page, 'take-photo');
    await page.keyboard.press('Enter');
    await page.locator('[data-role="query-stage"][data-state="no-camera"]').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-no-camera-landscape.png') });
    await tabTo(page, 'choose-photo');
    const photoChooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Enter');
    await (await photoChooser).setFiles(frames[0]!);
    await page.locator('button.hit').first().waitFor({ timeout: 180_000 });

    // Results are in the Tab order: the people on the photo and the hit cards.
    const resultStops = await tabStops(page);
    const resultNames = resultStops.map((stop) => stop.name);
    expect(resultNames).toEqual(expect.arrayContaining(['person', 'hit']));
    expect(resultStops.filter((stop) => !stop.visibleFocus)).toEqual([]);

    // A person on the photo is chosen with Enter: it is searched and stays focused.
    await tabTo(page, 'person');
    const searched = page.waitForResponse((response) => response.url().endsWith('/graphql') && response.request().postData()?.includes('searchPerson') === true);
    await page.keyboard.press('Enter');
    await searched;
    await page.locator('button.hit').first().waitFor();
    expect(await focusedControl(page)).toMatchObject({ name: 'person', visibleFocus: true });
    expect(await page.locator('button.person:focus').getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-keyboard-person-landscape.png') });

    // A hit card opens its frame with Enter; the dialog's Close has focus and works with Space; focus returns to the card.
    const card = await tabTo(page, 'hit');
    await page.keyboard.press('Enter');
    await page.locator('dialog[open] img').waitFor();
    expect(await focusedControl(page)).toMatchObject({ name: 'close-frame', visibleFocus: true });
    await page.waitForFunction(() => (document.querySelector('person-search-kiosk')?.shadowRoot?.querySelector<HTMLImageElement>('dialog[open] img')?.naturalWidth ?? 0) > 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-keyboard-frame-landscape.png') });
    await page.keyboard.press('Space');
    await page.locator('dialog[open]').waitFor({ state: 'hidden' });
    expect(await focusedControl(page)).toMatchObject({ name: 'hit', text: card.text, visibleFocus: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-keyboard-focus-landscape.png') });
    await page.close();
  });
});
