// Signing in to the designer as people do: a login and password (the hub's session cookie,
// shared with the console), with every change the page sends carrying the session's CSRF
// token; a browser already signed in to the console opens the designer without asking again.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBrowserHub, stopBrowserHub } from '../support/e2e';
import type { TestHub } from '../support/hub';

let hub: TestHub;
let browser: Browser;
const password = '设计员的密码-2026';

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub());
  const created = await hub.call('POST', '/api/users', { name: '流程设计员', login: 'flow-designer-1', password, roles: ['flow-designer'] });
  expect(created.status).toBe(201);
}, 240_000);
afterAll(() => stopBrowserHub({ hub, browser }));

it('signs a flow designer in with a password, saves a flow through the session (CSRF included) and signs out', { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('response', (response) => response.status() === 403 && refused.push(`${response.request().method()} ${response.url()}`));
  await page.goto(`${hub.url}/designer`);
  await page.fill('input[name="login"]', 'flow-designer-1');
  await page.fill('input[name="password"]', 'wrong password');
  await page.click('button[type="submit"]');
  await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('账号或密码错误');

  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.locator('[data-testid="create-flow"]').waitFor();
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'sf_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

  // Creating a flow is a POST through the session: refused without the CSRF token, so its success proves the page sends it.
  await page.fill('[data-testid="create-flow"] input[name="key"]', 'signin-check');
  await page.fill('[data-testid="create-flow"] input[name="name"]', '登录检查');
  await page.click('[data-testid="create-flow"] button[type="submit"]');
  await page.locator('[data-testid="flow-name"]').waitFor();
  await page.locator('[data-testid="save"]').click();
  await expect.poll(async () => (await hub.call('GET', '/api/flows/signin-check')).status, { timeout: 15_000 }).toBe(200);
  expect(refused).toEqual([]);

  // A reload keeps the session; signing out ends it on the hub too.
  await page.reload();
  await page.locator('[data-testid="flow-name"]').waitFor();
  await page.goto(`${hub.url}/designer`);
  await page.getByRole('button', { name: '退出' }).first().click();
  await page.locator('input[name="login"]').waitFor();
  const sessionCookie = (await context.cookies()).find((c) => c.name === 'sf_session');
  const after = await fetch(`${hub.url}/api/session`, { headers: sessionCookie ? { cookie: `sf_session=${sessionCookie.value}` } : {} });
  expect(after.status).toBe(401);
  await context.close();
});

it('opens the designer without asking again in a browser signed in to the console', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const signedIn = await context.request.post(`${hub.url}/api/session`, { data: { login: 'flow-designer-1', password } });
  expect(signedIn.status()).toBe(200);
  const page = await context.newPage();
  await page.goto(`${hub.url}/designer`);
  await page.locator('[data-testid="create-flow"]').waitFor();
  expect(await page.locator('input[name="login"]').count()).toBe(0);
  await context.close();
});
