// Debian's Chromium through playwright-core, with the flags this machine needs
// (no sandbox, no background network) plus fake camera or WebGPU when asked.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_FLAGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LaunchOptions {
  /** A .y4m/.mjpeg file Chromium plays as its camera. */
  fakeCameraFile?: string;
  /** SwiftShader WebGPU adapter. */
  webgpu?: boolean;
}

export function missingChromiumReason(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`;
}

export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const args = [...BASE_FLAGS];
  if (options.fakeCameraFile) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCameraFile}`);
  }
  if (options.webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, timeout: 60_000 });
}
