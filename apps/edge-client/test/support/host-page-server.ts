// A customer's page on another origin: a tiny HTTP server on 127.0.0.2 (a
// different site from the API on 127.0.0.1) that serves one HTML page embedding
// the kiosk element with its one script tag, optionally cross-origin isolated.
// Every request it receives is recorded, so a test can prove the element never
// resolved one of its assets against the host page.
import { createServer, type Server } from 'node:http';
import type { KioskAttributes } from './kiosk-page.js';

const HOST = '127.0.0.2';

export interface HostPageServer {
  /** The page's URL, e.g. http://127.0.0.2:41234/shop/entrance.html */
  pageUrl: string;
  /** Paths the browser asked this server for, in order. */
  readonly requestedPaths: string[];
  close(): Promise<void>;
}

export interface HostPageOptions {
  apiUrl: string;
  attributes: KioskAttributes;
  /** Send COOP/COEP so the page (and the element's WASM threads) are cross-origin isolated. */
  isolated: boolean;
  /** The whole page instead of hostPageHtml (e.g. a host layout with margins, or a retrying loader). */
  html?: string;
}

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

export function hostPageHtml(apiUrl: string, attributes: KioskAttributes): string {
  const attributeText = Object.entries({ api: apiUrl, ...attributes })
    .map(([name, value]) => `${name}="${escapeAttribute(value)}"`)
    .join(' ');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A shop's entrance page</title></head>
  <body style="margin:0;height:100vh">
    <script type="module" src="${apiUrl}/kiosk/person-search-kiosk.js"></script>
    <person-search-kiosk ${attributeText}></person-search-kiosk>
  </body>
</html>
`;
}

export async function startHostPageServer(options: HostPageOptions): Promise<HostPageServer> {
  const requestedPaths: string[] = [];
  const html = options.html ?? hostPageHtml(options.apiUrl, options.attributes);
  // Deep page path: an asset wrongly resolved against the page would land under /shop/ here.
  const pagePath = '/shop/entrance.html';
  const server: Server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://host').pathname;
    requestedPaths.push(pathname);
    // Browsers ask for a favicon on their own; answering it keeps every 404 meaningful.
    if (pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (pathname !== pagePath) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (options.isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    response.writeHead(200, headers).end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The host page server has no port');
  return {
    pageUrl: `http://${HOST}:${address.port}${pagePath}`,
    requestedPaths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
