// Static files: the active student's package under /models/<id>/ (what edges
// download), and the built kiosk page under /kiosk/ (apps/edge-client/dist).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../app.js';
import { repoRoot } from '../config.js';
import { badInput } from '../errors.js';
import { sendJson } from './http-io.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

async function sendFile(response: ServerResponse, file: string, cacheControl: string, resourcePolicy: 'same-origin' | 'cross-origin'): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  response.writeHead(200, {
    'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': cacheControl,
    // The kiosk's WASM runtime needs cross-origin isolation for threads; model
    // files may also be fetched by a kiosk element embedded on another origin.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': resourcePolicy,
  });
  // A read error after the headers (file replaced mid-send) ends this response, never the process.
  await pipeline(createReadStream(file), response).catch(() => response.destroy());
  return true;
}

export async function serveModelFile(app: AppContext, modelId: string, fileName: string, response: ServerResponse): Promise<void> {
  const student = app.models.student;
  // The active student's package and, for a composite student, its embedder's: nothing else under MODELS_DIR.
  const servable = student ? [student, ...(student.embedder ? [student.embedder] : [])] : [];
  const model = servable.find((candidate) => candidate.manifest.id === modelId);
  const allowed = model && (fileName === 'manifest.json' || fileName === model.manifest.file);
  if (!allowed || !(await sendFile(response, path.join(model.dir, fileName), 'public, max-age=300', 'cross-origin'))) {
    sendJson(response, 404, { error: { code: 'NOT_FOUND', message: `no such model file; the active student is ${student?.manifest.id ?? 'not installed'}` } });
  }
}

export const kioskDir = path.join(repoRoot, 'apps/edge-client/dist');

export async function serveKiosk(pathname: string, response: ServerResponse): Promise<void> {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.replace(/^\/kiosk\/?/, ''));
  } catch {
    throw badInput('path', 'the path is not valid percent-encoding');
  }
  if (relative.includes('\0')) throw badInput('path', 'the path contains a NUL byte');
  const file = path.resolve(kioskDir, relative || 'index.html');
  if (!file.startsWith(kioskDir + path.sep)) {
    sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
    return;
  }
  // cross-origin: the element's script, chunks and WASM runtime are embedded by customers' pages.
  if (await sendFile(response, file, relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache', 'cross-origin')) return;
  // Client-side routes fall back to the page itself; missing assets stay 404.
  if (!path.extname(relative) && (await sendFile(response, path.join(kioskDir, 'index.html'), 'no-cache', 'same-origin'))) return;
  sendJson(response, 404, {
    error: { code: 'NOT_FOUND', message: `the kiosk is not built (${path.relative(repoRoot, kioskDir)} missing): npx nx run edge-client:build` },
  });
}
