// Builds the kiosk page (dist/index.html, served by the API at /kiosk/) and the
// embeddable element (dist/person-search-kiosk.js, one <script type="module">)
// in one pass, and ships onnxruntime-web's wasm runtime beside them: a kiosk
// must never depend on a CDN.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, defaultClientConditions, type Plugin } from 'vite';
import { serviceWorkerSource } from './src/sw/service-worker-source.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
// The `node` condition resolves to dist/ort.node.min.js; its folder holds every wasm variant.
const ortDistDir = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));

/**
 * Threads (SharedArrayBuffer) need cross-origin isolation. The API must send the
 * same two headers on /kiosk/* (see README.md in this folder).
 */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

const ORT_RUNTIME_FILE = /ort-wasm-simd-threaded(?:\.[a-z]+)?\.mjs/g;

/**
 * Emits the ort-wasm-*.mjs/.wasm pairs that the bundled onnxruntime-web entry
 * actually references (found by scanning the output), under `ort/`; in dev,
 * serves them from node_modules at the same URL.
 */
function onnxRuntimeWasmFiles(): Plugin {
  return {
    name: 'person-search:onnxruntime-wasm-files',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const match = /\/ort\/(ort-wasm-[a-z.-]+\.(?:mjs|wasm))$/.exec(request.url?.split('?')[0] ?? '');
        const file = match ? path.join(ortDistDir, match[1]!) : undefined;
        if (!file || !existsSync(file)) return next();
        response.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        // ORT starts its worker threads from the .mjs: a worker in an isolated page needs these too.
        for (const [name, value] of Object.entries(crossOriginIsolationHeaders)) response.setHeader(name, value);
        createReadStream(file).pipe(response);
      });
    },
    generateBundle(_options, bundle) {
      const runtimes = new Set<string>();
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        for (const match of output.code.matchAll(ORT_RUNTIME_FILE)) runtimes.add(match[0]);
      }
      for (const runtime of runtimes) {
        for (const fileName of [runtime, runtime.replace(/\.mjs$/, '.wasm')]) {
          this.emitFile({ type: 'asset', fileName: `ort/${fileName}`, source: readFileSync(path.join(ortDistDir, fileName)) });
        }
      }
    },
  };
}

/**
 * Writes dist/sw.js after the build, listing every file the build wrote, so the
 * standalone kiosk boots offline (src/sw/service-worker-source.ts). The version
 * is a hash of those files: a new build installs a new worker and cache.
 */
function kioskServiceWorker(): Plugin {
  let outDir = '';
  return {
    name: 'person-search:kiosk-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = readdirSync(outDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(outDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
        .sort();
      const hash = createHash('sha256');
      for (const file of files) if (file !== 'sw.js') hash.update(file).update(readFileSync(path.join(outDir, file)));
      writeFileSync(path.join(outDir, 'sw.js'), serviceWorkerSource(files, hash.digest('hex').slice(0, 16)));
    },
  };
}

export default defineConfig({
  base: '/kiosk/',
  plugins: [onnxRuntimeWasmFiles(), kioskServiceWorker()],
  resolve: {
    // The extern-wasm build of onnxruntime-web loads its runtime from `wasmPaths`
    // (our ort/ folder) instead of inlining a 400 kB copy and a hashed 28 MB asset.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
    alias: {
      '@person-search/model/web': path.join(repoRoot, 'libs/model/src/web.ts'),
      '@person-search/model': path.join(repoRoot, 'libs/model/src/index.ts'),
      '@person-search/schema': path.join(repoRoot, 'libs/schema/src/index.ts'),
    },
  },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { headers: crossOriginIsolationHeaders, fs: { allow: [repoRoot] } },
  preview: { headers: crossOriginIsolationHeaders },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      input: {
        index: path.join(import.meta.dirname, 'index.html'),
        'person-search-kiosk': path.join(import.meta.dirname, 'src/element.ts'),
      },
      output: {
        // The element keeps a stable name so host pages can reference it.
        entryFileNames: (chunk) => (chunk.name === 'person-search-kiosk' ? '[name].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
