// A Vite dev server over apps/edge-client (same config: aliases, local ORT wasm,
// COOP/COEP) that also serves read-only folders the browser harnesses need:
// model packages and TF.js files. Used by the parity test and the bench.
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { crossOriginIsolationHeaders } from '../../vite.config.js';

const APP_DIR = path.resolve(import.meta.dirname, '../..');

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.jpg': 'image/jpeg',
};

/** Serves `folders[urlPrefix] = absolute folder` (no listing, no `..`). */
function staticFolders(folders: Record<string, string>): Plugin {
  return {
    name: 'person-search:test-static-folders',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const url = decodeURIComponent(request.url?.split('?')[0] ?? '');
        for (const [prefix, folder] of Object.entries(folders)) {
          if (!url.startsWith(prefix)) continue;
          const file = path.join(folder, url.slice(prefix.length));
          if (!file.startsWith(folder) || !existsSync(file) || !statSync(file).isFile()) break;
          response.setHeader('Content-Type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream');
          response.setHeader('Content-Length', String(statSync(file).size));
          for (const [name, value] of Object.entries(crossOriginIsolationHeaders)) response.setHeader(name, value);
          createReadStream(file).pipe(response);
          return;
        }
        next();
      });
    },
  };
}

export interface HarnessServer {
  /** e.g. http://localhost:5173/kiosk/ */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startHarnessServer(folders: Record<string, string>): Promise<HarnessServer> {
  const server: ViteDevServer = await createServer({
    configFile: path.join(APP_DIR, 'vite.config.ts'),
    root: APP_DIR,
    logLevel: 'warn',
    plugins: [staticFolders(folders)],
    server: { port: 0, host: '127.0.0.1', hmr: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('The harness server has no port');
  return { baseUrl: `http://127.0.0.1:${address.port}/kiosk/`, close: () => server.close() };
}
