// An edge that keeps retrying: uploads each frame's blob and ingests it with
// an idempotency key until the API acknowledges it, across connection
// failures, 5xx answers and retryable GraphQL codes (UNAVAILABLE,
// INTERNAL_SERVER_ERROR while the database is gone, RATE_LIMITED). Anything
// else is a bug and fails the run. Used by the crash tests.
import { print } from 'graphql';
import { IngestFrameDocument } from '@person-search/schema';
import { b64, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding } from './fixtures.js';

const retryableCodes = new Set(['UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'RATE_LIMITED']);

export const DETECTIONS_PER_FRAME = 2;

export interface IngestRun {
  /** Image id the API acknowledged per idempotency key. */
  acknowledged: Map<string, string>;
  /** Attempts that failed and were retried. */
  retries: number;
}

class Retry extends Error {}

async function attempt(baseUrl: string, credential: string, galleryId: string, index: number): Promise<string> {
  const headers = { authorization: `Bearer ${credential}` };
  const bytes = await jpegImage(160, 120, 1000 + index);
  const upload = await fetch(`${baseUrl}/v1/blobs`, { method: 'PUT', headers: { ...headers, 'content-type': 'image/jpeg' }, body: new Blob([new Uint8Array(bytes)]) });
  const uploaded = (await upload.json()) as { blobId?: string; error?: { code: string } };
  if (upload.status >= 500 || upload.status === 429) throw new Retry(`upload ${upload.status}`);
  if (upload.status !== 201) throw new Error(`upload answered ${upload.status}: ${JSON.stringify(uploaded)}`);
  const input = {
    idempotencyKey: `crash-frame-${index}`,
    galleryId,
    blobId: uploaded.blobId,
    capturedAt: new Date(Date.UTC(2026, 4, 1, 0, 0, index)).toISOString(),
    modelId: FIXTURE_STUDENT_ID,
    detections: Array.from({ length: DETECTIONS_PER_FRAME }, (_, d) => ({
      box: { x1: 10 + d * 40, y1: 10, x2: 40 + d * 40, y2: 100 },
      score: 0.9,
      embedding: b64(unitEmbedding(FIXTURE_DIMENSION, index * 10 + d)),
    })),
  };
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(IngestFrameDocument), variables: { input } }),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: { ingestFrame?: { image: { id: string } } }; errors?: { extensions?: { code?: string } }[] };
  const codes = (body.errors ?? []).map((error) => error.extensions?.code ?? '');
  if (body.data?.ingestFrame && codes.length === 0) return body.data.ingestFrame.image.id;
  if (response.status >= 500 || codes.some((code) => retryableCodes.has(code))) throw new Retry(`ingest ${response.status} ${codes.join(',')}`);
  throw new Error(`ingest answered ${response.status}: ${JSON.stringify(body.errors)}`);
}

/**
 * Ingests frames 0..count-1 with `clients` concurrent clients, each retrying
 * its frame (every 100 ms) until acknowledged or `deadlineMs` passes.
 * `onProgress` sees the number acknowledged so far (to time a crash).
 */
export async function ingestWithRetries(options: {
  baseUrl: () => string;
  credential: string;
  galleryId: string;
  count: number;
  clients: number;
  deadlineMs: number;
  onProgress?: (acknowledged: number) => void;
}): Promise<IngestRun> {
  const run: IngestRun = { acknowledged: new Map(), retries: 0 };
  const deadline = Date.now() + options.deadlineMs;
  let next = 0;
  async function client(): Promise<void> {
    for (let index = next++; index < options.count; index = next++) {
      for (;;) {
        if (Date.now() > deadline) throw new Error(`frame ${index} not acknowledged before the deadline (${run.retries} retries)`);
        try {
          run.acknowledged.set(`crash-frame-${index}`, await attempt(options.baseUrl(), options.credential, options.galleryId, index));
          options.onProgress?.(run.acknowledged.size);
          break;
        } catch (error) {
          // fetch's TypeError = connection refused/reset: the server is down or restarting.
          if (!(error instanceof Retry) && !(error instanceof TypeError)) throw error;
          run.retries += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  }
  await Promise.all(Array.from({ length: options.clients }, () => client()));
  return run;
}
