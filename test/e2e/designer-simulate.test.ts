// Try before publishing, and versions, in real Chromium against a real hub. Simulate: the SAP
// supplier purchase starter, not yet saved, lights the third tier and its three steps for
// 2,000,000 and the first for 50,000, agrees with the hub's own POST /simulate on the example
// purchase order, and renders its NDA as a PDF through the hub. Versions: a step added in v2
// shows as one added step; restoring v1 makes a draft equal to v1, published as usual.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sapPurchaseOrders } from '../../connectors/sap';
import { startSapServer } from '../connectors/sap-server';
import { openPage, screenshotter, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { approvalFlow, exampleFlow, exampleOrder, type TestHub } from '../support/hub';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub());
}, 180_000);
afterAll(() => stopBrowserHub({ hub, browser }));

const shot = screenshotter('designer');

/** A page signed in with the admin's API key (the sign-in screen has its own tests). */
async function signedInPage(locale: string): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  const opened = await openPage(browser, { viewport: { width: 1440, height: 900 }, locale });
  await opened.context.addInitScript({ content: `sessionStorage.setItem('sealflow.token', ${JSON.stringify(hub.adminToken)})` });
  return opened;
}

const card = (page: Page, id: string) => page.locator(`[data-testid="card-${id}"]`);
const litOf = (page: Page, ids: string[]) => Promise.all(ids.map((id) => card(page, id).getAttribute('data-lit')));

it('simulates the unsaved SAP starter: 2,000,000 lights the third tier and its three steps, 50,000 the first; a record agrees with the hub and renders its NDA', { timeout: 180_000 }, async () => {
  const { page, problems, close } = await signedInPage('zh-CN');
  await page.goto(`${hub.url}/designer`);
  await page.check('input[name="starter"][value="supplier-purchase"]');
  await page.fill('input[name="key"]', 'sim-purchase');
  await page.click('[data-testid="create-flow"] button[type="submit"]');
  await expect.poll(() => page.locator('[data-testid^="card-tier-"]').count()).toBe(3);
  expect(await page.getAttribute('[data-testid="card-tier-0"]', 'data-lit')).toBeNull(); // nothing simulated: nothing dimmed

  await page.click('[data-testid="open-simulate"]');
  await page.fill('[data-testid="sim-amount"]', '2,000,000');
  await page.keyboard.press('Enter');
  await expect.poll(() => litOf(page, ['tier-2', 'step-2-0', 'step-2-1', 'step-2-2'])).toEqual(['true', 'true', 'true', 'true']);
  expect(await litOf(page, ['tier-0', 'step-0-0', 'tier-1', 'step-1-0', 'step-1-1'])).toEqual(['false', 'false', 'false', 'false', 'false']);
  expect(await card(page, 'step-0-0').getAttribute('class')).toContain('dim');
  // no record: the NDA's condition (a new supplier) does not hold, the contract does; both signers sign it
  expect(await litOf(page, ['trigger', 'document-0', 'document-1', 'signer-0', 'signer-1', 'signing', 'archive'])).toEqual(['true', 'true', 'false', 'true', 'true', 'true', 'true']);
  expect(await Promise.all(['round-0', 'round-1'].map((id) => page.getAttribute(`[data-testid="${id}"]`, 'data-lit')))).toEqual(['true', 'true']);
  expect(await page.textContent('[data-testid="sim-tier"]')).toContain('2,000,000');
  expect(await page.locator('[data-testid="sim-steps"] li').allTextContents()).toEqual([
    expect.stringContaining('部门经理审批'),
    expect.stringContaining('财务总监审批'),
    expect.stringContaining('总经理与法务会签'),
  ]);
  expect(await page.getAttribute('[data-testid="sim-doc-nda"]', 'data-included')).toBe('false');
  await shot(page, 'simulate');

  await page.fill('[data-testid="sim-amount"]', '50000');
  await page.click('[data-testid="sim-run"]');
  await expect.poll(() => litOf(page, ['tier-0', 'step-0-0'])).toEqual(['true', 'true']);
  expect(await litOf(page, ['tier-1', 'tier-2', 'step-2-2'])).toEqual(['false', 'false', 'false']);
  expect(await page.locator('[data-testid="sim-steps"] li').count()).toBe(1);

  // Saved, a record goes to the hub, which checks it against the data schema: a refusal names the paths
  await page.click('[data-testid="save"]');
  await expect.poll(() => page.locator('[data-testid="notice"]').textContent()).toContain('v1');
  await page.check('input[name="sim-source"][value="record"]');
  await page.fill('[data-testid="sim-record"]', '{"poNumber": "1"}');
  await page.click('[data-testid="sim-run"]');
  await expect.poll(() => page.textContent('[data-testid="sim-error"]')).toContain('/data/items');
  expect(await page.getAttribute('[data-testid="card-tier-0"]', 'data-lit')).toBeNull();

  // The example purchase order: the amount comes from its items; the same answer as the hub's simulation of the saved flow
  const order = exampleOrder().data;
  await page.fill('[data-testid="sim-record"]', JSON.stringify(order, null, 2));
  const asked = page.waitForRequest((r) => r.url().endsWith('/api/flows/sim-purchase/simulate'));
  await page.click('[data-testid="sim-run"]');
  await asked;
  const server = await hub.call('POST', '/api/flows/sim-purchase/simulate', { data: order });
  expect(server.status).toBe(200);
  const tier = server.body.tier.index as number;
  await expect.poll(() => card(page, `tier-${tier}`).getAttribute('data-lit')).toBe('true');
  expect(await page.locator('[data-testid="card-tier-0"], [data-testid="card-tier-1"], [data-testid="card-tier-2"]').evaluateAll((cards) => cards.filter((c) => c.getAttribute('data-lit') === 'true').length)).toBe(1);
  for (let s = 0; s < server.body.steps.length; s++) expect(await card(page, `step-${tier}-${s}`).getAttribute('data-lit')).toBe('true');
  expect(await page.textContent('[data-testid="sim-tier"]')).toContain(Number(server.body.amount).toLocaleString('en-US'));
  expect(await page.locator('[data-testid="sim-steps"] li strong').allTextContents()).toEqual(server.body.steps.map((s: { name: string }) => s.name));
  // a new supplier: the NDA applies, and both rounds sign both documents
  expect(server.body.documents.map((d: { included: boolean }) => d.included)).toEqual([true, true]);
  expect(await litOf(page, ['document-0', 'document-1'])).toEqual(['true', 'true']);
  expect(await page.textContent('[data-testid="sim-rounds"]')).toContain(order.supplier.name);

  // The NDA rendered by the hub from the variables its `data` mapping gives
  const rendered = page.waitForResponse((r) => r.url().endsWith('/api/templates/nda/preview'));
  await page.click('[data-testid="sim-pdf-nda"]');
  const response = await rendered;
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/pdf');
  // the template got what the NDA's `data` mapping makes of the order, as when the contract is generated
  const variables = response.request().postDataJSON().data;
  expect(variables).toMatchObject({ agreementNo: `NDA-${order.poNumber}`, discloser: order.buyer, recipient: order.supplier, termYears: 3 });
  const again = await fetch(`${hub.url}/api/templates/nda/preview`, { method: 'POST', headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ data: variables }) });
  expect(Buffer.from(await again.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  await expect.poll(() => page.getAttribute('[data-testid="sim-pdf-status"]', 'data-state')).toBe('opened');
  expect(await page.textContent('[data-testid="sim-pdf-status"]')).toMatch(/^nda .*PDF.*（\d+ KB）$/);

  // An edit of the flow is simulated at once: a first bound above this order's amount takes it down to the first tier
  expect(tier).toBe(1);
  await page.click('[data-testid="tab-json"]');
  const edited = JSON.parse(await page.inputValue('[data-testid="json"]'));
  edited.approval.tiers[0].upTo = Math.ceil(Number(server.body.amount)) + 1;
  await page.fill('[data-testid="json"]', JSON.stringify(edited, null, 2));
  await page.click('[data-testid="tab-canvas"]');
  await expect.poll(() => litOf(page, ['tier-0', 'tier-1'])).toEqual(['true', 'false']);
  expect(await page.locator('[data-testid="sim-unchecked"]').count()).toBe(1); // unsaved: simulated in the page, the record unchecked

  // Closing the panel (Escape, from the keyboard) puts the canvas back
  await page.focus('[data-testid="sim-run"]');
  await page.keyboard.press('Escape');
  expect(await page.locator('[data-testid="simulate"]').count()).toBe(0);
  await expect.poll(() => page.getAttribute('[data-testid="card-tier-0"]', 'data-lit')).toBeNull();
  expect(problems).toEqual([]);
  await close();
});

it('shows an added step between two versions by card, and rolls back to the older one as a new draft', { timeout: 180_000 }, async () => {
  const v1 = { ...exampleFlow(), key: 'versioned' };
  expect((await hub.call('POST', '/api/flows', v1)).status).toBe(201);
  expect((await hub.call('POST', '/api/flows/versioned/publish')).status).toBe(200);
  const v2 = structuredClone(v1);
  v2.approval.tiers[0]!.steps.push({ name: '法务审批', approvers: ['role:legal'] });
  expect((await hub.call('PUT', '/api/flows/versioned', v2)).status).toBe(200);
  expect((await hub.call('POST', '/api/flows/versioned/publish')).body.version).toBe(2);

  const { page, problems, close } = await signedInPage('en-US');
  await page.goto(`${hub.url}/designer/flows/versioned`);
  await expect.poll(() => page.locator('[data-testid^="card-step-0-"]').count()).toBe(2);
  await page.click('[data-testid="open-versions"]');
  await expect.poll(() => page.locator('[data-testid="version-list"] tbody tr').count()).toBe(2);
  expect(await page.inputValue('[data-testid="diff-from"]')).toBe('1');
  expect(await page.inputValue('[data-testid="diff-to"]')).toBe('2');
  const changes = page.locator('[data-testid="version-diff"] li');
  await expect.poll(() => changes.count()).toBe(1);
  expect(await changes.first().getAttribute('data-change')).toBe('added');
  expect(await changes.first().getAttribute('data-card')).toBe('step');
  expect(await changes.first().textContent()).toBe('Added Tier ≤ 100,000 · step 2 法务审批');
  await shot(page, 'versions');

  // the other way round, it is a removed step
  await page.selectOption('[data-testid="diff-from"]', '2');
  await page.selectOption('[data-testid="diff-to"]', '1');
  await expect.poll(() => changes.first().getAttribute('data-change')).toBe('removed');

  // Roll back: v1's definition becomes the draft v3, and the canvas shows it
  await page.click('[data-testid="restore-1"]');
  await expect.poll(() => page.locator('[data-testid="notice"]').textContent()).toBe('Draft v3 saved');
  const draft = await hub.call('GET', '/api/flows/versioned');
  expect(draft.body).toMatchObject({ version: 3, status: 'draft' });
  expect(draft.body.definition).toEqual((await hub.call('GET', '/api/flows/versioned?version=1')).body.definition);
  expect(JSON.stringify(draft.body.definition)).toBe(JSON.stringify(v1));
  await expect.poll(() => page.locator('[data-testid^="card-step-0-"]').count()).toBe(1);
  expect(await page.isDisabled('[data-testid="save"]')).toBe(true); // the canvas is the saved draft
  await expect.poll(() => page.locator('[data-testid="version-list"] tbody tr').count()).toBe(3);
  await page.selectOption('[data-testid="diff-from"]', '1');
  await page.selectOption('[data-testid="diff-to"]', '3');
  await expect.poll(() => page.locator('[data-testid="version-diff-empty"]').count()).toBe(1);

  // Restoring over the unpublished draft asks first; cancelled, the draft stays
  await page.click('[data-testid="restore-2"]');
  await expect.poll(() => page.textContent('[data-testid="restore-confirm-box"]')).toContain('replaces the unpublished draft v3');
  await page.click('[data-testid="restore-confirm-box"] button:not(.primary)');
  expect(await page.locator('[data-testid="restore-confirm-box"]').count()).toBe(0);
  expect((await hub.call('GET', '/api/flows/versioned')).body).toMatchObject({ version: 3, definition: v1 });

  // …and it is published as usual
  await page.click('[data-testid="publish"]');
  await expect.poll(async () => (await hub.call('GET', '/api/flows/versioned')).body.status).toBe('published');
  expect(problems).toEqual([]);
  await close();
});

it('simulates a purchase order fetched from the stand-in SAP system through the flow\'s connector instance', { timeout: 180_000 }, async () => {
  const sap = await startSapServer({ pageSize: 100 });
  const { page, problems, close } = await signedInPage('en-US');
  try {
    await sap.seed({ count: 6, releasedEvery: 1 });
    await hub.publish({ ...approvalFlow(), key: 'sap-sim', name: 'SAP 采购合同（模拟）' });
    const created = await hub.call('POST', '/api/connectors', {
      id: 'sap-sim-source', connector: 'sap_purchase_orders', name: 'SAP S/4HANA', enabled: false, flow: 'sap-sim', mapping: sapPurchaseOrders.defaultMapping,
      trigger: { kind: 'poll', everyMinutes: 60 },
      settings: { purchaseOrderServiceUrl: sap.purchaseOrderServiceUrl, businessPartnerServiceUrl: sap.businessPartnerServiceUrl, username: 'SEALFLOW_COMM', password: 'sap-password-42', pageSize: 50, changedSince: '2024-01-01T00:00:00Z' },
    });
    expect(created.status).toBe(201);

    await page.goto(`${hub.url}/designer/flows/sap-sim`);
    await expect.poll(() => page.locator('[data-testid^="card-tier-"]').count()).toBe(3);
    await page.click('[data-testid="open-simulate"]');
    await page.check('input[name="sim-source"][value="connector"]');
    await page.selectOption('[data-testid="sim-instance"]', 'sap-sim-source');
    await page.click('[data-testid="sim-fetch"]');
    await expect.poll(() => page.getAttribute('[data-testid="sim-fetch-status"]', 'data-state')).toBe('done');
    const record = JSON.parse(await page.inputValue('[data-testid="sim-record"]'));
    expect(await page.textContent('[data-testid="sim-fetch-status"]')).toContain(record.purchaseOrder);
    await page.click('[data-testid="sim-run"]');

    // What the hub makes of the same record: its mapping, then its simulation of the published flow
    const mapped = await hub.call('POST', '/api/connectors/sap-sim-source/preview', { sample: record });
    expect(mapped.body.ok).toBe(true);
    const expected = await hub.call('POST', '/api/flows/sap-sim/simulate', { data: mapped.body.data });
    const tier = expected.body.tier.index as number;
    await expect.poll(() => card(page, `tier-${tier}`).getAttribute('data-lit')).toBe('true');
    expect(await page.locator('[data-lit="true"][data-testid^="card-tier-"]').count()).toBe(1);
    expect(await page.locator('[data-testid="sim-steps"] li').count()).toBe(expected.body.steps.length);
    expect(await page.textContent('[data-testid="sim-tier"]')).toContain(Number(expected.body.amount).toLocaleString('en-US'));
    await shot(page, 'simulate-sap');
    expect(problems).toEqual([]);
  } finally {
    await close();
    await sap.stop();
  }
});
