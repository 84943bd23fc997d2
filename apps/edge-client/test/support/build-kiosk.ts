// Builds apps/edge-client/dist (what the API serves at /kiosk/) from the current
// sources, so browser tests never run a stale bundle.
import path from 'node:path';
import { build } from 'vite';

const APP_DIR = path.resolve(import.meta.dirname, '../..');

export async function buildKiosk(): Promise<void> {
  await build({ configFile: path.join(APP_DIR, 'vite.config.ts'), root: APP_DIR, logLevel: 'warn' });
}
