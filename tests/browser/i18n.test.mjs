// Both languages on every page: Simplified Chinese (zh-CN) and English (en).
// The main pages in each language (right <html lang>, no word of the other
// language in the interface, axe-core clean, a screenshot, no page errors);
// the language switch (a cookie before signing in, the account after); and
// a crawl of every route in Chinese (and in English) for words left over.
//
// The server is this file's own (fresh demo data), so the languages saved
// here on accounts touch no other test file. The switching test runs last
// and leaves the investigator at English, what the other files' default
// browser (en-US) would get anyway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, PHONE, api, axeProblems, launchChromium, login, startServer, watchProblems } from './helpers.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(HERE, 'artifacts');
const DESKTOP = { width: 1280, height: 900 };
const ADMIN = { username: 'i18n.admin', password: 'a long i18n admin password' };

const LANGUAGES = {
  'zh-CN': { locale: 'zh-CN', acceptLanguage: 'zh-CN,zh;q=0.9', other: 'en', switchLabel: 'English' },
  en: { locale: 'en', acceptLanguage: 'en', other: 'zh-CN', switchLabel: '中文' },
};

let server;
let browser;
let base;
let demoIds;
let adminCreated = false;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  base = server.url;
  browser = await launchChromium();
  const investigator = await login(base, DEMO.investigator);
  const list = await api(base, 'GET', '/api/v1/participants', undefined, investigator.access_token);
  assert.equal(list.status, 200);
  demoIds = Object.fromEntries(list.body.items.map((p) => [p.study_id, p.id]));
  assert.ok(demoIds['DEMO-001'], JSON.stringify(Object.keys(demoIds)));
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
});

// ---------------------------------------------------------------------------
// What counts as the interface's words

/// Tokens that stay as they are in Chinese: units, the meter's LO/HI, clinical
/// and export abbreviations, the product's name, the demo's site code, UTC.
/// Identifiers count as digits do: UUIDs, and a language's tag shown after
/// its name ("简体中文 (zh-CN)").
const ALLOWED_PHRASES = [
  /mg\/dL/g, /mmol\/L/g, /T1D eDiary/g,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  /\((zh-CN|en)\)/g,
];
const ALLOWED_WORDS = new Set([
  'U', 'kg', 'LO', 'HI', 'HbA1c', 'IDAA1C', 'CV', 'TIR', 'ADA',
  // C 肽 (C-peptide) is written with the Latin letter in Chinese.
  'C',
  'CSV', 'ODM', 'FHIR', 'SDTM', 'CDISC', 'T1D', 'eDiary', 'DEMO', 'UTC',
]);

/// English words left in a piece of Chinese interface text.
function englishWords(text) {
  let rest = text;
  for (const phrase of ALLOWED_PHRASES) rest = rest.replace(phrase, ' ');
  return (rest.match(/[A-Za-z][A-Za-z0-9]*/g) || []).filter((w) => !ALLOWED_WORDS.has(w));
}

/// Runs of Chinese (CJK) characters in a piece of English interface text.
function cjkRuns(text) {
  return text.match(/[\u2E80-\u2FFF\u3000-\u303F\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]+/g) || [];
}

/// The interface's text of the page, piece by piece with where it is: visible
/// text (screen-reader-only text included), accessible names and hints, the
/// options of visible selects, the title. Left out: data (`translate="no"`)
/// and whatever is marked as another language than the page's (the switch's
/// own button).
async function interfacePieces(page) {
  return page.evaluate(() => {
    const pageLang = document.documentElement.lang;
    const pieces = [];
    const excluded = (el) =>
      el.closest('[translate="no"]') || (el.closest('[lang]')?.getAttribute('lang') ?? pageLang) !== pageLang;
    const where = (el) => {
      const parts = [];
      for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
        let name = e.tagName.toLowerCase();
        if (e.id) name += `#${e.id}`;
        else if (typeof e.className === 'string' && e.className.trim()) name += `.${e.className.trim().split(/\s+/).join('.')}`;
        parts.unshift(name);
      }
      return parts.join(' > ');
    };
    const add = (text, el, kind) => {
      const t = (text ?? '').replace(/\s+/g, ' ').trim();
      if (t) pieces.push({ text: t, where: kind ? `${where(el)} [${kind}]` : where(el) });
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest('script, style, noscript, template, option')) continue;
      if (excluded(el) || !el.checkVisibility()) continue;
      add(node.textContent, el);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [aria-description], [title], [placeholder], [alt]')) {
      if (excluded(el) || !el.checkVisibility()) continue;
      for (const attr of ['aria-label', 'aria-description', 'title', 'placeholder', 'alt']) {
        if (el.hasAttribute(attr)) add(el.getAttribute(attr), el, attr);
      }
    }
    for (const el of document.body.querySelectorAll('input[type="submit"], input[type="button"]')) {
      if (!excluded(el) && el.checkVisibility()) add(el.value, el, 'value');
    }
    for (const select of document.body.querySelectorAll('select')) {
      if (excluded(select) || !select.checkVisibility()) continue;
      for (const option of select.options) if (!excluded(option)) add(option.textContent, option);
    }
    add(document.title, document.documentElement, 'title');
    return pieces;
  });
}

/// The other language's words on the page, as readable findings.
async function otherLanguageFindings(page, lang) {
  const findings = [];
  const repeated = new Map();
  const shownIds = new Set();
  for (const { text, where } of await interfacePieces(page)) {
    // A message the files lack shows as its id ("roster-title"): said so.
    const ids = text.match(/\b[a-z][a-z0-9]*(-[a-z0-9]+)+\b/g) || [];
    if (ids.some((id) => MESSAGES.ids.has(id)) && ids.join(' · ') === text.replace(/\s*·\s*/g, ' · ')) {
      for (const id of ids) shownIds.add(id);
      continue;
    }
    const found = lang === 'zh-CN' ? englishWords(text) : cjkRuns(text);
    if (found.length) {
      // The same words in the same place (one per row) once, counted.
      const key = `${lang === 'zh-CN' ? 'English' : 'Chinese'} ${JSON.stringify(found.join(' '))} (${where})`;
      const seen = repeated.get(key) ?? { example: text.slice(0, 120), times: 0 };
      seen.times += 1;
      repeated.set(key, seen);
    }
  }
  for (const [key, { example, times }] of repeated) {
    findings.push(`${key}: "${example}"${times > 1 ? ` and ${times - 1} more like it` : ''}`);
  }
  if (shownIds.size) findings.push(`message ids shown instead of their text (${shownIds.size}): ${[...shownIds].join(' ')}`);
  return findings;
}

// ---------------------------------------------------------------------------
// Waiting for a page to be complete

/// Message ids, both those the files hold and those the app's code asks for
/// (a hyphenated literal in app/src: a message the files lack shows as its
/// id); and every "loading" message (a page is complete once none shows).
const MESSAGES = (() => {
  const root = join(HERE, '..', '..', 'app', 'locales');
  const ids = new Set();
  const loading = new Set();
  const source = join(HERE, '..', '..', 'app', 'src');
  for (const file of readdirSync(source, { recursive: true }).filter((f) => f.endsWith('.rs'))) {
    for (const m of readFileSync(join(source, file), 'utf8').matchAll(/"([a-z][a-z0-9]*(?:-[a-z0-9]+)+)"/g)) ids.add(m[1]);
  }
  for (const lang of readdirSync(root)) {
    for (const file of readdirSync(join(root, lang)).filter((f) => f.endsWith('.ftl'))) {
      for (const line of readFileSync(join(root, lang, file), 'utf8').split('\n')) {
        const m = line.match(/^([a-z][a-z0-9-]*)\s*=\s*(.*)$/);
        if (!m) continue;
        ids.add(m[1]);
        if (/loading|opening/.test(m[1]) && m[2].trim() && !m[2].includes('{')) loading.add(m[2].trim());
      }
    }
  }
  return { ids, loading: [...loading] };
})();
const LOADING_MESSAGES = MESSAGES.loading;

async function waitSettled(page, ready, findings) {
  try {
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  } catch {
    findings.push('the page did not hydrate within 90 s');
  }
  if (ready) {
    try {
      await page.waitForSelector(ready, { timeout: 30_000 });
    } catch {
      findings.push(`${ready} did not appear within 30 s`);
    }
  }
  try {
    await page.waitForFunction(
      (messages) => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (messages.includes(n.textContent.trim()) && n.parentElement?.checkVisibility()) return false;
        }
        return true;
      },
      LOADING_MESSAGES,
      { timeout: 30_000 },
    );
  } catch {
    findings.push('still loading after 30 s');
  }
  // Late resources (counts in the bar, the live line) settle.
  await page.waitForTimeout(300);
}

// ---------------------------------------------------------------------------
// Signing in

async function newContext(lang, { phone = false } = {}) {
  const { locale, acceptLanguage } = LANGUAGES[lang];
  return browser.newContext({
    locale,
    extraHTTPHeaders: { 'Accept-Language': acceptLanguage },
    // axe-core is injected by the test, which the app's CSP would rightly refuse.
    bypassCSP: true,
    ...(phone ? { viewport: PHONE, isMobile: true, hasTouch: true } : { viewport: DESKTOP }),
  });
}

/// Signs in with the form of the sign-in page, in whatever language it is.
async function signInWithForm(page, who, landing) {
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  await page.locator('#username').fill(who.username);
  await page.locator('#password').fill(who.password);
  await page.locator('section.sign-in form button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname === landing, { timeout: 30_000 });
}

/// A family's sign-in: lands in the diary, the phone app started. (Now and
/// then a /diary page under a freshly installed service worker never starts
/// the app, see phone.test.mjs: opened again once, as a person would.)
async function openDiary(page, who) {
  await signInWithForm(page, who, '/diary');
  try {
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  } catch {
    console.log('openDiary: the app did not start; opening it again');
    await page.goto(`${base}/diary`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  }
  await page.locator('.status').waitFor({ timeout: 30_000 });
}

function createAdmin() {
  execFileSync(process.env.EDIARY_BIN,
    ['user', 'create', '--role', 'admin', '--username', ADMIN.username, '--data-dir', server.dataDir],
    { input: `${ADMIN.password}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
}

// ---------------------------------------------------------------------------
// The checks of one page

/// Everything one page must be in a language; the findings, not thrown.
async function checkPage(page, lang, name, problems, { axe = true, languageSwitch = true, screenshot = true } = {}) {
  const findings = [];
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  if (htmlLang !== lang) findings.push(`<html lang="${htmlLang}">, not "${lang}"`);
  findings.push(...await otherLanguageFindings(page, lang));
  if (languageSwitch) {
    const { other, switchLabel } = LANGUAGES[lang];
    const button = page.locator(`form.language-switch button[lang="${other}"]`);
    const count = await button.count();
    if (count === 0) findings.push(`no language switch (form.language-switch with a button lang="${other}")`);
    else {
      const label = (await button.first().textContent()).trim();
      if (label !== switchLabel) findings.push(`the switch says ${JSON.stringify(label)}, not ${switchLabel}`);
    }
  }
  if (axe) for (const a of await axeProblems(page)) findings.push(`axe: ${a}`);
  if (screenshot) await page.screenshot({ path: join(ARTIFACTS, `i18n-${lang}-${name}.png`), fullPage: true });
  for (const p of problems.splice(0)) findings.push(p);
  return findings;
}

// ---------------------------------------------------------------------------
// 1. The main pages in each language

for (const lang of Object.keys(LANGUAGES)) {
  test(`the main pages in ${lang}`, async (t) => {
    const pageCheck = async (page, problems, name, ready, options) => {
      await t.test(`${lang}: ${name}`, async () => {
        const findings = [];
        await waitSettled(page, ready, findings);
        findings.push(...await checkPage(page, lang, name, problems, options));
        assert.ok(findings.length === 0, `${lang} ${name} (${page.url()}):\n  ${findings.join('\n  ')}`);
      });
    };

    // Anonymous, on a phone.
    const anonymous = await newContext(lang, { phone: true });
    const anonymousPage = await anonymous.newPage();
    const anonymousProblems = watchProblems(anonymousPage);
    await anonymousPage.goto(`${base}/enroll`);
    await pageCheck(anonymousPage, anonymousProblems, 'enroll', '#code');
    await anonymousPage.goto(`${base}/`);
    await pageCheck(anonymousPage, anonymousProblems, 'sign-in', '#username');
    await anonymous.close();

    // Today in the phone app, as the guardian.
    const family = await newContext(lang, { phone: true });
    const familyPage = await family.newPage();
    const familyProblems = watchProblems(familyPage);
    await t.test(`${lang}: the guardian signs in and lands in the diary`, async () => {
      await openDiary(familyPage, DEMO.guardian);
    });
    // The phone app keeps its language among its settings (Settings tab):
    // whether Today carries the page's switch is reported, not required.
    const diarySwitch = await familyPage.locator('form.language-switch').count();
    if (!diarySwitch) console.log(`note: /diary (${lang}) has no form.language-switch on Today`);
    await pageCheck(familyPage, familyProblems, 'today', '.status', { languageSwitch: false });
    await family.close();

    // The investigator's pages, on a desktop.
    const staff = await newContext(lang);
    const staffPage = await staff.newPage();
    const staffProblems = watchProblems(staffPage);
    await t.test(`${lang}: the investigator signs in and lands on the roster`, async () => {
      await signInWithForm(staffPage, DEMO.investigator, '/participants');
    });
    await pageCheck(staffPage, staffProblems, 'roster', 'table.roster tbody tr');
    await t.test(`${lang}: the roster has the staff bar`, async () => {
      assert.equal(await staffPage.locator('nav.staff-nav').count(), 1);
    });
    // A participant, from the roster.
    await t.test(`${lang}: a participant opens from the roster`, async () => {
      await staffPage.locator('table.roster tbody th a', { hasText: 'DEMO-001' }).first().click();
      await staffPage.waitForURL((url) => url.pathname === `/participants/${demoIds['DEMO-001']}`, { timeout: 30_000 });
    });
    if (new URL(staffPage.url()).pathname !== `/participants/${demoIds['DEMO-001']}`) {
      await staffPage.goto(`${base}/participants/${demoIds['DEMO-001']}`);
    }
    await pageCheck(staffPage, staffProblems, 'participant', '.outcome-cards');
    await staffPage.goto(`${base}/inbox`);
    await pageCheck(staffPage, staffProblems, 'inbox', '.alerts > li');
    await staff.close();
  });
}

// ---------------------------------------------------------------------------
// 3. Every route, in Chinese and in English

for (const lang of Object.keys(LANGUAGES)) {
  test(`every route speaks ${lang} only and carries the language switch`, async (t) => {
    const crawl = async (context, who, routes) => {
      const page = await context.newPage();
      const problems = watchProblems(page, { allow: /status of 404/ });
      for (const [path, ready, staffNav] of routes) {
        await t.test(`${lang}: ${who} ${path}`, async () => {
          const findings = [];
          const response = await page.goto(`${base}${path}`);
          if (path.startsWith('/no-such') ? response.status() !== 404 : !response.ok()) {
            findings.push(`HTTP ${response.status()}`);
          }
          await waitSettled(page, ready, findings);
          const name = `crawl-${who}-${path.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-') || 'root'}`
            .replace(demoIds['DEMO-001'], 'id');
          findings.push(...await checkPage(page, lang, name, problems, { axe: false }));
          if (staffNav && !(await page.locator('nav.staff-nav').count())) findings.push('no nav.staff-nav');
          assert.ok(findings.length === 0, `${lang} ${who} ${path}:\n  ${findings.join('\n  ')}`);
        });
      }
      await page.close();
    };

    const investigator = await newContext(lang);
    const signInPage = await investigator.newPage();
    await signInWithForm(signInPage, DEMO.investigator, '/participants');
    await signInPage.close();
    await crawl(investigator, 'investigator', [
      ['/participants', 'table.roster tbody tr', true],
      ['/participants/new', '#study_id', true],
      [`/participants/${demoIds['DEMO-001']}`, '.outcome-cards', true],
      ['/inbox', '.alerts > li', true],
      ['/study/outcomes', 'table', true],
      ['/sessions', '.sessions li', true],
    ]);
    await investigator.close();

    // There is no demo admin: one is made, as the operator would.
    if (!adminCreated) {
      createAdmin();
      adminCreated = true;
    }
    const admin = await newContext(lang);
    const adminPage = await admin.newPage();
    await signInWithForm(adminPage, ADMIN, '/study/settings');
    await adminPage.close();
    await crawl(admin, 'admin', [
      ['/study/settings', '#study-name', true],
      ['/sessions', '.sessions li', true],
    ]);
    await admin.close();

    const anonymous = await newContext(lang, { phone: true });
    await crawl(anonymous, 'anonymous', [
      ['/', '#username', false],
      ['/enroll', '#code', false],
      ['/mfa/setup', '#mfa_username', false],
      ['/no-such-page', 'h1', false],
    ]);
    await anonymous.close();
  });
}

// ---------------------------------------------------------------------------
// 2. The switch: a cookie before signing in, the account after (last: it
// leaves the investigator's account at English)

test('the language switch: remembered by the browser, then by the account', async () => {
  const heading = (page) => page.locator('h1').first().textContent().then((s) => s.trim());

  // Anonymous, in English: one tap to Chinese, and Chinese it stays.
  const context = await newContext('en', { phone: true });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await heading(page), 'Sign in');
  await page.locator('form.language-switch button[lang="zh-CN"]', { hasText: '中文' }).tap();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: 30_000 });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  await page.getByRole('heading', { name: '登录' }).waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'ediary_lang');
  assert.equal(cookie?.value, 'zh-CN', JSON.stringify(cookie));
  // A new page load (the browser still asks for English) keeps Chinese.
  const again = await context.newPage();
  await again.goto(`${base}/enroll`);
  assert.equal(await again.evaluate(() => document.documentElement.lang), 'zh-CN');
  await again.getByRole('heading', { name: '加入研究' }).waitFor();
  await again.close();
  assert.deepEqual(problems, []);
  await context.close();

  // The investigator, in Chinese, switches to English: saved on the account.
  const zh = await newContext('zh-CN');
  const zhPage = await zh.newPage();
  const zhProblems = watchProblems(zhPage);
  await signInWithForm(zhPage, DEMO.investigator, '/participants');
  await zhPage.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  assert.equal(await zhPage.evaluate(() => document.documentElement.lang), 'zh-CN');
  await zhPage.locator('nav.staff-nav form.language-switch button[lang="en"]', { hasText: 'English' }).click();
  await zhPage.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: 30_000 });
  await zhPage.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  await zhPage.getByRole('heading', { name: 'Participants' }).waitFor();
  assert.deepEqual(zhProblems, []);
  await zh.close();

  // A fresh browser asking for Chinese: the sign-in page is Chinese, and
  // once signed in the investigator's own choice, English, wins.
  const fresh = await newContext('zh-CN');
  const freshPage = await fresh.newPage();
  const freshProblems = watchProblems(freshPage);
  await freshPage.goto(`${base}/`);
  assert.equal(await freshPage.evaluate(() => document.documentElement.lang), 'zh-CN');
  await signInWithForm(freshPage, DEMO.investigator, '/participants');
  await freshPage.waitForSelector('body[data-hydrated="true"]', { timeout: 90_000 });
  assert.equal(await freshPage.evaluate(() => document.documentElement.lang), 'en');
  await freshPage.getByRole('heading', { name: 'Participants' }).waitFor();
  for (const path of ['/inbox', '/sessions']) {
    await freshPage.goto(`${base}${path}`);
    assert.equal(await freshPage.evaluate(() => document.documentElement.lang), 'en', path);
  }
  assert.deepEqual(freshProblems, []);
  await fresh.close();
  // The investigator's account is left at English, as the other files'
  // en-US browser would have it.
});
