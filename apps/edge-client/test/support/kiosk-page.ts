// Drives the kiosk page the API serves: opens it with attributes, reads the
// element's state, and records what the page sent to and got from the API.
import type { BrowserContext, Page, Request } from 'playwright-core';

export type KioskAttributes = Record<string, string>;

export async function openKiosk(context: BrowserContext, apiUrl: string, attributes: KioskAttributes): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.warn(`[kiosk] ${error.message}`));
  await page.goto(`${apiUrl}/kiosk/?${new URLSearchParams(attributes)}`);
  await page.waitForFunction(() => document.querySelector('person-search-kiosk')?.shadowRoot?.querySelector('.kiosk'));
  return page;
}

export interface QueueState {
  pending: number;
  failed: number;
  uploaded: number;
  lastError: string | null;
  offline: boolean;
}

export function queueState(page: Page): Promise<QueueState | null> {
  return page.evaluate(() => (document.querySelector('person-search-kiosk') as unknown as { queueStatus: QueueState | null }).queueStatus);
}

/**
 * Waits until the student is loaded and returns the backend the status bar names;
 * fails at once, with the kiosk's own message, when the status bar says the model is unavailable.
 */
export async function waitForModel(page: Page, timeoutMs = 180_000): Promise<string> {
  const chip = page.locator('[data-status="backend"][data-backend], [data-status="backend"].danger');
  await chip.waitFor({ timeout: timeoutMs });
  const backend = await chip.getAttribute('data-backend');
  if (!backend) throw new Error(`the kiosk could not load the model: ${await chip.textContent()}`);
  return backend;
}

export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await probe();
  }
  return last;
}

export interface IngestCall {
  idempotencyKey: string;
  detections: number;
  imageId: string | null;
  duplicate: boolean | null;
}

function graphqlOperation(request: Request): { operationName?: string; query?: string; variables?: Record<string, unknown> } | null {
  if (!request.url().endsWith('/graphql') || request.method() !== 'POST') return null;
  try {
    return request.postDataJSON() as { query?: string; variables?: Record<string, unknown> };
  } catch {
    return null;
  }
}

/**
 * Records every frame the page's ingests complete (request body + server answer): one call per
 * `ingestFrame`, and one per frame of an `ingestFrames` batch (a backlog), in order.
 */
export function recordIngests(page: Page): IngestCall[] & { settled(calls?: number, timeoutMs?: number): Promise<void>; readonly batches: number } {
  const calls: IngestCall[] = [];
  let batches = 0;
  const reading = new Set<Promise<void>>();
  page.on('requestfinished', (request) => {
    const operation = graphqlOperation(request);
    if (!operation?.query?.includes('ingestFrame')) return;
    type Input = { idempotencyKey: string; detections: unknown[] };
    type Answer = { duplicate: boolean; image: { id: string } };
    const input = operation.variables?.['input'] as Input & { frames?: Input[] };
    const frames = input.frames ?? [input];
    if (input.frames) batches += 1;
    // Recorded when the request finishes, in order; the answer's fields once its body is read. The page's
    // queue can report itself drained before this event reaches the test: settled(n) waits for n calls and
    // for their answers to be read.
    const recorded = frames.map((frame): IngestCall => ({ idempotencyKey: frame.idempotencyKey, detections: frame.detections.length, imageId: null, duplicate: null }));
    calls.push(...recorded);
    const read = (async () => {
      const body = (await (await request.response())?.json().catch(() => null)) as { data?: { ingestFrame?: Answer; ingestFrames?: { frames: Answer[] } } } | null;
      const answers = input.frames ? (body?.data?.ingestFrames?.frames ?? []) : [body?.data?.ingestFrame];
      recorded.forEach((call, index) => {
        call.imageId = answers[index]?.image.id ?? null;
        call.duplicate = answers[index]?.duplicate ?? null;
      });
    })();
    reading.add(read);
    void read.finally(() => reading.delete(read));
  });
  const settled = async (count = 0, timeoutMs = 10_000) => {
    await waitFor(async () => calls.length, (recorded) => recorded >= count, timeoutMs, `${count} ingested frames recorded`);
    await Promise.all(reading);
  };
  // A getter, so the count is read when asked (Object.assign would copy its value once).
  return Object.defineProperty(Object.assign(calls, { settled }), 'batches', { get: () => batches }) as IngestCall[] & { settled: typeof settled; readonly batches: number };
}

/** The `searchPerson` input the page sends next. */
export async function nextSearchInput(page: Page): Promise<{ query: { photo: { blobId: string; box: { x1: number; y1: number; x2: number; y2: number } } } }> {
  const request = await page.waitForRequest((candidate) => graphqlOperation(candidate)?.query?.includes('searchPerson') === true, { timeout: 180_000 });
  return graphqlOperation(request)!.variables!['input'] as never;
}
