// The first page on a phone: server-rendered, no WASM, no console errors;
// accounts, enrolment, sessions and the investigator's inbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { PHONE, axeProblems, launchChromium, signIn, signOut, startServer, watchProblems } from './helpers.mjs';

let server;
let browser;
let base;

/// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret.
function totp(base32, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

before(async () => {
  server = await startServer();
  base = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
});

test('sign-in page on a phone: a plain form, no staff bundle, no console errors', async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const responses = [];
  page.on('response', (r) => {
    responses.push(r);
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });

  await page.goto(`${base}/`);
  // Server-rendered content, with the demo study marked as such.
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByText('made-up data, not for real participants').waitFor();

  // The page's own small script marks it ready (it runs no WASM).
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });

  // What the script adds to the plain form.
  const password = page.locator('#password');
  assert.equal(await password.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Show' }).tap();
  assert.equal(await password.getAttribute('type'), 'text');
  await page.getByRole('button', { name: 'Hide' }).tap();
  assert.equal(await password.getAttribute('type'), 'password');

  // The server names what is missing; the username typed stays in its field.
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.getByText('Enter your username and password.').waitFor();
  await page.locator('#username').fill('demo.teen');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.getByText('Enter your password.').waitFor();
  await page.waitForSelector('body[data-hydrated="true"]');
  assert.equal(await page.locator('#username').inputValue(), 'demo.teen');
  assert.equal(new URL(page.url()).pathname, '/', 'a refused form stays on its page');

  // Laid out for the phone: nothing wider than the screen, touch targets >= 44 px.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `page is ${width} px wide`);
  for (const control of await page.locator('button, input:not([type=hidden])').all()) {
    const box = await control.boundingBox();
    assert.ok(box.height >= 44, `a control is only ${box.height} px high`);
  }

  // The staff bundle never comes; the phone bundle is fetched ahead for the
  // diary, compressed, under a hashed name cached for a year.
  const loaded = responses.map((r) => new URL(r.url()).pathname);
  assert.ok(!loaded.some((p) => /^\/pkg\/ediary\.[^/]+\.(js|wasm)$/.test(p)), loaded.join(' '));
  const ahead = await page.locator('link[rel="prefetch"]').evaluateAll((links) => links.map((l) => new URL(l.href).pathname));
  const wasmPath = ahead.find((p) => /^\/pkg\/phone-[0-9a-f]+\/phone_bg\.wasm$/.test(p));
  assert.ok(wasmPath, ahead.join(' '));
  const wasm = await fetch(`${base}${wasmPath}`, { headers: { 'accept-encoding': 'br' } });
  assert.equal(wasm.status, 200);
  assert.match(wasm.headers.get('content-encoding') ?? '', /^(br|gzip)$/);
  assert.match(wasm.headers.get('cache-control') ?? '', /immutable/);

  await page.screenshot({ path: 'artifacts/sign-in-390x844.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('signing in and out: the session lives in HttpOnly cookies', async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });

  await page.locator('#username').fill('demo.teen');
  await page.locator('#password').fill('not her password');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.getByText('Wrong username or password.').waitFor();
  assert.deepEqual(problems.splice(0), []);

  await page.locator('#password').fill('paper-kite-7305');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  // A participant lands in the diary.
  await page.waitForURL((url) => url.pathname === '/diary');

  // Scripts cannot read the tokens.
  const visible = await page.evaluate(() => document.cookie);
  assert.ok(!visible.includes('ediary_access') && !visible.includes('ediary_refresh'), visible);
  const cookies = await context.cookies();
  const access = cookies.find((c) => c.name === 'ediary_access');
  assert.ok(access && access.httpOnly && access.sameSite === 'Strict', JSON.stringify(access));

  // Opening / again is still signed in: the server sends her on from the cookie.
  await page.goto(`${base}/`);
  await page.waitForURL((url) => url.pathname === '/diary');

  await signOut(page, base);
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();

  // Staff are asked for their second factor (this server runs with it off,
  // so an investigator signs straight in).
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.locator('#username').fill('demo.investigator');
  await page.locator('#password').fill('sunrise-lantern-4821');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  // An investigator lands on the participants, under the workspace's bar.
  await page.waitForURL((url) => url.pathname === '/participants');
  await page.locator('nav.staff-nav').getByText('Demo investigator').waitFor();
  await page.screenshot({ path: 'artifacts/signed-in-390x844.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a family enrols from the link of the QR code', async () => {
  const post = async (path, body, token) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const login = await post('/api/v1/auth/login', { username: 'demo.investigator', password: 'sunrise-lantern-4821' });
  assert.equal(login.status, 200);
  const created = await post(
    '/api/v1/participants',
    { site_id: login.body.user.site_ids[0], study_id: 'DEMO-020', birth_year: 2015, diagnosis_date: '2026-11-10' },
    login.body.access_token,
  );
  assert.equal(created.status, 201);
  const link = new URL(created.body.enrollment_link);

  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${base}${link.pathname}${link.search}`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  assert.equal(await page.locator('#code').inputValue(), created.body.enrollment_code);
  await page.locator('#display_name').fill('Wang family');
  await page.locator('#new_username').fill('wang.family');
  await page.locator('#new_password').fill('our family password');
  await page.getByRole('button', { name: 'Join' }).tap();
  // Straight into the diary after enrolment.
  await page.waitForURL((url) => url.pathname === '/diary');
  await page.screenshot({ path: 'artifacts/enrolled-390x844.png', fullPage: true });

  // The code worked once.
  await signOut(page, base);
  await page.goto(`${base}${link.pathname}${link.search}`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.locator('#display_name').fill('Someone else');
  await page.locator('#new_username').fill('someone.else');
  await page.locator('#new_password').fill('another password');
  await page.getByRole('button', { name: 'Join' }).tap();
  await page.getByText('This code is not valid').waitFor();
  await page.waitForSelector('body[data-hydrated="true"]');
  // What was typed is still there (the password aside).
  assert.equal(await page.locator('#display_name').inputValue(), 'Someone else');
  assert.equal(await page.locator('#new_username').inputValue(), 'someone.else');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an investigator adds a participant and shows the QR code', async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.locator('#username').fill('demo.investigator');
  await page.locator('#password').fill('sunrise-lantern-4821');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.waitForURL((url) => url.pathname === '/participants');
  await page.goto(`${base}/participants/new`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.getByRole('heading', { name: 'Add a participant' }).waitFor();
  await page.waitForSelector('#site option', { state: 'attached' });
  await page.locator('#study_id').fill('DEMO-030');
  await page.locator('#birth_year').fill('2013');
  await page.locator('#diagnosis_date').fill('2026-11-12');
  await page.getByRole('button', { name: 'Add and show the enrolment code' }).tap();
  await page.getByRole('heading', { name: 'Enrolment code for DEMO-030' }).waitFor();
  const code = (await page.locator('.enrolment .code').textContent()).trim();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.equal(await page.locator('.enrolment .qr svg').count(), 1);
  await page.screenshot({ path: 'artifacts/enrolment-code-390x844.png', fullPage: true });

  // A guardian invitation for the same child, as a second code.
  await page.getByRole('button', { name: 'Invite a guardian' }).tap();
  await page.getByRole('heading', { name: 'Guardian invitation for DEMO-030' }).waitFor();
  const guardianCode = (await page.locator('.enrolment .code').nth(1).textContent()).trim();
  assert.notEqual(guardianCode, code);

  // The same study id again is refused with a readable message.
  await page.goto(`${base}/participants/new`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.waitForSelector('#site option', { state: 'attached' });
  await page.locator('#study_id').fill('DEMO-030');
  await page.locator('#birth_year').fill('2013');
  await page.locator('#diagnosis_date').fill('2026-11-12');
  await page.getByRole('button', { name: 'Add and show the enrolment code' }).tap();
  await page.getByText('already exists').waitFor();
  const unexpected = problems.filter((p) => !p.includes('status of 422'));
  assert.deepEqual(unexpected, []);
  await context.close();

  // The family uses the code.
  const family = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const familyPage = await family.newPage();
  await familyPage.goto(`${base}/enroll?code=${code}`);
  await familyPage.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await familyPage.locator('#display_name').fill('Li family');
  await familyPage.locator('#new_username').fill('li.family');
  await familyPage.locator('#new_password').fill('li family password');
  await familyPage.getByRole('button', { name: 'Join' }).tap();
  await familyPage.waitForURL((url) => url.pathname === '/diary');
  await family.close();

  // And the guardian uses theirs.
  const parent = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const parentPage = await parent.newPage();
  await parentPage.goto(`${base}/enroll?code=${guardianCode}`);
  await parentPage.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await parentPage.locator('#display_name').fill('Li parent');
  await parentPage.locator('#new_username').fill('li.parent');
  await parentPage.locator('#new_password').fill('li parent password');
  await parentPage.getByRole('button', { name: 'Join' }).tap();
  await parentPage.waitForURL((url) => url.pathname === '/diary');
  await parent.close();
});

test('staff set up an authenticator and sign in with its code', async () => {
  const strict = await startServer({ EDIARY_STAFF_MFA: 'on' });
  try {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const signIn = async (code) => {
      await page.locator('#username').fill('demo.investigator');
      await page.locator('#password').fill('sunrise-lantern-4821');
      if (code) await page.locator('#totp').fill(code);
      await page.getByRole('button', { name: 'Sign in' }).tap();
    };
    await page.goto(`${strict.url}/`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    await signIn();
    await page.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
    await page.getByRole('link', { name: 'Set up two-factor sign-in' }).tap();
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    await page.locator('#mfa_username').fill('demo.investigator');
    await page.locator('#mfa_password').fill('sunrise-lantern-4821');
    await page.getByRole('button', { name: 'Continue' }).tap();
    await page.getByRole('heading', { name: 'Scan with your authenticator app' }).waitFor();
    assert.equal(await page.locator('.qr svg').count(), 1);
    assert.equal(await page.locator('.recovery li').count(), 10);
    const secret = (await page.locator('.secret').textContent()).trim();
    await page.screenshot({ path: 'artifacts/mfa-setup-390x844.png', fullPage: true });

    await page.getByRole('link', { name: 'Sign in with a code' }).tap();
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    await signIn();
    await page.locator('#totp').waitFor();
    await signIn(totp(secret));
    await page.waitForURL((url) => url.pathname === '/participants');
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    strict.child.kill('SIGTERM');
  }
});

test('a parent ends the session of a lost phone', async () => {
  const signIn = async () => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    await page.locator('#username').fill('demo.guardian');
    await page.locator('#password').fill('moon-bamboo-6142');
    await page.getByRole('button', { name: 'Sign in' }).tap();
    await page.waitForURL((url) => url.pathname === '/diary');
    return { context, page };
  };
  const lost = await signIn();
  const home = await signIn();
  await home.page.goto(`${base}/sessions`);
  await home.page.getByRole('heading', { name: 'Signed-in devices' }).waitFor();
  await home.page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  const before = await home.page.locator('.sessions li').count();
  assert.ok(before >= 2, `${before} sessions`);
  await home.page.getByText('This device').waitFor();
  await home.page.getByRole('button', { name: 'End' }).first().tap();
  await home.page.waitForFunction((n) => document.querySelectorAll('.sessions li').length === n - 1, before);
  await home.page.screenshot({ path: 'artifacts/sessions-390x844.png', fullPage: true });

  // Ending all others leaves this device signed in and the lost one out.
  while ((await home.page.getByRole('button', { name: 'End' }).count()) > 0) {
    const n = await home.page.locator('.sessions li').count();
    await home.page.getByRole('button', { name: 'End' }).first().tap();
    await home.page.waitForFunction((count) => document.querySelectorAll('.sessions li').length === count - 1, n);
  }
  // The lost phone says so and no longer shows the family's diary.
  await lost.page.reload();
  await lost.page.locator('.status[data-state="signedout"]').waitFor({ timeout: 15_000 });
  await lost.page.getByRole('button', { name: 'History' }).tap();
  await lost.page.getByText('No entries yet.').waitFor();
  await home.page.goto(`${base}/`);
  await home.page.waitForURL((url) => url.pathname === '/diary');
  await lost.context.close();
  await home.context.close();
});

test('an investigator sees a serious event arrive live, acknowledges it and reports it', async () => {
  const post = async (path, body, token) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await signIn(page, base, 'demo.investigator', 'sunrise-lantern-4821');
  await page.locator('nav.staff-nav').getByRole('link', { name: /^Alerts/ }).click();
  await page.getByRole('heading', { name: 'Alerts' }).waitFor();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.getByText('Live: new alerts appear here').waitFor();

  // A parent's phone syncs a potentially serious event.
  const guardian = await post('/api/v1/auth/login', { username: 'demo.guardian', password: 'moon-bamboo-6142' });
  const child = guardian.body.user.participant_ids[0];
  const id = crypto.randomUUID();
  const now = new Date();
  const synced = await post('/api/v1/sync', {
    device_id: crypto.randomUUID(), since: null,
    mutations: [{ id, participant_id: child, entry_id: id, op: 'create', kind: 'hypo',
      recorded_at: now.toISOString(),
      data: { occurred_at: new Date(now - 600_000).toISOString(), symptoms: ['confused'],
        needed_assistance: true, lost_consciousness: true, seizure: false, treatments: ['glucagon'] } }],
  }, guardian.body.access_token);
  assert.equal(synced.status, 200);
  assert.equal(synced.body.results[0].status, 'applied');

  // It arrives without a reload, with the banner and the 24-hour clock.
  await page.getByText('New alert').waitFor({ timeout: 5_000 });
  // Both alerts of the event arrive (the entry may also resolve a missed-diary one).
  // (The demo's own alerts are in the list too: only the child's count.)
  await page.waitForFunction(() => ['Severe hypoglycemia', 'Potentially serious event'].every((rule) =>
    [...document.querySelectorAll('.alerts > li')].some((li) => li.textContent.includes('DEMO-002') && li.textContent.includes(rule))));
  const ofChild = page.locator('.alerts > li', { hasText: 'DEMO-002' });
  const serious = ofChild.filter({ hasText: 'Potentially serious event' }).first();
  await serious.getByText(/Report to the sponsor within 2[34] h/).waitFor();
  await page.screenshot({ path: 'artifacts/inbox-1024x768.png', fullPage: true });

  await serious.getByRole('button', { name: 'Acknowledge' }).click();
  await serious.getByText('Write what was done first.').waitFor();
  await serious.getByLabel('What was done').fill('Called the mother; child in the emergency department');
  await serious.getByRole('button', { name: 'Acknowledge' }).click();
  const acknowledged = ofChild.filter({ hasText: 'Potentially serious event' }).first();
  await acknowledged.getByText(/acknowledged/).waitFor();
  await acknowledged.getByLabel('What was done').fill('SAE form sent to the sponsor');
  await acknowledged.getByRole('button', { name: 'Reported to the sponsor' }).click();
  await page.waitForFunction(
    () => ![...document.querySelectorAll('.alerts > li')].some((li) => li.textContent.includes('DEMO-002') && li.textContent.includes('Potentially serious event')),
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('after one visit the app starts with no network, and can be installed', async () => {
  const manifest = await (await fetch(`${base}/manifest.webmanifest`)).json();
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.start_url, '/diary');
  assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'));

  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), '/manifest.webmanifest');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10_000 });
  // The shell, WASM included, is in the cache.
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names[0]);
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
  assert.ok(cached.includes('/'), cached.join(' '));
  assert.ok(cached.some((p) => p.startsWith('/pkg/') && p.endsWith('.wasm')), cached.join(' '));

  await context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.screenshot({ path: 'artifacts/offline-start-390x844.png', fullPage: true });
  await context.setOffline(false);

  // Signing out empties the offline cache: kept pages may show the user's data.
  await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.locator('#username').fill('demo.teen');
  await page.locator('#password').fill('paper-kite-7305');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.waitForURL((url) => url.pathname === '/diary');
  await signOut(page, base);
  // (The sign-in page it then opens is kept again: it holds nobody's data.)
  const kept = await page.evaluate(async () => {
    if (!(await caches.keys()).includes('ediary-shell-v2')) return [];
    return (await (await caches.open('ediary-shell-v2')).keys()).map((r) => new URL(r.url).pathname);
  });
  assert.ok(!kept.includes('/diary'), `the diary is still kept after signing out: ${kept.join(' ')}`);
  await context.close();
});

test('an investigator sorts and filters the roster, reviews a participant and enters and corrects a lab', async () => {
  // axe-core is injected by the test, which the app's CSP would rightly refuse.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  // A refused lab answers 422 on purpose; Chromium logs the status.
  const problems = watchProblems(page, { allow: /status of 422/ });
  const axe = async (name) => assert.deepEqual(await axeProblems(page), [], `axe on ${name}`);
  await signIn(page, base, 'demo.investigator', 'sunrise-lantern-4821');
  await page.getByRole('link', { name: 'Participants' }).click();
  await page.getByRole('heading', { name: 'Participants' }).waitFor();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  const ids = () => page.locator('table.roster tbody th').allTextContents();
  const all = await ids();
  assert.ok(all.includes('DEMO-001') && all.includes('DEMO-003'), String(all));
  assert.deepEqual(all, [...all].sort());
  // The demo's DEMO-001 stopped logging days ago: he stands out.
  const silent = page.locator('table.roster tbody tr', { hasText: 'DEMO-001' });
  await silent.getByText('No entry for 3 days').waitFor();
  assert.match(await silent.getAttribute('class'), /silent/);

  // Sorting by study id twice reverses it; the filter narrows by text.
  await page.getByRole('button', { name: 'Study id' }).click();
  await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]'));
  assert.deepEqual(await ids(), [...all].sort().reverse());
  await page.getByLabel('Find').fill('demo-003');
  await page.getByText(`1 of ${all.length} participants`).waitFor();
  assert.deepEqual(await ids(), ['DEMO-003']);
  await page.getByLabel('Find').fill('');
  await page.getByLabel('Needs attention').check();
  await page.waitForFunction(() => [...document.querySelectorAll('table.roster tbody tr')].every((tr) => tr.classList.contains('silent') || tr.querySelector('td.alerting')));
  await page.getByLabel('Needs attention').uncheck();
  await axe('roster');
  await page.screenshot({ path: 'artifacts/roster-1280x900.png', fullPage: true });

  // The study's figures per visit window.
  await page.getByRole('link', { name: 'Outcome figures by visit' }).click();
  await page.getByRole('heading', { name: 'Outcome figures by visit' }).waitFor();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.getByRole('columnheader', { name: /^Baseline \(day 0/ }).waitFor();
  await page.getByRole('rowheader', { name: 'Participants in the window' }).waitFor();
  await axe('study outcomes');
  await page.screenshot({ path: 'artifacts/study-outcomes-1280x900.png', fullPage: true });
  await page.getByRole('link', { name: 'All participants' }).click();

  // One participant: figures with what they rest on, charts, labs.
  await page.getByRole('link', { name: 'DEMO-001' }).click();
  await page.getByRole('heading', { name: /^DEMO-001 · / }).waitFor();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.getByText(/^From \d+ readings? over 14 days/).waitFor();
  await page.getByText('HbA1c and IDAA1C').waitFor();

  // A weight typed with a decimal comma; a correction needs a reason.
  // Today at the demo site (Asia/Shanghai), not the UTC day.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  await page.locator('#lab-kind').selectOption('weight');
  await page.locator('#lab-taken').fill(today);
  await page.locator('#lab-value').fill('48,5');
  await page.getByRole('button', { name: 'Save the lab' }).click();
  const row = page.locator('table.labs tbody tr', { hasText: 'Weight: 48.5 kg' });
  await row.waitFor();
  await row.getByRole('button', { name: 'Correct' }).click();
  await page.getByRole('heading', { name: /^Correct Weight of / }).waitFor();
  await page.locator('#lab-value').fill('49');
  await page.getByRole('button', { name: 'Save the correction' }).click();
  await page.getByText('Say why the lab is corrected.').waitFor();
  await page.locator('#lab-reason').fill('scale not zeroed');
  await page.getByRole('button', { name: 'Save the correction' }).click();
  const corrected = page.locator('table.labs tbody tr', { hasText: 'Weight: 49 kg' });
  await corrected.getByText('reason: scale not zeroed').waitFor();
  await corrected.getByText(/^v1: 48\.5 kg/).waitFor();
  // A word where the number goes is refused in words.
  await page.locator('#lab-value').fill('heavy');
  await page.locator('#lab-taken').fill(today);
  await page.getByRole('button', { name: 'Save the lab' }).click();
  await page.getByText('Enter the result as a number.').waitFor();
  await axe('participant');
  await page.screenshot({ path: 'artifacts/participant-1280x900.png', fullPage: true });

  // Staff pages carry health data: the service worker keeps none of them,
  // loaded straight from the address bar or not.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.goto(`${base}/participants`);
  await page.getByRole('heading', { name: 'Participants' }).waitFor();
  await page.goto(`${base}/inbox`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.waitForTimeout(1000);
  const kept = await page.evaluate(async () => {
    const paths = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
    }
    return paths;
  });
  assert.ok(!kept.some((p) => /^\/(participants|inbox|study)/.test(p)), kept.join(' '));
  assert.deepEqual(problems, []);
  await context.close();
});

test('an admin changes the study settings, and bad values are refused in words', async () => {
  execFileSync(process.env.EDIARY_BIN,
    ['user', 'create', '--role', 'admin', '--username', 'test.admin', '--data-dir', server.dataDir],
    { input: 'a long admin password\n', stdio: ['pipe', 'ignore', 'inherit'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  // Refused values answer 422 on purpose; Chromium logs the status.
  const problems = watchProblems(page, { allow: /status of 422/ });
  // An admin lands on the study settings.
  await signIn(page, base, 'test.admin', 'a long admin password');
  assert.equal(new URL(page.url()).pathname, '/study/settings');
  await page.getByRole('heading', { name: 'Study settings' }).waitFor();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });

  // The study's name.
  const name = page.locator('#study-name');
  await page.waitForFunction(() => document.querySelector('#study-name')?.value.startsWith('DEMO'));
  await name.fill('DEMO: UC-MSC phase 1 (renamed)');
  // The demo site is in Qingdao: its default language is Chinese.
  assert.equal(await page.locator('#study-language').inputValue(), 'zh-CN');
  await page.locator('#study-language').selectOption('en');
  await page.getByRole('button', { name: 'Save the study' }).click();
  await page.locator('form.settings', { has: name }).getByText('Saved.').waitFor();

  // A site's emergency number: a word is refused, a number kept.
  const phone = page.locator('#site-DEMO-phone');
  await phone.waitFor();
  await phone.fill('call the nurse');
  await page.getByRole('button', { name: 'Save the site' }).click();
  await page.getByText(/emergency_phone: a phone number such as/).waitFor();
  await phone.fill('+86 532 8291 1234');
  await page.getByRole('button', { name: 'Save the site' }).click();
  await page.locator('form.settings', { has: phone }).getByText('Saved.').waitFor();

  // Alert contacts of the site.
  await page.getByRole('button', { name: 'Add a contact' }).click();
  await page.locator('#contact-DEMO-0-target').fill('trial-team@example.org');
  await page.getByRole('button', { name: 'Save the contacts' }).click();
  await page.locator('form.settings', { has: page.locator('#contact-DEMO-0-target') }).getByText('Saved.').waitFor();

  // Thresholds: out of range is refused with the field.
  await page.locator('#missed').fill('0');
  await page.getByRole('button', { name: 'Save the thresholds' }).click();
  await page.getByText(/missed_days: from 1 to 30/).waitFor();
  await page.locator('#missed').fill('2');
  await page.getByRole('button', { name: 'Save the thresholds' }).click();
  await page.locator('form.settings', { has: page.locator('#missed') }).getByText('Saved.').waitFor();

  // The IDAA1C dose window.
  await page.locator('#idaa1c-days').fill('5');
  await page.getByRole('button', { name: 'Save the IDAA1C window' }).click();
  await page.locator('form.settings', { has: page.locator('#idaa1c-days') }).getByText('Saved.').waitFor();

  // The visit schedule and the advice are there to change.
  await page.waitForFunction(() => [...document.querySelectorAll('table.schedule input')].some((i) => i.value === 'baseline'));
  await page.locator('#advice-en').fill('Give sugar, then call the site.');
  await page.getByRole('button', { name: 'Save the advice' }).click();
  await page.locator('form.settings', { has: page.locator('#advice-en') }).getByText('Saved.').waitFor();

  // What the API now says.
  const me = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'test.admin', password: 'a long admin password' }),
  }).then((r) => r.json());
  const get = (path) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${me.access_token}` } }).then((r) => r.json());
  assert.equal((await get('/api/v1/study')).name, 'DEMO: UC-MSC phase 1 (renamed)');
  assert.equal((await get('/api/v1/study/alert-settings')).missed_days, 2);
  assert.equal((await get('/api/v1/study/outcome-settings')).idaa1c_dose_days, 5);
  assert.equal((await get('/api/v1/sites')).items.find((s) => s.code === 'DEMO').emergency_phone, '+86 532 8291 1234');

  assert.deepEqual(await axeProblems(page), [], 'axe on study settings');
  await page.screenshot({ path: 'artifacts/study-settings-1280x900.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
