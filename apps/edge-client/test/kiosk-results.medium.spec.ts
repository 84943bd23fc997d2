// Honest search results (issue 11, item 4) as a person reads them: Chromium on
// the page the real API serves (PGlite, child process), the real student in
// onnxruntime-web and the real teacher re-ranking on the server, real MOT17
// photos with several people each. A crop of one person who is in the gallery
// must bring up that person's own sighting in a "likely the same person" group
// above the others, not "N matches"; the same photo taken twice by one camera
// seconds apart is one sighting with a fold count. Screenshots in
// <repo>/test-results/edge-client/.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou } from '@person-search/model';
import { DetectionDocument, ImageDocument } from '@person-search/schema';
import { missingApiReason, startApiProcess, waitForTeacherQueue, type ApiProcess } from './support/api-process.js';
import { createKioskTenant } from './support/kiosk-tenant.js';
import { seriousAxeViolations } from './support/axe.js';
import { buildKiosk } from './support/build-kiosk.js';
import { launchChromium, missingChromiumReason } from './support/chromium.js';
import { openKiosk, queueState, recordIngests, waitFor, waitForModel } from './support/kiosk-page.js';
import { missingSharedDataReason, motFrames, REPO_ROOT } from './support/shared-data.js';
import { missingStudentReason } from './support/student-package.js';

const skipReason = missingChromiumReason() ?? missingApiReason() ?? missingStudentReason() ?? missingSharedDataReason();
if (skipReason) console.warn(`kiosk search-results browser tests skipped: ${skipReason}`);

const SCREENSHOTS = path.join(REPO_ROOT, 'test-results/edge-client');
const LANDSCAPE = { width: 1600, height: 900 };
const PORTRAIT = { width: 900, height: 1600 };

interface TimedPhoto {
  name: string;
  base64: string;
  /** File.lastModified: what the kiosk takes as a picked photo's capture time. */
  lastModified: number;
}

function timedPhoto(file: string, capturedAtMs: number): TimedPhoto {
  return { name: path.basename(file), base64: readFileSync(file).toString('base64'), lastModified: capturedAtMs };
}

/**
 * Picks photos in the capture view's file chooser with chosen capture times (playwright-core's
 * setInputFiles drops lastModifiedMs on this path, so the Files are built in the page as it does).
 */
async function pickTimedPhotos(page: Page, photos: TimedPhoto[]): Promise<void> {
  await page.evaluate((list) => {
    const input = document.querySelector('person-search-kiosk')!.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
    const transfer = new DataTransfer();
    for (const photo of list) {
      const bytes = Uint8Array.from(atob(photo.base64), (char) => char.charCodeAt(0));
      transfer.items.add(new File([bytes], photo.name, { type: 'image/jpeg', lastModified: photo.lastModified }));
    }
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, photos);
}

interface ShownHit {
  group: string;
  detectionId: string;
  similar: number;
  text: string;
}

function shownHits(page: Page): Promise<ShownHit[]> {
  return page.locator('button.hit').evaluateAll((buttons) =>
    buttons.map((button) => ({
      group: button.closest('[data-group]')?.getAttribute('data-group') ?? '',
      detectionId: button.getAttribute('data-detection-id') ?? '',
      similar: Number(button.getAttribute('data-similar')),
      text: button.textContent ?? '',
    })),
  );
}

describe.skipIf(skipReason)('search results as a person reads them', () => {
  let api: ApiProcess;
  let browser: Browser;
  let context: BrowserContext;
  let adminKey: string;
  let galleryId: string;
  let deviceKey: string;
  let searchKey: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await buildKiosk();
    // No camera: the capture page takes the picked photos only.
    [api, browser] = await Promise.all([startApiProcess(), launchChromium()]);
    ({ adminKey, galleryId, deviceKey, searchKey } = await createKioskTenant(api, { tenant: 'honest results', gallery: 'entrance camera' }));
    context = await browser.newContext({ viewport: LANDSCAPE });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('a crop of someone in the gallery: their own sighting leads a "likely" group above "others", and the same photo twice is one sighting', async () => {
    const street = motFrames('MOT17-09-FRCNN')[0]!;
    const strangers = [motFrames('MOT17-02-FRCNN')[0]!, motFrames('MOT17-04-FRCNN')[0]!, motFrames('MOT17-11-FRCNN')[0]!];
    const startedAt = Date.parse('2026-05-04T09:00:00Z');

    // One capture kiosk (one camera): the street photo, three other scenes minutes later, then the street photo
    // again 3 s after the first: near-identical frames of one camera.
    const capture = await openKiosk(context, api.url, { key: deviceKey, gallery: galleryId, mode: 'capture', interval: '600000', backend: 'wasm' });
    const ingests = recordIngests(capture);
    await waitForModel(capture);
    await pickTimedPhotos(capture, [timedPhoto(street, startedAt), ...strangers.map((file, index) => timedPhoto(file, startedAt + (index + 1) * 60_000))]);
    await waitFor(() => queueState(capture), (state) => state?.uploaded === 4 && state.pending === 0, 180_000, 'four photos uploaded');
    await pickTimedPhotos(capture, [timedPhoto(street, startedAt + 3_000)]);
    await waitFor(() => queueState(capture), (state) => state?.uploaded === 5 && state.pending === 0, 120_000, 'the repeated photo uploaded');
    await ingests.settled(5);
    await capture.close();

    const images = await Promise.all(ingests.filter((call) => call.imageId && call.duplicate === false).map(async (call) => (await api.gql(ImageDocument, { id: call.imageId! }, adminKey)).image));
    expect(images).toHaveLength(5);
    const streetImages = images.filter((image) => [startedAt, startedAt + 3_000].includes(Date.parse(image.capturedAt)));
    console.info(`captured at: ${images.map((image) => image.capturedAt).join(", ")}`);
    expect(streetImages).toHaveLength(2);
    const galleryDetections = images.reduce((sum, image) => sum + image.detections.length, 0);
    console.info(`gallery: ${images.length} frames, ${galleryDetections} detections (${images.map((image) => image.detections.length).join(', ')})`);
    // The person to look for: the surest detection of the street photo that is wholly in the picture and
    // tall enough to crop (the largest boxes there are people cut by the frame's edge, or poles).
    const [first] = streetImages;
    const inside = first!.detections.filter(({ box }) => box.x1 > 8 && box.y1 > 8 && box.x2 < first!.width - 8 && box.y2 < first!.height - 8 && box.y2 - box.y1 >= 150);
    const person = [...inside].sort((a, b) => b.score - a.score)[0]!;
    expect(person).toBeDefined();

    // The query: that person cut out of the original photo with a 15 % margin, as someone would crop a picture.
    const { width: fullWidth, height: fullHeight } = await sharp(street).metadata();
    const scale = fullWidth! / first!.width;
    const margin = 0.15;
    const [w, h] = [person.box.x2 - person.box.x1, person.box.y2 - person.box.y1];
    const left = Math.max(0, Math.round((person.box.x1 - margin * w) * scale));
    const top = Math.max(0, Math.round((person.box.y1 - margin * h) * scale));
    const cropWidth = Math.min(fullWidth! - left, Math.round(w * (1 + 2 * margin) * scale));
    const cropHeight = Math.min(fullHeight! - top, Math.round(h * (1 + 2 * margin) * scale));
    const crop = await sharp(street).extract({ left, top, width: cropWidth, height: cropHeight }).jpeg({ quality: 90 }).toBuffer();

    // Search the gallery as the worker leaves it: every frame re-ranked by the teacher, not only those it reached in time.
    await waitForTeacherQueue(api.url);
    const page = await openKiosk(context, api.url, { key: searchKey, gallery: galleryId, mode: 'search', backend: 'wasm' });
    await waitForModel(page);
    const answered = page.waitForResponse((response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('searchPerson'), { timeout: 180_000 });
    await page.locator('input[type="file"]').setInputFiles({ name: 'person.jpg', mimeType: 'image/jpeg', buffer: crop });
    const { data } = (await (await answered).json()) as { data: { searchPerson: { hits: { score: number; teacherScore: number | null; detection: { id: string } }[] } } };
    const returned = data.searchPerson.hits;
    await page.locator('[data-group] button.hit').first().waitFor({ timeout: 60_000 });

    const summary = (await page.locator('[data-role="results-summary"]').textContent()) ?? '';
    const threshold = Number(await page.locator('[data-role="results-summary"]').getAttribute('data-threshold'));
    const shown = await shownHits(page);
    console.info(`search: ${returned.length} hits returned, ${shown.length} shown; "${summary}"; threshold ${threshold}`);
    console.info(`scores (teacher ${returned.every((hit) => hit.teacherScore !== null) ? 'all' : 'not all'}): ${returned.map((hit) => hit.score.toFixed(3)).join(' ')}`);
    console.info(`shown: ${shown.map((hit) => `${hit.group}:${hit.text.replace(/\s+/g, ' ').trim()}`).join(' | ')}`);

    // Every shown sighting, with where it really is.
    const located = await Promise.all(
      shown.map(async (hit) => {
        const { detection } = await api.gql(DetectionDocument, { id: hit.detectionId }, adminKey);
        const inStreet = streetImages.some((image) => image.id === detection.image.id);
        return { ...hit, samePerson: inStreet && iou(detection.box, person.box) > 0.5 };
      }),
    );

    // Not "N matches": a count of likely sightings, fewer than the hits, in a group that sits above the others.
    expect(summary).not.toMatch(/match/i);
    const likely = located.filter((hit) => hit.group === 'likely');
    expect(summary).toMatch(new RegExp(`^${likely.length} likely the same person`));
    expect(likely.length).toBeGreaterThanOrEqual(1);
    expect(likely.length).toBeLessThan(returned.length);
    expect(await page.locator('[data-group]').evaluateAll((groups) => groups.map((group) => group.getAttribute('data-group')))).toEqual(['likely', 'others']);
    const likelyBox = (await page.locator('[data-group="likely"]').boundingBox())!;
    const othersBox = (await page.locator('[data-group="others"]').boundingBox())!;
    expect(likelyBox.y + likelyBox.height).toBeLessThanOrEqual(othersBox.y + 1);
    expect(await page.locator('[data-group="likely"] h3').textContent()).toMatch(/^Likely the same person/);

    // The person's own sighting (the same frame, the box overlapping) is the first likely one; nobody else is likely.
    expect(likely[0]!.samePerson).toBe(true);
    expect(likely.every((hit) => hit.samePerson)).toBe(true);
    expect(located.filter((hit) => hit.group === 'others').every((hit) => !hit.samePerson)).toBe(true);

    // The API returned the person in both copies of the street photo; the kiosk shows one sighting, "+1 similar".
    const ownDetections = await Promise.all(
      returned.map(async (hit) => {
        const { detection } = await api.gql(DetectionDocument, { id: hit.detection.id }, adminKey);
        return streetImages.some((image) => image.id === detection.image.id) && iou(detection.box, person.box) > 0.5;
      }),
    );
    expect(ownDetections.filter(Boolean)).toHaveLength(2);
    const sightingsOfPerson = located.filter((hit) => hit.samePerson);
    expect(sightingsOfPerson).toHaveLength(1);
    expect(sightingsOfPerson[0]!.similar).toBeGreaterThanOrEqual(1);
    expect(sightingsOfPerson[0]!.text).toMatch(/\+\d+ similar/);
    expect(shown.length).toBeLessThan(returned.length);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator('img[alt=""]').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-likely-landscape.png') });
    await page.setViewportSize(PORTRAIT);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'search-likely-portrait.png') });
    await page.close();
  }, 480_000);
});
