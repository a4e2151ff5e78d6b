/**
 * Browser tests: a test hub (test/support/hub-server.ts: real mutual TLS, the identity world) driven
 * by a real headless Chromium through playwright-core, each browser context presenting a real
 * client certificate of the identity world.
 *
 *   forEachBackend('sign-in', (backend) => {
 *     test('a user signs in', async () => {
 *       await using db = await backend.open();
 *       await using web = await startBrowserHub(db);        // options as startTestHub's
 *       const page = await web.newPage('aTerminal');        // a context with 1003's terminal certificate
 *       await signIn(page, '1003.user', TEST_PASSWORD);
 *       await screenshot(page, 'portal');                   // test-artifacts/screenshots/portal.png
 *     });
 *   });
 *
 * Chromium is Debian's `chromium-headless-shell` package (installed by .ci/run: the same build as
 * `chromium` without its windowing layer, a third of its CPU in these tests), else `chromium`, unless
 * KIRIKAE_CHROMIUM names another executable. It is launched once per test file, on first use, and
 * closed when the file's tests are done. A missing Chromium fails the tests: it is never a reason to
 * skip them.
 */
import { after } from 'node:test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Db } from '../../src/platform/db/db.ts';
import { buildCertificate } from '../../src/hub/identity/testing.ts';
import { startTestHub, worldCertificates, type TestHub } from './hub-server.ts';

export const chromiumPath =
  process.env.KIRIKAE_CHROMIUM ||
  ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path)) ||
  '/usr/bin/chromium-headless-shell';
export const screenshotDir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

/** How long one browser action (click, fill, navigation, expectation) may take before it fails. */
const actionTimeoutMs = 20_000;

let launched: Promise<Browser> | undefined;

/** The test file's Chromium, launched on first use and closed after the file's tests. */
export function sharedBrowser(): Promise<Browser> {
  if (!launched) {
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium not found at ${chromiumPath}: install Debian's chromium-headless-shell package (.ci/run does) or set KIRIKAE_CHROMIUM`);
    }
    launched = chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-extensions', '--lang=ja'],
    });
    after(closeBrowser);
  }
  return launched;
}

export async function closeBrowser(): Promise<void> {
  const browser = launched;
  launched = undefined;
  if (browser) await (await browser).close();
}

export type Certificate = keyof typeof worldCertificates | { readonly certPem: string; readonly keyPem: string };

export interface BrowserHub extends AsyncDisposable {
  readonly hub: TestHub;
  readonly base: string;
  /**
   * A fresh browser context (its own cookies: one person's browser) presenting a client certificate:
   * one of the identity world's (`'aTerminal'`, `'bTerminal'`, `'hubTerminal'`, `'aApi'`) or any
   * PEM pair. Pages open at the hub's base URL (`page.goto('/login')`).
   */
  newContext(certificate: Certificate): Promise<BrowserContext>;
  /** A page in a fresh context (see newContext). */
  newPage(certificate: Certificate): Promise<Page>;
  /** Closes every context opened here and the hub (the browser stays for the file's next test). */
  close(): Promise<void>;
}

/** A test hub on `db` (options passed to startTestHub) and the file's Chromium to browse it. */
export async function startBrowserHub(db: Db, options: Parameters<typeof startTestHub>[1] = {}): Promise<BrowserHub> {
  const browser = await sharedBrowser();
  const hub = await startTestHub(db, options);
  const contexts: BrowserContext[] = [];
  const newContext = async (certificate: Certificate) => {
    const pem = typeof certificate === 'string' ? buildCertificate(worldCertificates[certificate]).cert : certificate;
    const context = await browser.newContext({
      baseURL: hub.base,
      // The test CA is not in Chromium's trust store; the hub's certificate is checked by the other
      // tests (test/support/https-client.ts trusts only the test CA).
      ignoreHTTPSErrors: true,
      clientCertificates: [{ origin: hub.base, cert: Buffer.from(pem.certPem), key: Buffer.from(pem.keyPem) }],
      viewport: { width: 1280, height: 800 },
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
    });
    context.setDefaultTimeout(actionTimeoutMs);
    context.setDefaultNavigationTimeout(actionTimeoutMs);
    contexts.push(context);
    return context;
  };
  const close = async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    await hub.close();
  };
  return {
    hub,
    base: hub.base,
    newContext,
    newPage: async (certificate) => (await newContext(certificate)).newPage(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Signs in through the login screen. When the hub forces a password change (an initial password),
 * changes it to `options.newPassword` (default: a fixed one meeting the policy) and returns the
 * password now valid; the page is then on the portal.
 */
export async function signIn(page: Page, userId: string, password: string, options: { newPassword?: string } = {}): Promise<string> {
  await page.goto('/login');
  await page.fill('#userId', userId);
  await page.fill('#password', password);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForLoadState();
  const path = new URL(page.url()).pathname;
  if (path === '/login') throw new Error(`sign-in of ${userId} refused: ${await refusalText(page)}`);
  if (path !== '/password') return password;
  const newPassword = options.newPassword ?? 'Browser-Test-2026!';
  await changePasswordOnScreen(page, password, newPassword);
  return newPassword;
}

/** Fills and submits the password change screen (the page must be on it); waits for the portal. */
export async function changePasswordOnScreen(page: Page, current: string, next: string): Promise<void> {
  await page.fill('#currentPassword', current);
  await page.fill('#newPassword', next);
  await page.fill('#confirmPassword', next);
  await page.click('form[action="/password"] button[type=submit]');
  await page.waitForLoadState();
  if (new URL(page.url()).pathname !== '/') throw new Error(`password change refused: ${await refusalText(page)}`);
}

/** Signs out with the header's logout button; the page is then on the login screen. */
export async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForURL('**/login**'), page.click('form[action="/logout"] button')]);
}

/**
 * A full-page PNG of the page as test-artifacts/screenshots/<name>.png; returns the path. The screens
 * are the same on either database, so the picture is taken by the first backend's test processes
 * only (a test process narrowed to PostgreSQL while PGlite runs beside it skips it: encoding a
 * full-page PNG is not free on a 2-core machine).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  if (process.env.KIRIKAE_TEST_BACKENDS === 'postgres') return path;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Collects the dialogs (alert, confirm, prompt) a page opens, dismissing each: an XSS test asserts
 * the list stays empty.
 */
export function watchDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (dialog) => {
    seen.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  return seen;
}

async function refusalText(page: Page): Promise<string> {
  const texts = await page
    .locator('.refusal, .field-error')
    .allTextContents()
    .catch(() => []);
  return texts.join(' / ') || `(no refusal shown at ${page.url()})`;
}
