// Drive a real Chromium through sessgate behind lighttpd over HTTPS and
// print what it saw as one JSON document on stdout. browser.py starts the
// servers, runs this script and asserts on the JSON; this script asserts
// nothing itself, so that every step is reported even after a surprise.
//
// Environment (all set by browser.py):
//   SG_BASE        https://127.0.0.1:PORT
//   SG_USER        a user name known to sessgate
//   SG_PASS        its password
//   SG_ARTIFACTS   directory for the screenshots (created if missing)
//   SG_CHROMIUM    the browser executable (default /usr/bin/chromium)
//   SG_PLAYWRIGHT  the playwright-core module to import (a path or a name)
//
// playwright-core gives Chromium a fresh --user-data-dir of its own under
// $TMPDIR (browser.py points that into the test's temporary directory)
// and removes it at close; it refuses a --user-data-dir in args.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;
const base = env.SG_BASE;
const user = env.SG_USER;
const pass = env.SG_PASS;
const artifacts = env.SG_ARTIFACTS;
const spec = env.SG_PLAYWRIGHT || 'playwright-core';
const COOKIE = '__Host-sid';
const TIMEOUT = 15000;

const pw = await import(path.isAbsolute(spec) ? pathToFileURL(spec).href : spec);
const chromium = pw.chromium || pw.default.chromium;

fs.mkdirSync(artifacts, { recursive: true });

const out = { steps: {}, console: [], pageErrors: [], failedRequests: [] };

// The redirect chain that ended in response r: [{method, url, status}].
async function chain(r) {
  if (!r) return [];
  const hops = [];
  for (let q = r.request(); q; q = q.redirectedFrom()) {
    const resp = await q.response();
    hops.unshift({ method: q.method(), url: q.url(),
                   status: resp ? resp.status() : null });
  }
  return hops;
}

async function snapshot(page, name) {
  const file = path.join(artifacts, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  const u = new URL(page.url());
  return {
    screenshot: file,
    url: page.url(),
    path: u.pathname,
    next: u.searchParams.get('next'),
    title: await page.title(),
    text: (await page.locator('body').innerText()).trim(),
    loginForm: await page.locator('form[action="/login"]').isVisible(),
    usernameField: await page.locator('input[name="username"]').isVisible(),
    passwordField: await page.locator('input[name="password"][type="password"]').isVisible(),
    nextField: await page.locator('input[name="next"]').count() === 1
      ? await page.locator('input[name="next"]').inputValue() : null,
    logoutButton: await page.getByRole('button', { name: 'Sign out' }).isVisible(),
  };
}

// A navigation started by a click; the response is the chain's last hop.
async function clickAndWait(page, locator) {
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: TIMEOUT }),
    locator.click({ timeout: TIMEOUT }),
  ]);
  return resp;
}

function jar(cookies) {
  return cookies.map((c) => ({
    name: c.name, domain: c.domain, path: c.path, secure: c.secure,
    httpOnly: c.httpOnly, sameSite: c.sameSite, expires: c.expires,
    value: c.value, valueLength: c.value.length,
  }));
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: env.SG_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // playwright turns the back/forward cache off; a real browser has it
    // on, and step (e) is about what Back shows after signing out.
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    timeout: 60000,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  out.browserVersion = browser.version();
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 800, height: 600 },
  });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on('console', (m) => out.console.push(m.type() + ': ' + m.text()));
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));
  page.on('requestfailed', (q) => out.failedRequests.push(
    q.method() + ' ' + q.url() + ': ' + (q.failure() || {}).errorText));

  // (a) a protected page, signed out: the login form, with next.
  let r = await page.goto(base + '/private/', { waitUntil: 'load' });
  out.steps.a = { chain: await chain(r), ...(await snapshot(page, '1-login-form')) };

  // (a2) a wrong password: the same form again, with the generic message.
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', pass + '-wrong');
  r = await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
  out.steps.a2 = { chain: await chain(r), ...(await snapshot(page, '2-wrong-password')),
                   cookies: jar(await context.cookies()) };

  // (b) type the real credentials and submit: the protected page.
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', pass);
  r = await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
  out.steps.b = { chain: await chain(r), ...(await snapshot(page, '3-protected-page')) };

  // (c) the session cookie is in the jar but out of the page's reach.
  // A script-visible cookie set here first shows that document.cookie
  // works at all on this origin.
  const docCookie = await page.evaluate(() => {
    document.cookie = 'probe=1; Path=/; Secure; SameSite=Lax';
    return document.cookie;
  });
  const all = await context.cookies(base);
  out.steps.c = { documentCookie: docCookie, cookies: jar(all) };

  // Reload with both cookies: sessgate must still let the page through.
  r = await page.reload({ waitUntil: 'load' });
  out.steps.c2 = { chain: await chain(r), path: new URL(page.url()).pathname,
                   text: (await page.locator('body').innerText()).trim() };

  // (d) sign out: back to the form, and the protected page asks again.
  r = await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
  out.steps.d = { chain: await chain(r), ...(await snapshot(page, '4-signed-out')),
                  cookies: jar(await context.cookies(base)) };
  r = await page.goto(base + '/private/', { waitUntil: 'load' });
  out.steps.d2 = { chain: await chain(r), ...(await snapshot(page, '5-private-again')),
                   cookies: jar(await context.cookies(base)) };

  // (e) Back, twice, after signing out, to the protected page's history
  // entry: the browser must ask the server again (and be sent to the form),
  // not show the page from its back/forward cache. A page restored from
  // that cache has no response and fires no "load": wait for the commit,
  // then for "load" only after a real request.
  await page.goBack({ waitUntil: 'commit' });
  r = await page.goBack({ waitUntil: 'commit' });
  if (r) await page.waitForLoadState('load');
  await page.locator('h1').waitFor();
  out.steps.e = { chain: await chain(r), restored: r === null,
                  ...(await snapshot(page, '6-back-after-sign-out')) };
  await context.close();
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
