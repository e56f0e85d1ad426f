// A seal keeper (印章管理员) signs for their company on the signer page: the buyer's link
// asks for the company seal, so the page asks its keeper to sign in (login + password, the
// hub's own session), and signing carries the session cookie and its CSRF token. Real hub,
// real Temporal, real Chromium.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { screenshotter, seriousViolations, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { exampleFlow, exampleOrder, type TestHub } from '../support/hub';
import { approvedContract, linkFor } from '../support/signing';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub());
});
afterAll(() => stopBrowserHub({ hub, browser }));

const shot = screenshotter('signer-page-seal');

it('asks the seal keeper to sign in, refuses a wrong password and a user not on the seal, then signs with the keeper’s session', { timeout: 180_000 }, async () => {
  await hub.publish(exampleFlow());
  const order = exampleOrder();
  const createUser = async (name: string, login: string) => {
    const { status, body } = await hub.call('POST', '/api/users', { name, roles: [], login, password: 'seal-keeper-pass-1' });
    expect(status, JSON.stringify(body)).toBe(201);
    return body.id as string;
  };
  const keeperId = await createUser('李印章', 'li.seal');
  await createUser('周其他', 'zhou.other');
  expect((await hub.call('PUT', '/api/seals/contract-seal', { company: order.data.buyer.name, users: [keeperId] })).status).toBe(201);
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const contractId = await approvedContract(hub, { manager, finance }, order);
  const token = await linkFor(hub, contractId, 'signer:buyer');

  // axe's script is injected, so this context bypasses the page's CSP; the CSP itself is covered by signer-page.test.ts.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  try {
    await page.goto(`${hub.url}/sign/${token}`);
    await expect.poll(() => page.textContent('#status'), { timeout: 30_000 }).toContain('请印章管理员登录后签署');
    expect(await page.isVisible('#seal-login')).toBe(true);
    expect(await page.textContent('#seal-intro')).toContain('「contract-seal」');
    expect(await page.isDisabled('#sign-button')).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    // On a phone, the sign-in sits in the signing panel at the bottom.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // A wrong password: said in words, still signed out.
    await page.fill('#seal-login', 'li.seal');
    await page.fill('#seal-password', 'not-the-password');
    await page.click('#seal-signin');
    await expect.poll(() => page.textContent('#alert')).toContain('账号或密码不正确');
    expect(await page.isDisabled('#sign-button')).toBe(true);

    // Someone not on the seal's list signs in (with the keyboard: Enter submits) and tries: the hub refuses.
    await page.fill('#seal-login', 'zhou.other');
    await page.fill('#seal-password', 'seal-keeper-pass-1');
    await page.press('#seal-password', 'Enter');
    await expect.poll(() => page.textContent('#seal-user')).toContain('周其他');
    expect(await page.isVisible('#seal-login')).toBe(false);
    await expect.poll(() => page.textContent('#status')).toContain('可以签署了');
    await page.click('#sign-button');
    await expect.poll(() => page.textContent('#alert')).toContain('此账号无权使用该印章');
    expect((await hub.call('GET', `/api/contracts/${contractId}`)).body.signers.find((s: any) => s.id === 'buyer').status).not.toBe('signed');

    // The session cookie alone is not enough: without its CSRF token the hub refuses to sign.
    await page.click('#seal-signout');
    await page.fill('#seal-login', 'li.seal');
    await page.fill('#seal-password', 'seal-keeper-pass-1');
    await page.click('#seal-signin');
    await expect.poll(() => page.textContent('#seal-user')).toContain('李印章');
    const withoutCsrf = await page.evaluate<{ status: number; code: string }>(`fetch('/api/sign/${token}', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ read: true }), credentials: 'same-origin' })
      .then(async (r) => ({ status: r.status, code: (await r.json()).error.code }))`);
    expect(withoutCsrf).toEqual({ status: 403, code: 'csrf' });

    await page.click('#sign-button');
    await expect.poll(() => page.textContent('#status'), { timeout: 60_000 }).toContain('已签署');
    expect(await page.textContent('#outcome')).toContain('签署成功');
    expect(await page.isVisible('#seal')).toBe(false);
    await shot(page, 'signed').catch(() => undefined);
    const contract = (await hub.call('GET', `/api/contracts/${contractId}`)).body;
    const signed = contract.timeline.find((e: any) => e.type === 'signed' && e.signer === 'buyer');
    expect(signed.intent).toContain(`seal contract-seal by 李印章 (${keeperId})`);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
