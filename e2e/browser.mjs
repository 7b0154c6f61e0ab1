// Launches Debian's Chromium headless for the end-to-end tests; no browser is downloaded.
import { chromium } from 'playwright-core';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export const BASE = process.env.HEZUO_URL || 'http://127.0.0.1:8080';
export const OUT = process.env.E2E_OUT || new URL('./out/', import.meta.url).pathname;
