// What the browser tests (designer, console, signer page) share: a real hub and Chromium,
// started after the designer build they serve; screenshots in .cache/screenshots; a page that
// collects its script errors; the designer's sign-in with an API key; and axe-core's scan.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureDesignerBuilt } from '../../scripts/build-designer.mjs';
import { launchChromium } from './browser';
import { startTestHub, type TestHub, type TestHubOptions } from './hub';

export interface BrowserHub {
  hub: TestHub;
  browser: Browser;
}

/**
 * Builds the designer when its build is stale (the console and the signer page are built with
 * it), then starts a test hub and Chromium. For a test file's beforeAll; stop with stopBrowserHub.
 */
export async function startBrowserHub(options: TestHubOptions = {}): Promise<BrowserHub> {
  await ensureDesignerBuilt();
  const hub = await startTestHub(options);
  try {
    return { hub, browser: await launchChromium() };
  } catch (error) {
    await hub.close();
    throw error;
  }
}

/** For afterAll: closes what startBrowserHub started (either may be missing when beforeAll failed). */
export async function stopBrowserHub({ hub, browser }: Partial<BrowserHub>): Promise<void> {
  await browser?.close();
  await hub?.close();
}

const screenshots = fileURLToPath(new URL('../../.cache/screenshots/', import.meta.url));

/** Where a screenshot (or any picture a test keeps for people to look at) named `name` goes. */
export function screenshotPath(name: string): string {
  mkdirSync(screenshots, { recursive: true });
  return `${screenshots}${name}.png`;
}

/** A test file's screenshot function: `shot(page, 'list')` writes .cache/screenshots/<prefix>-list.png. */
export function screenshotter(prefix: string, options: { fullPage?: boolean } = {}) {
  return (page: Page, name: string) => page.screenshot({ path: screenshotPath(`${prefix}-${name}`), fullPage: options.fullPage });
}

/**
 * Collects the page's script errors and console errors, except the 4xx refusals a test provokes
 * (a wrong token, a flow not saved yet), which the page shows in words: anything else is a fault.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && !/status of 4\d\d/.test(message.text()) && problems.push(`${message.text()} (${message.location().url})`));
  return problems;
}

/** A page in a fresh context, its problems watched (see watchProblems). */
export async function openPage(browser: Browser, options: BrowserContextOptions): Promise<{ context: BrowserContext; page: Page; problems: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  return { context, page, problems: watchProblems(page), close: () => context.close() };
}

/** Signs in to the designer with an API key, as IT does on its sign-in screen, and waits for the flow list. */
export async function signInToDesigner(page: Page, hub: TestHub, token = hub.adminToken): Promise<void> {
  await page.goto(`${hub.url}/designer`);
  // The key field may sit in a fold of the sign-in form, below the login and password.
  await page.waitForSelector('input[name="token"]', { state: 'attached' });
  if (!(await page.isVisible('input[name="token"]'))) await page.click('summary');
  await page.fill('input[name="token"]', token);
  await page.locator('input[name="token"]').press('Enter');
  await page.locator('[data-testid="create-flow"]').waitFor();
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * axe-core's serious and critical findings on the page as it stands (or in the parts that match
 * `include`), one line each: "rule: nodes". Its script is injected, so the page's context needs
 * `bypassCSP: true`; the page's own code runs as served.
 */
export async function seriousViolations(page: Page, options: { include?: string } = {}): Promise<string[]> {
  if (!(await page.evaluate<boolean>(`typeof axe === 'object'`))) await page.addScriptTag({ path: axePath });
  const context = options.include ? `{ include: [[${JSON.stringify(options.include)}]] }` : 'document';
  const result = await page.evaluate<{ passes: number; violations: { id: string; impact: string; nodes: string[] }[] }>(`axe.run(${context}).then((r) => ({
    passes: r.passes.length,
    violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.failureSummary) })),
  }))`);
  expect(result.passes).toBeGreaterThan(5); // axe really looked
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}
