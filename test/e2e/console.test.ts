// The tracking console in real Chromium against a real hub (Temporal, SQLite, the dev outbox):
// a business user signs in with a password, finds a contract in the ledger by status and by a
// Chinese party name, exports the ledger as CSV and reads its Chinese back, opens a contract,
// nudges its signer (the nudge lands in the outbox), sees a change made elsewhere without a
// reload, and switches language; a department manager approves from a phone-sized window
// through the link in their approval notice; a contract that failed in the worker shows on the
// attention page with its reason. Every main screen passes axe-core with no serious finding. Screenshots go to .cache/screenshots/console-*.png.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { openPage, screenshotter, seriousViolations, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { FAILING_PLAN_REASON, failingPlanFlow, failingPlanStart } from '../support/failing-plan';
import { exampleFlow, exampleOrder, type TestHub } from '../support/hub';
import { approvedContract } from '../support/signing';

const desktop: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
const phone: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };

let hub: TestHub;
let browser: Browser;
const contexts: BrowserContext[] = [];
const people = {
  clerk: { name: '李娜', login: 'lina', password: 'Lina-2025-采购', roles: ['business-user'] },
  manager: { name: '王经理', login: 'wang.jl', password: 'Wang-approves-1', roles: ['dept-manager'] },
  finance: { name: '赵总监', login: 'zhao', password: 'Zhao-approves-2', roles: ['finance-director'] },
};
const tokens: Record<keyof typeof people, string> = { clerk: '', manager: '', finance: '' };
/** signing: the buyer's turn to sign; approval: waits for the manager; other: cancelled. */
const ids = { signing: '', approval: '', other: '' };

const order = (sourceKey: string, supplier: string, email: string) => {
  const base = exampleOrder();
  return { ...base, sourceKey, data: { ...base.data, poNumber: sourceKey, supplier: { ...base.data.supplier, name: supplier, email, isNew: false } } };
};

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub());

  // No company seal (it would need a signed-in seal user): the buyer signs over its link.
  const base = exampleFlow();
  await hub.publish({ ...base, signers: base.signers!.map(({ seal: _seal, ...signer }) => signer) } satisfies FlowDefinition);
  for (const [who, person] of Object.entries(people) as [keyof typeof people, (typeof people)[keyof typeof people]][]) {
    const created = await hub.call('POST', '/api/users', person);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    tokens[who] = created.body.token;
  }
  // The clerk starts three purchase contracts with three suppliers.
  const start = async (body: ReturnType<typeof order>) => {
    const started = await hub.call('POST', '/api/contracts', body, tokens.clerk);
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    return started.body.id as string;
  };
  const asClerk = { ...hub, call: (method: string, path: string, body?: unknown, token: string | null = tokens.clerk) => hub.call(method, path, body, token) } as TestHub;
  ids.signing = await approvedContract(asClerk, { manager: { token: tokens.manager }, finance: { token: tokens.finance } }, order('4500000001', '深圳市华强电子有限公司', 'sales@hqe.example.cn'));
  await hub.waitFor(ids.signing, (c) => Boolean(c.signers.find((s: { id: string }) => s.id === 'buyer')?.invitationSentAt)); // the buyer's invitation went out
  ids.approval = await start(order('4500000002', '杭州云栖科技有限公司', 'bd@yunqi.example.cn'));
  ids.other = await start(order('4500000003', '北京中关村软件股份有限公司', 'sales@zgc.example.cn'));
  await hub.waitFor(ids.approval, (c) => c.steps[0]?.status === 'pending');
}, 240_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await stopBrowserHub({ hub, browser });
});

const shot = screenshotter('console', { fullPage: true });

/** A fresh browser window; script errors and failed requests other than the 4xx the test provokes are collected. */
async function open(options: BrowserContextOptions) {
  const { context, page, problems } = await openPage(browser, options);
  contexts.push(context);
  return { page, problems };
}

async function signIn(page: Page, who: keyof typeof people) {
  await page.fill('input[name="login"]', people[who].login);
  await page.fill('input[name="password"]', people[who].password);
  await page.click('button[type="submit"]');
  await expect.poll(() => page.locator('[data-testid="user-name"]').textContent()).toBe(people[who].name);
}

const rows = (page: Page) => page.locator('[data-testid="ledger-row"]');
const rowIds = (page: Page) => rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')).sort());

it('serves the console at /console and its deep links, under the designer’s strict CSP', async () => {
  for (const path of ['/console', `/console/contracts/${ids.signing}`, '/console/stats']) {
    const response = await fetch(hub.url + path);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("'unsafe-inline'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(await response.text()).toMatch(/<script type="module" crossorigin src="\/designer\/assets\/[^"]+\.js">/);
  }
});

it('cuts a font of the hanzi the webfont lacks, for signed-in callers only', async () => {
  const rare = await fetch(`${hub.url}/api/console/font.woff2?text=${encodeURIComponent('深圳市华强')}`, { headers: { authorization: `Bearer ${tokens.clerk}` } });
  expect(rare.status).toBe(200);
  expect(rare.headers.get('content-type')).toBe('font/woff2');
  expect(rare.headers.get('sealflow-unicode-range')).toBe('U+5733'); // 圳: the others are common hanzi
  expect((await rare.arrayBuffer()).byteLength).toBeLessThan(20_000);
  const common = await fetch(`${hub.url}/api/console/font.woff2?text=${encodeURIComponent('合同台账')}`, { headers: { authorization: `Bearer ${tokens.clerk}` } });
  expect(common.status).toBe(204);
  expect((await fetch(`${hub.url}/api/console/font.woff2?text=%E5%9C%B3`)).status).toBe(401);
  const tooLong = await fetch(`${hub.url}/api/console/font.woff2?text=${'圳'.repeat(1001)}`, { headers: { authorization: `Bearer ${tokens.clerk}` } });
  expect(tooLong.status).toBe(400);
});

it('a business user signs in, filters and searches the ledger, exports it, nudges a signer and sees changes live', { timeout: 180_000 }, async () => {
  const { page, problems } = await open({ ...desktop, acceptDownloads: true });

  // A wrong password is refused in words; the right one opens the ledger
  await page.goto(`${hub.url}/console`);
  await page.fill('input[name="login"]', people.clerk.login);
  await page.fill('input[name="password"]', 'not-the-password');
  await page.click('button[type="submit"]');
  await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('账号或密码不正确');
  await shot(page, 'signin');
  await signIn(page, 'clerk');
  await expect.poll(() => rowIds(page)).toEqual(Object.values(ids).sort());
  expect(await page.locator('h1').textContent()).toBe('合同台账');

  // Tabs by status, with counts
  await expect.poll(() => page.locator('[data-testid="count-all"]').textContent()).toBe('3');
  expect(await page.locator('[data-testid="count-in_approval"]').textContent()).toBe('2');
  expect(await page.locator('[data-testid="count-signing"]').textContent()).toBe('1');
  expect(await page.locator('[data-testid="count-completed"]').textContent()).toBe('0');
  await page.click('[role="tab"][data-status="signing"]');
  await expect.poll(() => rowIds(page)).toEqual([ids.signing]);
  expect(await rows(page).locator('[data-testid="status"]').textContent()).toBe('签署中');
  await page.click('[role="tab"][data-status="all"]');
  await expect.poll(() => rows(page).count()).toBe(3);

  // "Started by me" keeps all three (the clerk started them); a Chinese party name finds one
  await page.check('input[name="mine"]');
  await expect.poll(() => rows(page).count()).toBe(3);
  await page.fill('[data-testid="search"]', '华强');
  await expect.poll(() => rowIds(page)).toEqual([ids.signing]);
  expect(await rows(page).locator('.parties').textContent()).toContain('深圳市华强电子有限公司');
  await page.fill('[data-testid="search"]', '4500000002'); // a source key
  await expect.poll(() => rowIds(page)).toEqual([ids.approval]);
  await page.fill('[data-testid="search"]', '华强电子');
  await expect.poll(() => rowIds(page)).toEqual([ids.signing]);
  await expect.poll(() => page.locator('[data-testid="count-all"]').textContent()).toBe('1');
  await shot(page, 'ledger');

  // Export the filtered ledger as CSV with the columns chosen; the Chinese survives the trip
  await page.click('[data-testid="export"] summary');
  await page.uncheck('input[name="column"][value="createdAt"]');
  await page.check('input[name="column"][value="sourceKey"]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  const csv = readFileSync((await download.path())!);
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM: Excel reads it as UTF-8
  const lines = csv.toString('utf8').slice(1).trim().split(/\r?\n/);
  expect(lines).toHaveLength(2); // the header and the one contract the search found
  expect(lines[0]).toContain('签署方');
  expect(lines[0]).toContain('来源单号');
  expect(lines[0]).not.toContain('创建时间');
  expect(lines[1]).toContain(ids.signing);
  expect(lines[1]).toContain('深圳市华强电子有限公司');
  expect(lines[1]).toContain('4500000001');
  const [workbook] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-xlsx"]')]);
  expect(readFileSync((await workbook.path())!).subarray(0, 2).toString()).toBe('PK'); // an XLSX is a zip
  expect(workbook.suggestedFilename()).toMatch(/\.xlsx$/);
  // Tick one row: the export takes only the selection
  await page.fill('[data-testid="search"]', '');
  await expect.poll(() => rows(page).count()).toBe(3);
  await page.check(`[data-testid="ledger-row"][data-id="${ids.approval}"] input[type="checkbox"]`);
  const [picked] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  const pickedLines = readFileSync((await picked.path())!).toString('utf8').slice(1).trim().split(/\r?\n/);
  expect(pickedLines).toHaveLength(2);
  expect(pickedLines[1]).toContain(ids.approval);
  await page.uncheck(`[data-testid="ledger-row"][data-id="${ids.approval}"] input[type="checkbox"]`);
  await page.fill('[data-testid="search"]', '华强电子');
  await expect.poll(() => rowIds(page)).toEqual([ids.signing]);

  // Open the contract: who it waits for, each signer's state, the timeline
  await page.click(`[data-testid="ledger-row"][data-id="${ids.signing}"] a`);
  await expect.poll(() => page.url()).toBe(`${hub.url}/console/contracts/${ids.signing}`);
  await expect.poll(() => page.locator('[data-testid="signer"][data-signer="buyer"]').getAttribute('data-state')).toBe('invited');
  expect(await page.locator('[data-testid="signer"][data-signer="supplier"]').getAttribute('data-state')).toBe('waiting');
  expect(await page.locator('[data-testid="waiting-on"]').textContent()).toContain('上海启明智能制造有限公司');
  expect(await page.locator('[data-testid="source"]').textContent()).toContain('4500000001');
  // The supplier's 圳 is no common hanzi: the page fetched a face for it (this Chromium has no Chinese font)
  await expect
    .poll(() => page.evaluate<boolean>(`[...document.fonts].some((f) => f.family.replace(/"/g, '') === 'Sealflow Rare' && f.status === 'loaded' && /u\\+5733/i.test(f.unicodeRange))`))
    .toBe(true);
  expect(await page.locator('[data-testid="timeline"] li[data-type="invited"]').count()).toBeGreaterThan(0);

  // Nudge the buyer: the reminder is in the outbox, and in the timeline
  const outbox = async () => (await hub.call('GET', `/api/outbox?contractId=${ids.signing}&to=signer:buyer`)).body.items as { subject: string }[];
  expect((await outbox()).filter((m) => m.subject.startsWith('催办'))).toHaveLength(0);
  await page.click('[data-testid="nudge-buyer"]');
  await expect.poll(() => page.locator('[data-testid="contract-notice"]').textContent()).toContain('已催办');
  await expect.poll(async () => (await outbox()).filter((m) => m.subject.startsWith('催办')).length, { timeout: 20_000 }).toBe(1);
  await expect.poll(() => page.locator('[data-testid="timeline"] li[data-type="nudged"]').count(), { timeout: 20_000 }).toBe(1);
  await shot(page, 'contract');

  // Live: the third contract is cancelled elsewhere (over the API); the ledger follows without a reload
  await page.click('[data-testid="nav-ledger"]');
  await page.fill('[data-testid="search"]', '');
  await page.click('[role="tab"][data-status="in_approval"]');
  await expect.poll(() => rowIds(page)).toEqual([ids.approval, ids.other].sort());
  const cancelled = await hub.call('POST', `/api/contracts/${ids.other}/cancel`, { reason: '供应商报价已过期' }, tokens.clerk);
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
  await expect.poll(() => rowIds(page), { timeout: 15_000 }).toEqual([ids.approval]);
  await expect.poll(() => page.locator('[data-testid="count-cancelled"]').textContent()).toBe('1');

  // Bulk nudge on a selection: each contract answers for itself (the buyer was nudged minutes ago; the other waits for no signer)
  await page.click('[role="tab"][data-status="all"]');
  await expect.poll(() => rows(page).count()).toBe(3);
  await page.check(`[data-testid="ledger-row"][data-id="${ids.signing}"] input[type="checkbox"]`);
  await page.check(`[data-testid="ledger-row"][data-id="${ids.approval}"] input[type="checkbox"]`);
  expect(await page.locator('[data-testid="bulk-bar"]').textContent()).toContain('已选 2 份');
  await page.click('[data-testid="bulk-nudge"]');
  await expect.poll(() => page.locator('[data-testid="ledger-notice"]').textContent()).toContain('已催办 0 / 2 份');
  expect((await outbox()).filter((m) => m.subject.startsWith('催办'))).toHaveLength(1); // nothing sent twice within the hour
  await shot(page, 'bulk');

  // English on request, and back
  await page.click('[data-testid="language"]');
  await expect.poll(() => page.locator('h1').textContent()).toBe('Contract ledger');
  expect(await page.locator('[role="tab"][data-status="cancelled"]').textContent()).toContain('Cancelled');
  expect(await page.evaluate<string>('document.documentElement.lang')).toBe('en');
  await shot(page, 'ledger-en');
  await page.click('[data-testid="language"]');
  await expect.poll(() => page.locator('h1').textContent()).toBe('合同台账');

  // The statistics page draws its charts (lazily loaded, under the CSP)
  await page.click('[data-testid="nav-stats"]');
  await expect.poll(() => page.locator('[data-testid="stat-started"]').textContent(), { timeout: 15_000 }).toBe('3');
  await expect.poll(() => page.locator('[data-testid="chart-flow"] canvas').count()).toBeGreaterThan(0);
  await shot(page, 'stats');
  await page.click('[data-testid="nav-attention"]');
  await expect.poll(() => page.locator('[data-testid="attention-approvalsOverdue"]').count()).toBe(1);
  await shot(page, 'attention');

  // Signing out ends the session: the sign-in page comes back
  await page.click('[data-testid="sign-out"]');
  await expect.poll(() => page.locator('input[name="login"]').count()).toBe(1);
  expect(problems).toEqual([]);
});

it('a department manager approves from a phone, through the link in the approval notice', { timeout: 120_000 }, async () => {
  // The notice's link (its text names the console page)
  let link: string | undefined;
  await expect
    .poll(async () => {
      const notices = (await hub.call('GET', `/api/outbox?contractId=${ids.approval}`)).body.items as { body: string }[];
      return (link = notices.map((m) => /https?:\/\/[^\s"<>]+\/console\/contracts\/[^\s"<>]+/.exec(m.body)?.[0]).find(Boolean));
    }, { timeout: 20_000 })
    .toBeTruthy();
  const path = new URL(link!).pathname;
  expect(path).toBe(`/console/contracts/${ids.approval}`);

  const { page, problems } = await open({ ...phone, bypassCSP: true });
  await page.goto(hub.url + path);
  await signIn(page, 'manager');
  // After sign-in the page asked for is the one shown
  expect(new URL(page.url()).pathname).toBe(path);
  const approval = page.locator('[data-testid="approval"]');
  await expect.poll(() => approval.count()).toBe(1);
  expect(await approval.textContent()).toContain('部门经理审批');
  expect(await page.locator('#contract-title').textContent()).toContain('4500000002');
  await expect.poll(() => page.locator('[data-testid="documents"] li[data-preview] a').count()).toBeGreaterThan(0);
  // Nothing wider than the phone
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  const approve = await page.locator('[data-testid="approve"]').boundingBox();
  expect(approve!.height).toBeGreaterThanOrEqual(40); // a thumb can hit it
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'phone-approval');

  // Rejecting needs a reason; approving with a comment moves the contract on
  await page.click('[data-testid="reject"]');
  await expect.poll(() => approval.locator('[role="alert"]').textContent()).toContain('驳回时请填写意见');
  await page.fill('textarea[name="comment"]', '价格合理，同意采购');
  await page.click('[data-testid="approve"]');
  await expect.poll(() => approval.count(), { timeout: 20_000 }).toBe(0);
  expect(await page.locator('[data-testid="contract-notice"]').textContent()).toBe('已同意，谢谢');
  const contract = await hub.waitFor(ids.approval, (c) => c.steps[0].status === 'approved');
  expect(contract.steps[0].decisions[0]).toMatchObject({ decision: 'approve', comment: '价格合理，同意采购', userName: '王经理' });
  await expect.poll(() => page.locator('[data-testid="timeline"] li[data-type="decided"]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
  await shot(page, 'phone-approved');
  expect(problems).toEqual([]);
});

it('legal downloads evidence packages (证据包) from a contract page and for a ledger selection; a business user is not offered them', { timeout: 120_000 }, async () => {
  const legal = { name: '孙法务', login: 'sun.fw', password: 'Sun-legal-2025-证据', roles: ['legal'] };
  expect((await hub.call('POST', '/api/users', legal)).status).toBe(201);
  const { page, problems } = await open({ ...desktop, acceptDownloads: true });
  await page.goto(`${hub.url}/console/contracts/${ids.signing}`);
  await page.fill('input[name="login"]', legal.login);
  await page.fill('input[name="password"]', legal.password);
  await page.click('button[type="submit"]');
  await expect.poll(() => page.locator('[data-testid="user-name"]').textContent()).toBe(legal.name);
  const zipOf = async (click: () => Promise<unknown>) => {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    const zip = readFileSync((await download.path())!);
    // A zip whose central directory names the package's parts.
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    return { name: download.suggestedFilename(), zip };
  };
  await expect.poll(() => page.locator('[data-testid="evidence-package"]').textContent()).toBe('证据包（zip）');
  const one = await zipOf(() => page.click('[data-testid="evidence-package"]'));
  expect(one.name).toMatch(/^evidence-.*\.zip$/);
  for (const part of ['events.json', 'README.txt', 'verify_events.py', 'certificates/root.pem']) expect(one.zip.includes(Buffer.from(part))).toBe(true);

  await page.click('[data-testid="nav-ledger"]');
  await expect.poll(() => rows(page).count()).toBeGreaterThan(1);
  await page.check(`[data-testid="ledger-row"][data-id="${ids.signing}"] input[type="checkbox"]`);
  await page.check(`[data-testid="ledger-row"][data-id="${ids.approval}"] input[type="checkbox"]`);
  const selection = await zipOf(() => page.click('[data-testid="bulk-evidence"]'));
  expect(selection.name).toBe('evidence-packages.zip');
  for (const title of ['采购合同 4500000001', '采购合同 4500000002']) expect(selection.zip.includes(Buffer.from(`${title}/events.json`))).toBe(true); // a folder per contract, named by its title
  expect(problems).toEqual([]);

  // The clerk (business user) sees neither button: the hub would refuse them.
  const clerk = await open(desktop);
  await clerk.page.goto(`${hub.url}/console/contracts/${ids.signing}`);
  await signIn(clerk.page, 'clerk');
  await expect.poll(() => clerk.page.locator('[data-testid="signer"]').count()).toBeGreaterThan(0);
  expect(await clerk.page.locator('[data-testid="evidence-package"]').count()).toBe(0);
  await clerk.page.click('[data-testid="nav-ledger"]');
  await clerk.page.check(`[data-testid="ledger-row"][data-id="${ids.signing}"] input[type="checkbox"]`);
  await expect.poll(() => clerk.page.locator('[data-testid="bulk-zip"]').count()).toBe(1);
  expect(await clerk.page.locator('[data-testid="bulk-evidence"]').count()).toBe(0);
});

it('has no serious accessibility findings on the main screens, and works from the keyboard', { timeout: 120_000 }, async () => {
  const { page, problems } = await open({ ...desktop, bypassCSP: true });
  await page.goto(`${hub.url}/console`);
  await page.waitForSelector('input[name="login"]:focus');
  expect(await seriousViolations(page)).toEqual([]); // the sign-in page

  // Sign in with the keyboard alone
  await page.keyboard.type(people.clerk.login); // the login field has the focus
  await page.keyboard.press('Tab');
  await page.keyboard.type(people.clerk.password);
  await page.keyboard.press('Enter');
  await expect.poll(() => rows(page).count()).toBe(3);
  expect(await seriousViolations(page)).toEqual([]);

  // The status tabs are one tab stop; arrows move between them
  await page.focus('[role="tab"][aria-selected="true"]');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => page.getAttribute('[role="tab"][aria-selected="true"]', 'data-status')).toBe('in_approval');
  expect(await page.evaluate<string | null>(`document.activeElement.getAttribute('data-status')`)).toBe('in_approval');
  await page.keyboard.press('Home');
  await expect.poll(() => page.getAttribute('[role="tab"][aria-selected="true"]', 'data-status')).toBe('all');
  await expect.poll(() => rows(page).count()).toBe(3);

  // Tab to a contract's link and open it with Enter
  await page.locator(`[data-testid="ledger-row"][data-id="${ids.signing}"] a`).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('[data-testid="contract-page"]').count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);

  for (const screen of ['attention', 'stats'] as const) {
    await page.click(`[data-testid="nav-${screen}"]`);
    await expect.poll(() => page.locator(screen === 'stats' ? '[data-testid="stat-started"]' : '[data-testid="attention-expiringSoon"]').count(), { timeout: 15_000 }).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  }

  // Change the password; the new one signs in
  const next = 'Lina-新密码-2026';
  await page.click('a[href="/console/password"]');
  await page.fill('input[name="current"]', people.clerk.password);
  await page.fill('input[name="next"]', next);
  await page.fill('input[name="repeat"]', next);
  expect(await seriousViolations(page)).toEqual([]);
  await page.click('button[type="submit"]');
  await expect.poll(() => page.locator('[role="status"]').textContent()).toBe('密码已修改');
  await page.click('[data-testid="sign-out"]');
  await page.fill('input[name="login"]', people.clerk.login);
  await page.fill('input[name="password"]', next);
  await page.click('button[type="submit"]');
  await expect.poll(() => page.locator('[data-testid="user-name"]').textContent()).toBe(people.clerk.name);
  expect(problems).toEqual([]);
});

// Last: the failed contract would change the ledger's counts the tests above read.
it('tells of a contract that failed, with its reason, on the attention page in Chinese and English', { timeout: 120_000 }, async () => {
  await hub.publish(failingPlanFlow());
  const started = await hub.call('POST', '/api/contracts', failingPlanStart('PO-FAILED-1', 8800));
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  await hub.waitFor(started.body.id, (c) => c.status === 'failed');

  const { page, problems } = await open({ ...desktop, bypassCSP: true }); // for axe-core's script
  await page.goto(`${hub.url}/console/attention`);
  await signIn(page, 'finance');
  const failed = page.locator('[data-testid="attention-failed"]');
  await expect.poll(() => failed.locator('h2').textContent(), { timeout: 15_000 }).toBe('已失败 1');
  const item = failed.locator('li', { hasText: '采购合同 PO-FAILED-1' });
  expect(await item.textContent()).toContain(FAILING_PLAN_REASON);
  expect(await item.textContent()).toContain('8,800');
  expect(await item.locator('a').getAttribute('href')).toBe(`/console/contracts/${started.body.id}`);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'attention-failed');
  await page.click('[data-testid="language"]');
  await expect.poll(() => failed.locator('h2').textContent()).toBe('Failed 1');
  expect(problems).toEqual([]);
});
