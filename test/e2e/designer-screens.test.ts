// The designer's main screens as IT meets them at 1280 px: a broken tier bound shows on its
// tier and in the problems panel and blocks publishing until it is fixed; every main screen
// passes an axe-core scan with no serious finding; screenshots go to .cache/screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { screenshotter, seriousViolations, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { exampleFlow, type TestHub } from '../support/hub';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub());
  // The shipped example, saved as a draft: the designer opens it as IT would.
  const created = await hub.call('POST', '/api/flows', { ...exampleFlow(), key: 'screens-check' });
  expect(created.status).toBe(201);
}, 240_000);
afterAll(() => stopBrowserHub({ hub, browser }));

const shot = screenshotter('designer-screen');
const card = (page: Page, id: string) => page.locator(`[data-testid="card-${id}"]`);

it('shows a broken tier bound on its tier and in the problems panel, refuses to publish, and publishes once it is fixed; no serious axe finding on any main screen', { timeout: 180_000 }, async () => {
  // axe's script needs a context that bypasses the page's CSP; the page's own code runs as always.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', bypassCSP: true });
  const page = await context.newPage();
  const findings: Record<string, string[]> = {};
  await page.goto(`${hub.url}/designer`);
  await page.locator('input[name="login"]').waitFor();
  findings.signIn = await seriousViolations(page);
  await shot(page, 'signin');
  await page.fill('input[name="token"]', hub.adminToken);
  await page.click('button[type="submit"]');
  await page.locator('[data-testid="flows"]').waitFor();
  findings.list = await seriousViolations(page);
  await shot(page, 'list');

  await page.goto(`${hub.url}/designer/flows/screens-check`);
  await expect.poll(() => page.locator('[data-testid^="card-tier-"]').count()).toBe(3);
  findings.canvas = await seriousViolations(page);
  await shot(page, 'canvas');

  // The second tier's bound below the first's: the tiers are no longer in order.
  await page.click('.react-flow__controls-fitview');
  await card(page, 'tier-1').click();
  await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/approval/tiers/1');
  findings.drawer = await seriousViolations(page);
  await page.fill('[data-field="/approval/tiers/1/upTo"]', '50000');
  await expect.poll(() => card(page, 'tier-1').getAttribute('data-invalid')).toBe('true');
  const problem = page.locator('[data-testid="problems"] button[data-path="/approval/tiers/1/upTo"]');
  expect(await problem.count()).toBe(1);
  expect(await page.isDisabled('[data-testid="publish"]')).toBe(true);
  findings.problems = await seriousViolations(page);
  await shot(page, 'problem');
  // The hub refuses it too, with the same path: the designer draws nothing the engine would not take.
  const broken = await hub.call('GET', '/api/flows/screens-check');
  const refused = await hub.call('PUT', '/api/flows/screens-check', { ...broken.body.definition, approval: { ...broken.body.definition.approval, tiers: broken.body.definition.approval.tiers.map((t: { upTo?: number }, i: number) => (i === 1 ? { ...t, upTo: 50000 } : t)) } });
  expect(refused.status).toBe(400);
  expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain('/approval/tiers/1/upTo');

  await page.fill('[data-field="/approval/tiers/1/upTo"]', '1000000');
  await expect.poll(() => card(page, 'tier-1').getAttribute('data-invalid')).not.toBe('true');
  expect(await problem.count()).toBe(0);
  await page.click('[data-testid="publish"]');
  await expect.poll(async () => (await hub.call('GET', '/api/flows/screens-check')).body.status, { timeout: 15_000 }).toBe('published');

  await page.click('[data-testid="tab-json"]');
  findings.json = await seriousViolations(page);
  await shot(page, 'json');
  expect(findings).toEqual({ signIn: [], list: [], canvas: [], drawer: [], problems: [], json: [] });
  await context.close();
});
