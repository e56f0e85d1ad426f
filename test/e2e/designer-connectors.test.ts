// The designer's connectors and templates screens in real Chromium against a real hub and the
// stand-in SAP S/4HANA (OData V2): an integration admin sets up an SAP instance in the browser
// (settings form from the connector's own schema, the password write-only), checks the
// connection, fetches a purchase order as the sample and sees the mapping preview against the
// flow's data schema — a deliberate mapping error shows with its path, a syntax error with its
// line. Then a template with an error is uploaded (its line number shows), fixed, and its PDF
// preview appears. Screenshots go to .cache/screenshots.
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPage, screenshotter, seriousViolations, signInToDesigner, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { approvalFlow, type TestHub } from '../support/hub';
import { startSapServer, type SapServer } from '../connectors/sap-server';
import { isReleasedInSeed, purchaseOrderNumber } from '../connectors/sap-server/seed';

const suffix = randomBytes(3).toString('hex');
const FLOW = `sap-po-${suffix}`;
const INSTANCE = `sap-e2e-${suffix}`;
const TEMPLATE = `notice-${suffix}`;
const PASSWORD = 'sap-password-never-shown-42';
const COUNT = 6;
const released = Array.from({ length: COUNT }, (_, i) => i).filter((i) => isReleasedInSeed(i, { releasedEvery: 2 })).map((i) => purchaseOrderNumber(i));

let hub: TestHub;
let sap: SapServer;
let browser: Browser;
let token: string;

beforeAll(async () => {
  [{ hub, browser }, sap] = await Promise.all([startBrowserHub(), startSapServer({ pageSize: 100 })]);
  await sap.seed({ count: COUNT, releasedEvery: 2 });
  await hub.publish({ ...approvalFlow(), key: FLOW, name: `SAP 采购合同 ${suffix}` });
  token = (await hub.user('集成管理员', ['integration-admin', 'flow-designer'])).token;
}, 180_000);
afterAll(async () => {
  await stopBrowserHub({ hub, browser });
  await sap?.stop();
});

const shot = screenshotter('designer', { fullPage: true });
const text = (page: Page, selector: string) => page.locator(selector).textContent().then((t) => t ?? '');

/** The mapping editor (CodeMirror): its text, and typing a new one over it. */
const mappingText = async (page: Page) => (await page.locator('[data-testid="mapping"] .cm-line').allTextContents()).join('\n');
async function typeMapping(page: Page, text: string) {
  await page.click('[data-testid="mapping"]');
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(text);
  await expect.poll(() => mappingText(page)).toBe(text);
}

async function signedIn(): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  // bypassCSP only so the test can inject axe-core; the app itself runs as served.
  const opened = await openPage(browser, { viewport: { width: 1440, height: 1000 }, locale: 'en-US', bypassCSP: true });
  await signInToDesigner(opened.page, hub, token);
  await opened.page.waitForSelector('[data-testid="nav-connectors"]');
  return opened;
}

it('sets up an SAP instance, checks it, fetches a purchase order and previews the mapping with its errors', { timeout: 180_000 }, async () => {
  const { page, problems, close } = await signedIn();
  try {
    await page.click('[data-testid="nav-connectors"]');
    await expect.poll(() => page.evaluate<string>('location.pathname')).toBe('/designer/connectors');
    await page.click('[data-testid="new-instance"]');
    await page.click('[data-kind="sap_purchase_orders"]');

    // The settings form is the connector's own schema: titles as labels, defaults filled, the password a password field
    const setting = (name: string) => page.locator(`[data-setting="${name}"]`);
    expect(await setting('password').getAttribute('type')).toBe('password');
    expect(await setting('pageSize').inputValue()).toBe('200');
    expect(await text(page, '[data-testid="settings-form"]')).toContain('Purchase order API');
    await page.fill('input[name="id"]', INSTANCE);
    await page.fill('input[name="name"]', 'SAP S/4HANA (e2e)');
    await page.selectOption('select[name="flow"]', FLOW);
    await setting('purchaseOrderServiceUrl').fill(sap.purchaseOrderServiceUrl);
    await setting('businessPartnerServiceUrl').fill(sap.businessPartnerServiceUrl);
    await setting('username').fill('SEALFLOW_COMM');
    await setting('changedSince').fill('2024-01-01T00:00:00Z');
    expect(await page.isChecked('input[name="enabled"]')).toBe(false);

    // Without the password the hub refuses, and says so at the field
    await page.click('[data-testid="save-instance"]');
    await expect.poll(() => page.locator('[data-testid="errors-/settings/password"]').count()).toBe(1);
    expect(await setting('password').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'connector-refused');

    await setting('password').fill(PASSWORD);
    await page.click('[data-testid="save-instance"]');
    // (the refusal above goes away as the save starts)
    await page.waitForSelector('[data-testid="saved"]').catch(async (error: Error) => {
      throw new Error(`not saved: ${await text(page, '[data-testid="instance-editor"]')}`, { cause: error });
    });
    await expect.poll(() => text(page, '[data-testid="saved"]')).toContain(INSTANCE);
    // Write-only: shown as set, never read back
    await page.waitForSelector('[data-testid="secret-set-password"]');
    expect(await setting('password').inputValue()).toBe('');
    expect(await page.content()).not.toContain(PASSWORD);
    expect(await page.locator(`[data-instance="${INSTANCE}"]`).count()).toBe(1);
    const stored = await hub.call('GET', `/api/connectors/${INSTANCE}`);
    expect(stored.body).toMatchObject({ enabled: false, secretsSet: ['password'], flow: FLOW, publicSettings: { username: 'SEALFLOW_COMM' } });
    // Saved disabled: nothing was started while trying it out
    expect((await hub.call('GET', `/api/contracts?flow=${FLOW}`)).body.total).toBe(0);

    // Check the connection
    await page.click('[data-testid="check"]');
    await expect.poll(() => text(page, '[data-testid="check-result"]'), { timeout: 30_000 }).toContain('Connected');

    // Fetch a purchase order from SAP as the sample
    await page.fill('input[name="sourceKey"]', released[1]!);
    await page.click('[data-testid="fetch-sample"]');
    await expect.poll(() => text(page, '[data-testid="sample-status"]'), { timeout: 30_000 }).toContain(released[1]!);
    const sample = JSON.parse(await page.inputValue('[data-testid="sample"]'));
    expect(sample).toMatchObject({ purchaseOrder: released[1], supplier: { name: expect.any(String) } });

    // The live preview: the data the flow gets, and that it fits the flow's data schema
    await expect.poll(() => page.locator('[data-testid="preview-ok"]').count(), { timeout: 15_000 }).toBe(1);
    const mapped = JSON.parse(await text(page, '[data-testid="preview-data"]'));
    expect(mapped).toMatchObject({ poNumber: released[1], amount: expect.any(Number), supplier: { name: sample.supplier.name } });
    expect(await text(page, '[data-testid="try-panel"]')).toContain(`Checked against flow ${FLOW} v1`);
    await shot(page, 'connector-preview');
    expect(await seriousViolations(page)).toEqual([]);

    // A deliberate mapping error: the amount made a string breaks the flow's schema at /data/amount
    const mapping = await mappingText(page);
    expect(mapping).toContain('"poNumber": purchaseOrder');
    await typeMapping(page, mapping.replace('"amount": $number(netAmount)', '"amount": $string(netAmount)'));
    const amountIssue = page.locator('[data-testid="preview-issues"] li[data-path="/data/amount"]');
    await expect.poll(() => amountIssue.count(), { timeout: 15_000 }).toBe(1);
    expect(await amountIssue.textContent()).toMatch(/number/);
    expect(await page.locator('[data-testid="preview-ok"]').count()).toBe(0);
    await shot(page, 'connector-mapping-error');

    // A syntax error names its line and column
    await typeMapping(page, '{\n  "poNumber": purchaseOrder,\n  "amount": $number(netAmount\n}');
    await expect.poll(() => text(page, '[data-testid="mapping-error"]'), { timeout: 15_000 }).toMatch(/^Line [34], column \d+:/);

    // Back to the good mapping, saved from the keyboard (Enter on the focused save button)
    // Typed with completion: the sample's fields are offered
    await typeMapping(page, mapping.replace('"poNumber": purchaseOrder', '"poNumber": "PO-" & '));
    // the caret to the end of line 2, before its comma
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('purchaseOr');
    // The list opens while typing; Ctrl-Space asks for it when a fresh preview closed it first
    const offered = '.cm-tooltip-autocomplete li[aria-selected]';
    if (!(await page.waitForSelector(offered, { timeout: 3000 }).then(() => true, () => false))) await page.keyboard.press('Control+Space');
    await page.waitForSelector(offered);
    expect(await page.locator(offered).textContent()).toContain('purchaseOrder');
    await page.keyboard.press('Enter');
    await expect.poll(() => mappingText(page)).toBe(mapping.replace('"poNumber": purchaseOrder', '"poNumber": "PO-" & purchaseOrder'));
    await expect.poll(() => page.locator('[data-testid="preview-ok"]').count(), { timeout: 15_000 }).toBe(1);
    expect(JSON.parse(await text(page, '[data-testid="preview-data"]')).poNumber).toBe(`PO-${released[1]}`);
    await page.focus('[data-testid="save-mapping"]');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await hub.call('GET', `/api/connectors/${INSTANCE}`)).body.mapping).toContain('"PO-" & purchaseOrder');
    // The password was kept: the connection still works
    expect((await hub.call('POST', `/api/connectors/${INSTANCE}/check`)).body).toEqual({ valid: true });
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
});

it('uploads a template with an error, shows its line, and previews the PDF once fixed', { timeout: 120_000 }, async () => {
  const { page, problems, close } = await signedIn();
  try {
    await page.click('[data-testid="nav-templates"]');
    await expect.poll(() => page.locator('[data-template="purchase-contract"]').count()).toBe(1);
    await page.click('[data-testid="new-template"]');
    await page.fill('input[name="templateId"]', TEMPLATE);
    await page.fill('input[name="title"]', '通知书');
    const broken = '# {{title}}\n\n甲方：{{{buyer}}}\n\n::: signatures\n';
    await page.setInputFiles('input[name="file"]', { name: 'notice.hbs', mimeType: 'text/plain', buffer: Buffer.from(broken) });
    await expect.poll(() => page.inputValue('textarea[name="source"]')).toBe(broken);

    // Live: the hub refuses it with the line
    const issue = page.locator('[data-testid="template-issues"] li');
    await expect.poll(() => issue.first().getAttribute('data-line'), { timeout: 15_000 }).toBe('3');
    expect(await issue.first().textContent()).toContain('Line 3:');
    expect(await page.locator('[data-testid="pdf-preview"]').count()).toBe(0);
    expect((await hub.call('GET', `/api/templates/${TEMPLATE}`)).status).toBe(404);
    // The error takes the caret to its line
    await issue.first().locator('button').click();
    const selected = await page.locator('textarea[name="source"]').evaluate((area: { value: string; selectionStart: number; selectionEnd: number }) => area.value.slice(area.selectionStart, area.selectionEnd));
    expect(selected).toBe('甲方：{{{buyer}}}');
    await shot(page, 'template-error');

    // Fixed: the PDF preview of the unsaved source appears in its frame
    const rendered = page.waitForResponse((r) => r.url().endsWith(`/api/templates/${TEMPLATE}/try`) && r.status() === 200, { timeout: 30_000 });
    await page.fill('textarea[name="source"]', broken.replace('{{{buyer}}}', '{{buyer}}'));
    expect((await rendered).headers()['content-type']).toBe('application/pdf');
    await page.waitForSelector('[data-testid="pdf-preview"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="template-issues"]').count()).toBe(0);
    const src = (await page.getAttribute('[data-testid="pdf-preview"]', 'src'))!;
    expect(src).toMatch(/^blob:/);
    // A preview saves nothing; Save does, and the list shows it
    expect((await hub.call('GET', `/api/templates/${TEMPLATE}`)).status).toBe(404);
    await page.click('[data-testid="save-template"]');
    await expect.poll(() => text(page, '[data-testid="template-saved"]')).toContain(TEMPLATE);
    const again = await fetch(`${hub.url}/api/templates/${TEMPLATE}/preview`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(Buffer.from(await again.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const saved = await hub.call('GET', `/api/templates/${TEMPLATE}`);
    expect(saved.body).toMatchObject({ id: TEMPLATE, origin: 'uploaded', title: '通知书', source: broken.replace('{{{buyer}}}', '{{buyer}}') });
    await expect.poll(() => page.locator(`[data-template="${TEMPLATE}"]`).count()).toBe(1);
    await shot(page, 'template-preview');
    expect(await seriousViolations(page)).toEqual([]);

    // The same screens in Chinese
    await page.click('[data-testid="language"]');
    await expect.poll(() => text(page, '[data-testid="nav-connectors"]')).toBe('连接器');
    expect(await text(page, '[data-testid="template-editor"]')).toContain('PDF 预览');
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
});

it('reads a sample only from a polled source, by key among the first page, starting nothing; gives a template with its source', { timeout: 60_000 }, async () => {
  const as = (method: string, path: string, body?: unknown) => hub.call(method, path, body, token);
  // The instance the browser set up, or the same made here when this test runs alone
  if ((await as('GET', `/api/connectors/${INSTANCE}`)).status === 404) {
    const settings = { purchaseOrderServiceUrl: sap.purchaseOrderServiceUrl, businessPartnerServiceUrl: sap.businessPartnerServiceUrl, username: 'SEALFLOW_COMM', password: PASSWORD, changedSince: '2024-01-01T00:00:00Z' };
    expect((await as('POST', '/api/connectors', { id: INSTANCE, connector: 'sap_purchase_orders', settings, trigger: { kind: 'poll', everyMinutes: 15 }, flow: FLOW, mapping: '$', enabled: false })).status).toBe(201);
  }
  expect((await as('POST', '/api/connectors/no-such-instance/sample', {})).status).toBe(404);
  const business = await hub.user('业务员', ['business-user']);
  expect((await hub.call('POST', `/api/connectors/${INSTANCE}/sample`, {}, business.token)).status).toBe(403);

  const first = await as('POST', `/api/connectors/${INSTANCE}/sample`, {});
  expect(first.status).toBe(200);
  expect(first.body.sample).toMatchObject({ sourceKey: released[0], record: { purchaseOrder: released[0], released: true }, skip: null });
  // Only released orders are read: another one is not there
  const unreleased = purchaseOrderNumber(Array.from({ length: COUNT }, (_, i) => i).find((i) => !isReleasedInSeed(i, { releasedEvery: 2 }))!);
  expect(await as('POST', `/api/connectors/${INSTANCE}/sample`, { sourceKey: unreleased })).toMatchObject({ status: 404, body: { error: { message: expect.stringContaining(unreleased) } } });
  // Reading samples started nothing and moved no cursor
  expect((await hub.call('GET', `/api/contracts?flow=${FLOW}`)).body.total).toBe(0);
  expect((await as('GET', `/api/connectors/${INSTANCE}`)).body.health?.lastSyncAt ?? null).toBeNull();

  // A webhook-only connector has no records to read on request
  const pushed = await as('POST', '/api/connectors', { id: `bpm-${suffix}`, connector: 'bpm_webhook', settings: {}, trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: 'bpm-secret-0123456789abcdef' } }, flow: FLOW, mapping: '$' });
  expect(pushed.status).toBe(201);
  expect(await as('POST', `/api/connectors/bpm-${suffix}/sample`, {})).toMatchObject({ status: 409, body: { error: { code: 'not_polled' } } });

  const shipped = await as('GET', '/api/templates/purchase-contract');
  expect(shipped.body).toMatchObject({ id: 'purchase-contract', origin: 'shipped', source: expect.stringContaining('{{'), sample: expect.any(Object), schema: expect.any(Object) });
  expect((await as('GET', '/api/templates/no-such-template')).status).toBe(404);
});
