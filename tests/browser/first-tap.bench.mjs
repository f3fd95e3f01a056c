// Benchmark: how long until the phone app's Today screen answers a tap, on a
// first visit (nothing cached) and on a repeat visit (served by the service
// worker), under Chromium's "Slow 4G" network profile.
//
//   EDIARY_BIN=target/release/ediary LEPTOS_SITE_ROOT=target/site \
//     node tests/browser/first-tap.bench.mjs [runs]
//
// The clock starts when navigation to /diary starts and stops when the
// glucose form opened by tapping "Glucose" on Today is on screen. The person
// is signed in (cookies set by the API) but the browser holds nothing else.
import { DEMO, PHONE, launchChromium, startServer } from './helpers.mjs';

// Chrome DevTools' "Slow 4G" preset (the figures DevTools sends over CDP).
const SLOW_4G = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadThroughput: ((750 * 1000) / 8) * 0.9,
};

const runs = Number(process.argv[2] || 5);
const server = await startServer();
const browser = await launchChromium();

async function timeToTap(page) {
  const start = performance.now();
  await page.goto(`${server.url}/diary`, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"] .log-buttons .glucose', { timeout: 60_000 });
  await page.locator('.log-buttons .glucose').tap();
  await page.locator('#glucose_value').waitFor({ timeout: 60_000 });
  return performance.now() - start;
}

const first = [];
const repeat = [];
try {
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const signIn = await context.request.post(`${server.url}/api/v1/auth/session`, { data: DEMO.teen });
    if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    first.push(await timeToTap(page));
    // Let the service worker finish filling its cache, then come back.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await page.waitForFunction(
      async () => (await (await caches.open('ediary-shell-v1')).keys()).some((r) => r.url.endsWith('.wasm')),
      null,
      { timeout: 60_000, polling: 250 },
    );
    repeat.push(await timeToTap(page));
    await context.close();
  }
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const show = (list) => list.map((ms) => Math.round(ms)).join(', ');
console.log(`Slow 4G (latency ${SLOW_4G.latency} ms, ${Math.round(SLOW_4G.downloadThroughput / 1000)} kB/s down), ${runs} runs`);
console.log(`first visit:  median ${Math.round(median(first))} ms  (${show(first)})`);
console.log(`repeat visit: median ${Math.round(median(repeat))} ms  (${show(repeat)})`);
