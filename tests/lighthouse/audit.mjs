// Lighthouse's mobile audit (its defaults: simulated slow 4G, 4x CPU
// slowdown) of `/`, `/enroll` and `/diary` on the release server with the
// demo study, in Debian's Chromium. `/diary` is audited signed in as the demo
// teen: the sign-in happens in the same browser profile Lighthouse then
// uses, so the page holds its real cookies (the CSRF one included) and its
// sync succeeds as on a phone.
//
//   EDIARY_BIN=target/release/ediary LEPTOS_SITE_ROOT=target/site \
//     node tests/lighthouse/audit.mjs [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';

const runs = Number(process.argv[2] || 3);
const TEEN = { username: 'demo.teen', password: 'paper-kite-7305' };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url) {
  for (let i = 0; i < 300; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

const dir = mkdtempSync(join(tmpdir(), 'ediary-lighthouse-'));
const port = await freePort();
const server = spawn(
  process.env.EDIARY_BIN,
  ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--data-dir', join(dir, 'data')],
  { env: { ...process.env, EDIARY_STAFF_MFA: 'off', RUST_LOG: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] },
);
const base = `http://127.0.0.1:${port}`;
const debugPort = await freePort();
let context;
try {
  await waitReady(`${base}/readyz`);
  // A persistent context is Chromium's default one, where Lighthouse opens
  // its tab: the sign-in's cookies are there.
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      `--remote-debugging-port=${debugPort}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const audit = async (path) => {
    const result = await lighthouse(`${base}${path}`, {
      port: debugPort,
      output: 'json',
      logLevel: 'error',
      // Lighthouse's storage reset before each run (its default
      // clearStorageTypes: service workers, Cache Storage, file systems,
      // shader cache, and the HTTP cache) leaves cookies alone, so the
      // sign-in holds and every run is a first visit. disableStorageReset
      // would keep the HTTP cache and the service worker too: after the first
      // run every file came from them (0 bytes transferred), and `/diary` was
      // served the phone bundle that `/` had prefetched.
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    });
    const { categories, audits, runtimeError } = result.lhr;
    const problems = Object.values(audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary')
      .map((a) => a.id);
    // A run that failed scores 0 with no LCP: say why.
    if (runtimeError) problems.push(`runtime error ${runtimeError.code}`);
    return {
      performance: Math.round(categories.performance.score * 100),
      accessibility: Math.round(categories.accessibility.score * 100),
      bestPractices: Math.round(categories['best-practices'].score * 100),
      lcpMs: Math.round(audits['largest-contentful-paint'].numericValue),
      problems,
    };
  };
  const figures = {};
  for (const path of ['/', '/enroll']) {
    figures[path] = [];
    for (let i = 0; i < runs; i += 1) figures[path].push(await audit(path));
  }
  // Signed in through the plain sign-in form, as a phone does.
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(`${base}/`);
  await page.locator('#username').fill(TEEN.username);
  await page.locator('#password').fill(TEEN.password);
  await page.locator('#password').press('Enter');
  await page.waitForURL((url) => url.pathname === '/diary', { timeout: 60_000 });
  figures['/diary'] = [];
  for (let i = 0; i < runs; i += 1) figures['/diary'].push(await audit('/diary'));
  const out = new URL("./lighthouse-figures.json", import.meta.url).pathname;
  writeFileSync(out, JSON.stringify(figures, null, 2));
  for (const [path, list] of Object.entries(figures)) {
    const pick = (key) => list.map((f) => f[key]).join(', ');
    console.log(
      `${path}: performance ${pick('performance')}; accessibility ${pick('accessibility')}; ` +
        `best practices ${pick('bestPractices')}; LCP ms ${pick('lcpMs')}; ` +
        `failing audits: ${[...new Set(list.flatMap((f) => f.problems))].join(', ') || 'none'}`,
    );
  }
} finally {
  await context?.close();
  server.kill();
}
