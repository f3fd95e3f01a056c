// Shared by the browser tests: a real `ediary serve --demo` on a free port,
// Debian's Chromium, and watchers for console errors.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const PHONE = { width: 390, height: 844 };

export const DEMO = {
  investigator: { username: 'demo.investigator', password: 'sunrise-lantern-4821' },
  teen: { username: 'demo.teen', password: 'paper-kite-7305' },
  guardian: { username: 'demo.guardian', password: 'moon-bamboo-6142' },
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitReady(url, limitMs) {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${limitMs} ms`);
}

/// `ediary serve --demo` on a fresh data directory; resolves once ready.
export async function startServer(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ediary-browser-'));
  const port = await freePort();
  const child = spawn(
    process.env.EDIARY_BIN,
    ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--data-dir', join(dir, 'data')],
    {
      env: { ...process.env, EDIARY_STAFF_MFA: 'off', RUST_LOG: 'warn', ...extraEnv },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/readyz`, 30_000);
  return { child, url, dataDir: join(dir, 'data') };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/// Collects console errors, uncaught exceptions and failed requests of a page.
export function watchProblems(page, { allowOffline = false, allow = null } = {}) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Answers a test provokes on purpose (a refused value's 422).
    if (allow && allow.test(m.text())) return;
    // Chromium logs every request refused by its offline emulation.
    if (allowOffline && /ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch/.test(m.text())) return;
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/// Signs in on the sign-in page with a username and password.
export async function signIn(page, base, username, password) {
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Each role lands on its own page.
  await page.waitForURL((url) => url.pathname !== '/', { timeout: 30_000 });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
}

/// Signs out from the navigation bar of the workspace's pages (`/sessions`
/// has it for every role).
export async function signOut(page, base) {
  await page.goto(`${base}/sessions`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  await page.getByRole('button', { name: 'Sign out' }).tap();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/// A JSON call to the API, with a bearer token when given.
export async function api(base, method, path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function login(base, who) {
  const answer = await api(base, 'POST', '/api/v1/auth/login', who);
  if (answer.status !== 200) throw new Error(`login ${who.username}: ${answer.status}`);
  return answer.body;
}

/// The serious and critical findings of axe-core on the page as it is
/// (the page's context needs `bypassCSP: true` for the injected script).
export async function axeProblems(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}
