// The same frame through the student in onnxruntime-node and in Chromium with
// onnxruntime-web (WASM, and WebGPU on the SwiftShader adapter) must give the
// same boxes (IoU > 0.99) and embeddings (cosine > 0.999).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, iou, type PersonDetection } from '@person-search/model';
import { decodeImage, loadStudent } from '@person-search/model/node';
import type { HarnessDetection, HarnessRequest } from './harness/runtime-page.js';
import { launchChromium, missingChromiumReason } from './support/chromium.js';
import { startHarnessServer, type HarnessServer } from './support/harness-server.js';
import { missingSharedDataReason, motFrames } from './support/shared-data.js';
import { missingStudentReason, studentPackageDir } from './support/student-package.js';

const skipReason = missingChromiumReason() ?? missingStudentReason() ?? missingSharedDataReason();
if (skipReason) console.warn(`browser parity skipped: ${skipReason}`);

/**
 * Pairs each Node detection with the browser detection that overlaps it most (order can differ
 * when scores are close) and returns the worst IoU and embedding cosine over the pairs.
 */
function compare(node: PersonDetection[], web: HarnessDetection[]): { worstIou: number; worstCosine: number; pairs: string[] } {
  expect(web).toHaveLength(node.length);
  const unmatched = new Set(web.keys());
  let worstIou = 1;
  let worstCosine = 1;
  const pairs: string[] = [];
  for (const person of node) {
    let best = -1;
    for (const index of unmatched) if (best < 0 || iou(person.box, web[index]!.box) > iou(person.box, web[best]!.box)) best = index;
    unmatched.delete(best);
    const other = web[best]!;
    const overlap = iou(person.box, other.box);
    const cosine = person.embedding && other.embedding ? cosineSimilarity(person.embedding, Float32Array.from(other.embedding)) : 1;
    if (!person.embedding) expect(other.embedding).toBeNull();
    worstIou = Math.min(worstIou, overlap);
    worstCosine = Math.min(worstCosine, cosine);
    const { x1, y1, x2, y2 } = person.box;
    pairs.push(`${Math.round(x2 - x1)}x${Math.round(y2 - y1)} at (${Math.round(x1)},${Math.round(y1)}) score ${person.score.toFixed(3)}/${other.score.toFixed(3)}: IoU ${overlap.toFixed(4)}, cosine ${cosine.toFixed(5)}`);
  }
  return { worstIou, worstCosine, pairs };
}

describe.skipIf(skipReason)('student parity: onnxruntime-node vs Chromium onnxruntime-web', () => {
  let server: HarnessServer;
  let browser: Browser;
  let nodePeople: PersonDetection[];
  let request: Omit<HarnessRequest, 'backend'>;

  beforeAll(async () => {
    const modelDir = studentPackageDir();
    // A frame with several people at different sizes; the kiosk's 1280 px cap is irrelevant here:
    // both runtimes get exactly the same decoded pixels.
    const image = await decodeImage(await readFile(motFrames('MOT17-09-FRCNN')[0]!));
    const student = await loadStudent(modelDir, { executionProviders: ['cpu'], intraOpThreads: 1 });
    try {
      nodePeople = await student.detectPeople(image);
    } finally {
      await student.release();
    }
    expect(nodePeople.length).toBeGreaterThan(0);
    server = await startHarnessServer({ '/kiosk/__models/': path.dirname(modelDir) });
    browser = await launchChromium({ webgpu: true });
    request = {
      modelBaseUrl: `${server.baseUrl}__models/${path.basename(modelDir)}/`,
      wasmPaths: `${server.baseUrl}ort/`,
      numThreads: 2,
      rgbBase64: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString('base64'),
      width: image.width,
      height: image.height,
    };
    if (image.channels !== 3) throw new Error('decodeImage is expected to give RGB');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const backend of ['wasm', 'webgpu'] as const) {
    it(`gives the same people on ${backend}`, { timeout: 600_000 }, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${server.baseUrl}test/harness/runtime.html`);
        await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ready');
        const result = await page.evaluate((r) => window.runtimeHarness.detect(r), { ...request, backend });
        // WebGPU must really run on the adapter, not silently fall back to WASM.
        expect(result.executionProvider).toBe(backend);
        const { worstIou, worstCosine, pairs } = compare(nodePeople, result.detections);
        console.log(`${backend}: ${result.detections.length} people in ${result.ms.toFixed(0)} ms; min IoU ${worstIou.toFixed(5)}, min cosine ${worstCosine.toFixed(6)}\n  ${pairs.join('\n  ')}`);
        expect(worstIou).toBeGreaterThan(0.99);
        expect(worstCosine).toBeGreaterThan(0.999);
      } finally {
        await page.close();
      }
    });
  }
});
