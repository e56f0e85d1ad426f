// The signer's page against the real hub: a supplier opens the link from their SMS in
// Chromium on a phone, scrolls through every page, asks for the code, types it and signs;
// the contract then completes on the real Temporal server.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { screenshotPath, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { exampleFlow, exampleOrder, type TestHub } from '../support/hub';
import { approvedContract, linkFor } from '../support/signing';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  // The page script is built by Vite with the designer (designer/src/signer).
  ({ hub, browser } = await startBrowserHub());
});
afterAll(() => stopBrowserHub({ hub, browser }));

it('lets a supplier read, verify and sign on a phone, and the contract completes', { timeout: 180_000 }, async () => {
  const base = exampleFlow();
  const flow: FlowDefinition = { ...base, signers: base.signers!.map(({ seal: _seal, ...signer }) => signer) };
  await hub.publish(flow);
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  const data = { ...order.data, supplier: { ...order.data.supplier, isNew: false } };
  const started = { id: await approvedContract(hub, { manager, finance }, { ...order, data }) };
  const buyer = await linkFor(hub, started.id, 'signer:buyer');
  expect((await hub.call('POST', `/api/sign/${buyer}`, { read: true }, null)).status).toBe(200);

  // The SMS carries a short link of its own (16 characters), not the email's.
  let token = '';
  await expect.poll(async () => {
    const sms = (await hub.call('GET', `/api/outbox?contractId=${started.id}&to=${order.data.supplier.mobile}`)).body.items;
    token = sms.map((m: any) => /\/sign\/([A-Za-z0-9_-]{16,})/.exec(m.body)?.[1]).find(Boolean) ?? '';
    return token;
  }, { timeout: 30_000 }).toBeTruthy();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${hub.url}/sign/${token}`);
  const total = (await hub.call('GET', `/api/sign/${token}`, undefined, null)).body.documents.reduce((n: number, d: any) => n + d.pages, 0);
  await expect.poll(() => page.locator('canvas[data-page]').count(), { timeout: 30_000 }).toBe(total);
  for (let i = 0; i < 300 && (await page.locator('canvas[data-read="true"]').count()) < total; i++) {
    expect(await page.isDisabled('#sign-button')).toBe(true);
    await page.mouse.wheel(0, 380);
    await page.waitForTimeout(100);
  }
  // the server, not the page, holds what was read
  await expect.poll(async () => Object.values((await hub.call('GET', `/api/sign/${token}`, undefined, null)).body.read).flat().length, { timeout: 10_000 }).toBe(total);

  await page.click('#otp-button');
  await expect.poll(() => page.textContent('#otp-hint')).toContain('138****8000');
  const sms = (await hub.call('GET', `/api/outbox?contractId=${started.id}&to=${order.data.supplier.mobile}`)).body.items.find((m: any) => m.subject === '签署验证码');
  await page.fill('#otp-input', /验证码 (\d{6})/.exec(sms.body)![1]);
  await page.click('#sign-button');
  await expect.poll(() => page.textContent('#status'), { timeout: 60_000 }).toContain('已签署');
  await page.screenshot({ path: screenshotPath('signer-page-hub') }).catch(() => undefined);
  const done = await hub.waitFor(started.id, (c) => c.status === 'completed', 60_000);
  expect(done.timeline.find((e: any) => e.type === 'signed' && e.signer === 'supplier').userAgent).toContain('Chrome');
  expect(problems).toEqual([]);
  await context.close();
});
