// Benchmark: how long until the phone app's Today screen answers a tap, on a
// first visit (nothing cached) and on a repeat visit (served by the service
// worker), under Chromium's "Slow 4G" network profile.
//
//   EDIARY_BIN=target/release/ediary LEPTOS_SITE_ROOT=target/site \
//     tests/browser/run.sh first-tap.bench.mjs [runs]
//
// The clock is the page's own (milliseconds since navigation started) and
// stops when the glucose form, opened by tapping "Glucose" on Today, is on
// screen. Two ways to tap: "app" taps from inside the page the moment the
// button appears (what the app can do); "driver" taps through Playwright,
// which first waits for the button to be visible and stable (its own checks
// add a few hundred milliseconds on this machine). The person is signed in
// (cookies set by the API) but the browser holds nothing else on a first
// visit.
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

/// Runs in the page before its own scripts: notes when the glucose form
/// appears and, in "app" mode, taps "Glucose" as soon as it exists.
function watch(mode) {
  new MutationObserver((_, observer) => {
    const button = document.querySelector('.log-buttons .glucose');
    if (mode === 'app' && button && !window.__tapped) {
      window.__tapped = performance.now();
      button.click();
    }
    if (document.getElementById('glucose_value')) {
      window.__formShown = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });
}

async function timeToTap(page, mode) {
  await page.goto(`${server.url}/diary`, { waitUntil: 'commit' });
  if (mode === 'driver') {
    await page.locator('.log-buttons .glucose').tap({ timeout: 60_000 });
  }
  await page.locator('#glucose_value').waitFor({ timeout: 60_000 });
  return page.evaluate(() => window.__formShown);
}

const figures = { app: { first: [], repeat: [] }, driver: { first: [], repeat: [] } };
try {
  for (const mode of ['app', 'driver']) {
    for (let i = 0; i < runs; i += 1) {
      const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-GB' });
      const signIn = await context.request.post(`${server.url}/api/v1/auth/session`, { data: DEMO.teen });
      if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
      await context.addInitScript(watch, mode);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
      figures[mode].first.push(await timeToTap(page, mode));
      // Let the service worker take over and fill its cache, then come back.
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
      await page.waitForFunction(
        async () => (await (await caches.open('ediary-shell-v2')).keys()).some((r) => /phone_bg\.wasm$/.test(r.url)),
        null,
        { timeout: 60_000, polling: 250 },
      );
      figures[mode].repeat.push(await timeToTap(page, mode));
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const show = (list) => list.map((ms) => Math.round(ms)).join(', ');
console.log(`Slow 4G (latency ${SLOW_4G.latency} ms, ${Math.round(SLOW_4G.downloadThroughput / 1000)} kB/s down), ${runs} runs each`);
for (const mode of ['app', 'driver']) {
  for (const visit of ['first', 'repeat']) {
    const list = figures[mode][visit];
    console.log(`${mode} tap, ${visit} visit: median ${Math.round(median(list))} ms (${show(list)})`);
  }
}
