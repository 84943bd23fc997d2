// Test harness page: runs the student through @person-search/model/web exactly
// as the kiosk does, on pixels handed in by the test, and returns raw detections
// so Node can compare them with onnxruntime-node.
import { loadWebStudent } from '@person-search/model/web';

export interface HarnessRequest {
  modelBaseUrl: string;
  backend: 'webgpu' | 'wasm';
  wasmPaths: string;
  numThreads: number;
  rgbBase64: string;
  width: number;
  height: number;
}

export interface HarnessDetection {
  box: { x1: number; y1: number; x2: number; y2: number };
  score: number;
  embedding: number[] | null;
}

async function detect(request: HarnessRequest): Promise<{ executionProvider: string; ms: number; detections: HarnessDetection[] }> {
  const student = await loadWebStudent(request.modelBaseUrl, { backend: request.backend, wasmPaths: request.wasmPaths, numThreads: request.numThreads, cacheName: false });
  try {
    const data = Uint8Array.from(atob(request.rgbBase64), (char) => char.charCodeAt(0));
    const started = performance.now();
    const people = await student.detectPeople({ data, width: request.width, height: request.height, channels: 3 });
    const ms = performance.now() - started;
    return {
      executionProvider: student.executionProvider,
      ms,
      detections: people.map(({ box, score, embedding }) => ({ box: { ...box }, score, embedding: embedding ? Array.from(embedding) : null })),
    };
  } finally {
    await student.release();
  }
}

declare global {
  interface Window {
    runtimeHarness: { detect: typeof detect };
  }
}

window.runtimeHarness = { detect };
document.getElementById('state')!.textContent = 'ready';
