// Real-name verification on the signer's page, in Chromium against a real hub with the local
// identity provider: a person walks telecom three factors by keyboard alone (form, a wrong
// SMS code, the right one) and can sign only afterwards; another goes to the provider's face
// page and back, and the page asks how it went. No CSP violation, no page error.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { LOCAL_SMS_CODE } from '../../identity';
import { seriousViolations, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { exampleFlow, exampleOrder, type TestHub } from '../support/hub';
import { approvedContract, linkFor } from '../support/signing';

let hub: TestHub;
let browser: Browser;
let contractId: string;

const flow = (): FlowDefinition => {
  const base = exampleFlow();
  return {
    ...base,
    key: 'identity-page',
    documents: [base.documents![0]],
    signers: [
      { id: 'zhang', party: 'person', name: '张三', idNumber: '310101199003071230', identity: 'telecom', order: 1, documents: ['contract'] },
      { id: 'zhao', party: 'person', name: '赵六', identity: 'face', order: 1, documents: ['contract'] },
      { id: 'wang', party: 'person', name: '王五', identity: 'two-factor', order: 1, documents: ['contract'] },
      // The template places both companies; they sign after.
      ...base.signers!.map(({ seal: _seal, verify: _verify, mustRead: _mustRead, ...signer }) => ({ ...signer, order: 2, documents: ['contract'] })),
    ],
  };
};

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub({ env: { SEALFLOW_IDENTITY_PROVIDERS: 'local' } }));
  await hub.publish(flow());
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  contractId = await approvedContract(hub, { manager, finance }, { flow: 'identity-page', sourceKey: 'idp-1', data: { ...order.data, poNumber: 'IDP-1', supplier: { ...order.data.supplier, isNew: false } } });
}, 240_000);
afterAll(() => stopBrowserHub({ hub, browser }));

/** A page on a desktop screen that records page errors and CSP refusals (`bypassCSP` only where axe's script must be injected). */
async function open(token: string, options: { bypassCSP?: boolean } = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: options.bypassCSP });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  await page.goto(`${hub.url}/sign/${token}`);
  await page.locator('#identity').waitFor({ state: 'visible', timeout: 30_000 });
  return { page, problems };
}

describe('signer page identity walk', () => {
  it('walks telecom three factors by keyboard, keeps the sign button disabled until verified, then signs', { timeout: 120_000 }, async () => {
    const token = await linkFor(hub, contractId, 'signer:zhang');
    const { page, problems } = await open(token);
    await expect.poll(() => page.textContent('#identity')).toContain('运营商三要素');
    expect(await page.textContent('#identity')).toContain('Before signing');
    expect(await page.isDisabled('#sign-button')).toBe(true);
    expect(await page.textContent('#status')).toContain('请先完成实名认证');

    // The form takes focus with the name filled in from the contract; Tab and Enter do the rest.
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('identity-name');
    expect(await page.inputValue('#identity-name')).toBe('张三');
    await page.keyboard.press('Tab');
    await page.keyboard.type('310101199003071230');
    await page.keyboard.press('Tab');
    await page.keyboard.type('13800138000');
    await page.keyboard.press('Enter');

    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), { timeout: 15_000 }).toBe('identity-answer');
    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#identity-alert')).toContain('还可尝试 4 次');
    expect(await page.isDisabled('#sign-button')).toBe(true);
    await page.fill('#identity-answer', LOCAL_SMS_CODE);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#identity'), { timeout: 15_000 }).toContain('已实名认证：张三');

    await expect.poll(() => page.isDisabled('#sign-button')).toBe(false);
    await page.click('#sign-button');
    await expect.poll(() => page.textContent('#status'), { timeout: 60_000 }).toContain('已签署');
    const contract = await hub.waitFor(contractId, (c) => c.signers.find((s: any) => s.id === 'zhang').status === 'signed');
    expect(contract.timeline.find((e: any) => e.type === 'signed' && e.signer === 'zhang').intent).toMatch(/identity telecom by person\.telecom via local/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('sends a face check to the provider’s page and, back on the signer page, asks how it went', { timeout: 120_000 }, async () => {
    const token = await linkFor(hub, contractId, 'signer:zhao');
    const { page, problems } = await open(token);
    await expect.poll(() => page.textContent('#identity')).toContain('人脸核身');
    await page.fill('#identity-idNumber', '320583197801014563');
    await page.keyboard.press('Enter');
    await page.locator('#identity-redirect').waitFor({ timeout: 15_000 });
    await page.click('#identity-redirect');
    await page.waitForURL(/\/identity\/local\/face/);
    expect(await page.textContent('body')).toContain('NOT FOR PRODUCTION');
    await page.click('#return');
    await page.waitForURL(new RegExp(`/sign/${token}`));
    await expect.poll(() => page.textContent('#identity'), { timeout: 30_000 }).toContain('已实名认证：赵六');
    await expect.poll(() => page.isDisabled('#sign-button')).toBe(false);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('signer page identity walk, accessibility', () => {
  it('has no serious accessibility finding in the form or its refusal, and says a mismatch in both languages', { timeout: 120_000 }, async () => {
    const token = await linkFor(hub, contractId, 'signer:wang');
    const { page, problems } = await open(token, { bypassCSP: true });
    await expect.poll(() => page.textContent('#identity')).toContain('姓名 + 身份证号核验');
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#identity-idNumber', '310101199003071230'); // someone else's number: the provider says mismatch
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#identity-alert')).toContain('信息不一致');
    expect(await page.textContent('#identity-alert')).toContain('The details do not match.');
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#identity-idNumber', '440304199208152017');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#identity'), { timeout: 15_000 }).toContain('已实名认证：王五');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('designer', () => {
  it('sets a signer’s identity level in the drawer (the party’s own levels) and the simulation shows it', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript({ content: `sessionStorage.setItem('sealflow.token', ${JSON.stringify(hub.adminToken)})` });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${hub.url}/designer`);
    await page.check('input[name="starter"][value="supplier-purchase"]');
    await page.fill('input[name="key"]', 'identity-designer');
    await page.click('[data-testid="create-flow"] button[type="submit"]');
    await page.locator('[data-testid="card-signer-1"]').waitFor();
    await page.click('.react-flow__controls-fitview'); // the whole flow in view
    await page.locator('[data-testid="card-signer-1"]').click();
    const select = page.locator('[data-field="/signers/1/identity"]');
    await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/signers/1');
    // A company signer is offered the company levels only.
    expect(await select.locator('option').allTextContents()).toEqual(['不要求', '企业三要素', '企业四要素', '对公打款', '反向打款', '法定代表人授权']);
    await select.selectOption('company-transfer');
    expect(await page.inputValue('[data-field="/signers/1/verify"]')).toBe('sms-otp'); // the code step stays

    // A flow from before levels (its text in the JSON tab): verify 'face' reads as level face, and choosing a level retires it.
    await page.click('[data-testid="tab-json"]');
    const legacy = JSON.parse(await page.inputValue('[data-testid="json"]'));
    legacy.signers[0] = { ...legacy.signers[0], party: 'person', verify: 'face' };
    await page.fill('[data-testid="json"]', JSON.stringify(legacy, null, 2));
    await page.click('[data-testid="tab-canvas"]');
    await page.locator('[data-testid="card-signer-0"]').focus(); // the keyboard opens a card
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/signers/0');
    expect(await page.inputValue('[data-field="/signers/0/verify"]')).toBe('face'); // shown while it is the value
    expect(await page.inputValue('[data-field="/signers/0/identity"]')).toBe('face');
    await page.selectOption('[data-field="/signers/0/identity"]', 'telecom');
    expect(await page.inputValue('[data-field="/signers/0/verify"]')).toBe('');
    expect(await page.inputValue('[data-field="/signers/0/identity"]')).toBe('telecom');
    await page.click('[data-testid="open-simulate"]');
    await page.fill('[data-testid="sim-amount"]', '50000');
    await page.click('[data-testid="sim-run"]');
    await expect.poll(() => page.textContent('[data-testid="sim-rounds"]')).toContain('实名认证等级: 对公打款');
    expect(await page.textContent('[data-testid="sim-rounds"]')).toContain('实名认证等级: 运营商三要素');
    expect(problems).toEqual([]);
    await context.close();
  });
});
