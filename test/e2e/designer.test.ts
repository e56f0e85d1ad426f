// The flow designer in real Chromium against a real hub: an IT person signs in with a
// token, starts from the SAP supplier purchase starter, sees the flow as a picture, breaks
// and fixes a signer's name expression where the problem shows, saves, publishes, checks
// the JSON tab changes nothing, and undoes an edit. Screenshots go to .cache/screenshots.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { screenshotter, startBrowserHub, stopBrowserHub, watchProblems } from '../support/e2e';
import { exampleFlow, type TestHub } from '../support/hub';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub());
});
afterAll(() => stopBrowserHub({ hub, browser }));

const shot = screenshotter('designer');
const card = (page: Page, id: string) => page.locator(`[data-testid="card-${id}"]`);
const box = async (page: Page, id: string) => (await card(page, id).boundingBox())!;

it('serves the built app at /designer and its deep links, under a strict CSP', async () => {
  for (const path of ['/designer', '/designer/flows/anything']) {
    const response = await fetch(hub.url + path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("'unsafe-inline'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(await response.text()).toMatch(/<script type="module" crossorigin src="\/designer\/assets\/[^"]+\.js">/);
  }
});

it('builds, breaks, fixes, saves and publishes the SAP supplier purchase flow', { timeout: 180_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  // Refusals the test provokes (a wrong token, an unknown template) are 4xx answers the page shows; anything else is a fault.
  const problems = watchProblems(page);

  // Sign in with a bearer token; a wrong one is refused in words
  await page.goto(`${hub.url}/designer`);
  await page.fill('input[name="token"]', 'not-a-token');
  await page.click('button[type="submit"]');
  await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('令牌无效');
  await page.fill('input[name="token"]', hub.adminToken);
  await shot(page, 'signin');
  await page.click('button[type="submit"]');

  // Create from the SAP starter
  await page.check('input[name="starter"][value="supplier-purchase"]');
  expect(await page.inputValue('input[name="key"]')).toBe('supplier-purchase');
  await shot(page, 'list');
  await page.click('[data-testid="create-flow"] button[type="submit"]');

  // Three tier columns with their steps, side by side
  await expect.poll(() => page.locator('[data-testid^="card-tier-"]').count()).toBe(3);
  expect(await page.locator('[data-testid="tier-label"]').allTextContents()).toEqual(['≤ 100,000', '≤ 1,000,000', '其他情况']);
  for (const [tier, steps] of [[0, 1], [1, 2], [2, 3]] as const) expect(await page.locator(`[data-testid^="card-step-${tier}-"]`).count()).toBe(steps);
  const tiers = await Promise.all([0, 1, 2].map((t) => box(page, `tier-${t}`)));
  expect(tiers[0]!.y).toBe(tiers[2]!.y);
  expect(tiers[0]!.x + tiers[0]!.width).toBeLessThan(tiers[1]!.x);
  expect(await card(page, 'step-2-2').textContent()).toContain('总经理与法务会签');
  // two signer rounds: the buyer, then the supplier below
  const [buyer, supplier] = [await box(page, 'signer-0'), await box(page, 'signer-1')];
  expect(supplier.y).toBeGreaterThan(buyer.y + buyer.height);
  expect(await card(page, 'signer-0').textContent()).toContain('第 1 轮');
  expect(await card(page, 'signer-1').textContent()).toContain('第 2 轮');
  expect(await page.locator('[data-testid="problems"] li').count()).toBe(0);
  await shot(page, 'canvas');
  await page.click('.react-flow__controls-fitview'); // the whole flow in view

  // Break the supplier's name expression: the card turns red, the problems panel names /signers/1/name
  await card(page, 'signer-1').click();
  await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/signers/1');
  await page.click('[data-field="/signers/1/name"]');
  await page.keyboard.press('End');
  await page.keyboard.type(' &');
  await expect.poll(() => page.textContent('[data-field="/signers/1/name"]')).toBe('=supplier.name &');
  await expect.poll(() => card(page, 'signer-1').getAttribute('data-invalid')).toBe('true');
  expect(await page.locator('[data-testid="errors-/signers/1/name"]').count()).toBe(1);
  const problem = page.locator('[data-testid="problems"] button[data-path="/signers/1/name"]');
  await expect.poll(() => problem.count()).toBe(1);
  expect(await page.isDisabled('[data-testid="publish"]')).toBe(true);
  await shot(page, 'problem');

  // Clicking the problem opens the drawer on that card
  await page.click('[data-testid="drawer-close"]');
  expect(await page.locator('[data-testid="drawer"]').count()).toBe(0);
  await problem.click();
  await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/signers/1');
  expect(await card(page, 'signer-1').getAttribute('aria-pressed')).toBe('true');

  // Fix it by keyboard, at full typing speed: select all, type the expression anew
  await page.click('[data-field="/signers/1/name"]');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('=supplier.name');
  await expect.poll(() => page.textContent('[data-field="/signers/1/name"]')).toBe('=supplier.name');
  await expect.poll(() => card(page, 'signer-1').getAttribute('data-invalid')).toBe('false');
  expect(await page.locator('[data-testid="problems"] li').count()).toBe(0);

  // Undo brings the broken value back (the retyping was one step), redo the fix (the flow value is the state)
  await page.locator('[data-testid="canvas"]').click({ position: { x: 10, y: 10 } });
  await page.keyboard.press('Control+z');
  await expect.poll(() => page.textContent('[data-field="/signers/1/name"]')).toBe('=supplier.name &');
  expect(await card(page, 'signer-1').getAttribute('data-invalid')).toBe('true');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => page.textContent('[data-field="/signers/1/name"]')).toBe('=supplier.name');
  expect(await card(page, 'signer-1').getAttribute('data-invalid')).toBe('false');

  // A server refusal is shown with its path: a template that does not exist
  await page.click('.react-flow__controls-fitview'); // the documents are above the signer in view: see the whole flow
  await card(page, 'document-1').click();
  await page.fill('[data-field="/documents/1/template"]', 'no-such-template');
  await page.click('[data-testid="save"]');
  await expect.poll(() => page.locator('[data-testid="server-error"]').textContent()).toContain('1 problem');
  await expect.poll(() => page.locator('[data-testid="problems"] button[data-path="/documents/1/template"]').textContent()).toContain('does not exist');
  expect((await hub.call('GET', '/api/flows/supplier-purchase')).status).toBe(404);
  await page.fill('[data-field="/documents/1/template"]', 'nda');

  // Save, then publish
  await page.click('[data-testid="save"]');
  await expect.poll(() => page.locator('[data-testid="notice"]').textContent()).toContain('v1');
  const draft = await hub.call('GET', '/api/flows/supplier-purchase');
  expect(draft.status).toBe(200);
  expect(draft.body.status).toBe('draft');
  expect(draft.body.definition).toEqual(exampleFlow());
  await page.click('[data-testid="publish"]');
  await expect.poll(async () => (await hub.call('GET', '/api/flows/supplier-purchase')).body.status).toBe('published');
  const published = (await hub.call('GET', '/api/flows/supplier-purchase')).body;
  expect(published.versions).toEqual([expect.objectContaining({ version: 1, status: 'published' })]);
  expect(published.definition).toEqual(exampleFlow());
  await expect.poll(() => page.textContent('[data-testid="flow-version"]')).toContain('已发布');

  // JSON tab: shows the definition; taking it back changes nothing
  await page.click('[data-testid="tab-json"]');
  const text = await page.inputValue('[data-testid="json"]');
  expect(JSON.parse(text)).toEqual(published.definition);
  await shot(page, 'json');
  await page.fill('[data-testid="json"]', JSON.stringify(JSON.parse(text)));
  await page.click('[data-testid="tab-canvas"]');
  await expect.poll(() => page.locator('[data-testid^="card-tier-"]').count()).toBe(3);
  expect(await page.isDisabled('[data-testid="save"]')).toBe(true); // nothing to save: the flow is the same value
  await page.click('[data-testid="tab-json"]');
  expect(await page.inputValue('[data-testid="json"]')).toBe(text);

  // A JSON edit shows on the canvas; a bad one shows where it is; undo restores the previous value
  const edited: FlowDefinition = JSON.parse(text);
  edited.approval.tiers[0]!.upTo = 50000;
  await page.fill('[data-testid="json"]', JSON.stringify(edited, null, 2));
  await page.fill('[data-testid="json"]', JSON.stringify({ ...edited, approval: { ...edited.approval, tiers: [{ ...edited.approval.tiers[0], upTo: 2000000 }, ...edited.approval.tiers.slice(1)] } }, null, 2));
  await page.click('[data-testid="tab-canvas"]');
  await expect.poll(() => card(page, 'tier-1').getAttribute('data-invalid')).toBe('true');
  expect(await page.locator('[data-testid="problems"] button[data-path="/approval/tiers/1/upTo"]').count()).toBe(1);
  await page.click('[data-testid="undo"]');
  expect(await page.locator('[data-testid="tier-label"]').allTextContents()).toEqual(['≤ 50,000', '≤ 1,000,000', '其他情况']);
  expect(await page.locator('[data-testid="problems"] li').count()).toBe(0);
  await page.keyboard.press('Control+z');
  expect(await page.locator('[data-testid="tier-label"]').allTextContents()).toEqual(['≤ 100,000', '≤ 1,000,000', '其他情况']);
  expect(await page.isDisabled('[data-testid="save"]')).toBe(true);

  // "+" inserts: a step in the first tier, opened in the drawer, red until it has approvers
  await page.click('[data-testid="add-step-0-1"]');
  await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/approval/tiers/0/steps/1');
  expect(await card(page, 'step-0-1').getAttribute('data-invalid')).toBe('true');
  await page.fill('[data-field="/approval/tiers/0/steps/1/approvers"]', 'role:legal');
  await expect.poll(() => card(page, 'step-0-1').getAttribute('data-invalid')).toBe('false');

  // Keyboard only: the "+" above the tiers adds a tier before the default one; Ctrl-Z takes it back
  await page.locator('[data-testid="add-tier"]').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('[data-testid="tier-label"]').allTextContents()).toEqual(['≤ 100,000', '≤ 1,000,000', '≤ 10,000,000', '其他情况']);
  expect(await page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/approval/tiers/2');
  await page.keyboard.press('Control+z');
  await expect.poll(() => page.locator('[data-testid^="card-tier-"]').count()).toBe(3);

  // The language switch, and a deep link that opens the editor directly
  await page.click('[data-testid="language"]');
  await expect.poll(() => page.textContent('[data-testid="publish"]')).toBe('Publish');
  expect(await page.locator('[data-testid="tier-label"]').last().textContent()).toBe('Otherwise');
  await shot(page, 'english');
  await page.goto(`${hub.url}/designer/flows/supplier-purchase`);
  await expect.poll(() => page.locator('[data-testid^="card-step-"]').count()).toBe(6);
  expect(await page.textContent('[data-testid="flow-version"]')).toContain('published');

  expect(problems).toEqual([]);
  await context.close();
});

it('opens every starter and saves it back byte for byte, in English when the browser asks for it', { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${hub.url}/designer`);
  expect(await page.textContent('h1')).toBe('Sign in to the Sealflow flow designer');
  await page.fill('input[name="token"]', hub.adminToken);
  await page.click('button[type="submit"]');
  const starters = {
    'supplier-purchase': exampleFlow(),
    'employee-onboarding': JSON.parse(readFileSync(new URL('../../designer/src/starters/employee-onboarding.flow.json', import.meta.url), 'utf8')),
    'framework-agreement': JSON.parse(readFileSync(new URL('../../designer/src/starters/framework-agreement.flow.json', import.meta.url), 'utf8')),
  };
  for (const [id, starter] of Object.entries(starters)) {
    await page.goto(`${hub.url}/designer`);
    await page.check(`input[name="starter"][value="${id}"]`);
    const key = `${id}-copy`;
    await page.fill('input[name="key"]', key);
    await page.click('[data-testid="create-flow"] button[type="submit"]');
    await expect.poll(() => page.locator('[data-testid="card-trigger"]').count()).toBe(1);
    expect(await page.locator('[data-testid="problems"] li').count()).toBe(0);
    // the keyboard reaches a card and opens it
    await page.locator('[data-testid="card-trigger"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('');
    await page.click('[data-testid="save"]');
    await expect.poll(() => page.locator('[data-testid="notice"]').textContent()).toBe('Draft v1 saved');
    const saved = await hub.call('GET', `/api/flows/${key}`);
    expect(JSON.stringify(saved.body.definition)).toBe(JSON.stringify({ ...starter, key }));
    expect(await page.locator('[data-testid^="card-signer-"]').count()).toBe(starter.signers.length);
  }
  const list = await hub.call('GET', '/api/flows');
  expect(list.body.items.map((f: any) => f.key)).toEqual(expect.arrayContaining(['employee-onboarding-copy', 'framework-agreement-copy', 'supplier-purchase-copy']));
  await page.goto(`${hub.url}/designer`);
  await expect.poll(() => page.locator('[data-testid="flows"] tbody tr').count()).toBe(4);
  await shot(page, 'flows');
  expect(problems).toEqual([]);
  await context.close();
});
