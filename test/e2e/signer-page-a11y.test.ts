// The signer page as a supplier meets it on a machine with no Chinese system font (this
// Debian Chromium has none: `fc-list :lang=zh` is empty, as on CI): legible in its own
// webfont on a phone and a desktop, usable with the keyboard alone, and free of serious
// accessibility faults by axe-core's scan. Everything goes through a real hub: a contract
// started on Temporal, approved, the buyer signed, the supplier's link from the outbox.
import { writeFileSync } from 'node:fs';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { screenshotPath, screenshotter, seriousViolations, startBrowserHub, stopBrowserHub } from '../support/e2e';
import { exampleFlow, exampleOrder, type TestHub } from '../support/hub';
import { approvedContract, codeFor, linkFor, signerCall } from '../support/signing';

const shot = screenshotter('signer-page');

let hub: TestHub;
let browser: Browser;
/** The supplier's link of a contract the buyer has signed: the supplier's turn. */
let supplierToken = '';
let contractId = '';
let mobile = '';

const viewports: { name: string; options: BrowserContextOptions }[] = [
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } },
  { name: 'desktop', options: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 } },
];

beforeAll(async () => {
  // The page script is built by Vite with the designer (designer/src/signer).
  ({ hub, browser } = await startBrowserHub());
}, 120_000);

/** The contract, started once by the first test that needs it (the outbox is polled, which only a test may do). */
let prepared: Promise<void> | undefined;
const prepare = () => (prepared ??= (async () => {
  const base = exampleFlow();
  // No company seal (it would need a signed-in seal user): the buyer signs over its link.
  await hub.publish({ ...base, signers: base.signers!.map(({ seal: _seal, ...signer }) => signer) } satisfies FlowDefinition);
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  mobile = order.data.supplier.mobile;
  contractId = await approvedContract(hub, { manager, finance }, { ...order, data: { ...order.data, supplier: { ...order.data.supplier, isNew: false } } });
  const buyer = await linkFor(hub, contractId, 'signer:buyer');
  expect((await signerCall(hub, buyer, '', { read: true })).status).toBe(200);
  // (The email carries the full link; the SMS a short one.)
  supplierToken = await linkFor(hub, contractId, order.data.supplier.email);
})());

afterAll(() => stopBrowserHub({ hub, browser }));

/** A page on a fresh context; script errors are collected. `bypassCSP` only where axe's script must be injected. */
async function open(options: BrowserContextOptions, path: () => string, { slowFont = false } = {}) {
  await prepare();
  const context = await browser.newContext(options);
  const page = await context.newPage();
  // A first visit on a slow line: the webfont arrives after the page has written its words.
  if (slowFont) await page.route('**/sign/assets/noto-sans-sc.woff2*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await route.continue();
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(hub.url + path());
  return { page, problems, close: () => context.close() };
}

const loaded = async (page: Page) => {
  await expect.poll(() => page.textContent('#contract-title'), { timeout: 30_000 }).toBe('采购合同 4500000001');
  const total = (await signerCall(hub, supplierToken)).body.documents.reduce((n: number, d: any) => n + d.pages, 0);
  await expect.poll(() => page.locator('canvas[data-page]').count(), { timeout: 30_000 }).toBe(total);
  await page.evaluate('document.fonts.ready.then(() => true)');
  return total as number;
};

/** Share of a PNG's pixels that clearly differ from its background, decoded by the page itself (this project's TypeScript has no DOM types). */
async function inkOf(page: Page, png: Buffer): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const image = new Image();
    image.src = 'data:image/png;base64,${png.toString('base64')}';
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    // Background is the commonest colour; ink is what clearly differs from it.
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) { const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2]; counts.set(key, (counts.get(key) ?? 0) + 1); }
    const background = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const [r, g, b] = [background >> 16, (background >> 8) & 255, background & 255];
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) > 120) ink++;
    return ink / (canvas.width * canvas.height);
  })()`);
}

/**
 * The text drawn in a fresh element (black on white, large) with a font-family: the page's
 * own stack, as a label has it, or a family no machine has (the fallback, which draws boxes here).
 */
async function rendered(page: Page, text: string, fontFamily: string): Promise<Buffer> {
  const id = `probe-${Math.random().toString(36).slice(2)}`;
  await page.evaluate(`(() => {
    const probe = document.createElement('span');
    probe.id = ${JSON.stringify(id)};
    probe.textContent = ${JSON.stringify(text)};
    Object.assign(probe.style, { position: 'fixed', left: '0', top: '0', zIndex: '1000', background: '#fff', color: '#000', fontSize: '40px', lineHeight: '1.4', padding: '4px', whiteSpace: 'nowrap', fontFamily: ${JSON.stringify(fontFamily)} });
    document.body.append(probe);
  })()`);
  await page.evaluate('document.fonts.ready.then(() => true)');
  const probe: Locator = page.locator(`#${id}`);
  const png = await probe.screenshot();
  await page.evaluate(`document.getElementById(${JSON.stringify(id)}).remove()`);
  return png;
}

describe.each(viewports)('the signer page on a $name screen, with no Chinese system font', ({ name, options }) => {
  it('draws its Chinese labels in its own webfont, not as boxes, and says who sent what, by when and who has signed', { timeout: 120_000 }, async () => {
    const { page, problems, close } = await open(options, () => `/sign/${supplierToken}`, { slowFont: true });
    try {
      await loaded(page);
      await expect.poll(() => page.evaluate<string>(`[...document.fonts].find((f) => f.family === 'Sealflow Noto Sans SC')?.status ?? 'none'`), { timeout: 20_000 }).toBe('loaded');
      // What the page says, from the real API.
      expect(await page.textContent('#sender-line')).toBe('上海启明智能制造有限公司 邀请您签署');
      expect(await page.textContent('#signer-line')).toBe('深圳市华强电子有限公司（企业）');
      expect(await page.textContent('#deadline')).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 .*前/);
      expect(await page.locator('#party-list li').allTextContents()).toEqual(['1. 上海启明智能制造有限公司已签署', '2. 深圳市华强电子有限公司（您）待签署']);
      expect(await page.textContent('#progress-count')).toMatch(/^\d+ \/ \d+ 页$/);
      expect(await page.textContent('#contract-title')).not.toContain(contractId);
      expect(await page.textContent('#reference')).toContain(contractId);
      // Where the supplier's seal goes: over each area the API reserves for it (one per document here).
      const areas = (await signerCall(hub, supplierToken)).body.documents.flatMap((d: any) => d.signatureAreas);
      expect(areas.length).toBeGreaterThan(0);
      expect(await page.locator('.sig-area').count()).toBe(areas.length);
      expect(await page.locator('.sig-area').first().textContent()).toBe('您的盖章位置');

      await page.locator('.sig-area').first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      await shot(page, `${name}-signature-area`);
      await page.evaluate('scrollTo(0, 0)');
      await page.waitForTimeout(200);
      await shot(page, `${name}-no-cjk-font`);

      // The page's font stack draws glyphs: ink, unlike a known-missing font's boxes, and one glyph per character.
      const stack = await page.evaluate<string>(`getComputedStyle(document.getElementById('contract-title')).fontFamily`);
      expect(stack).toContain('Sealflow Noto Sans SC');
      const missing = '"Sealflow Missing Font"';
      for (const label of ['确认签署', '签署进度', '阅读进度', '短信验证码', '深圳市华强电子有限公司']) {
        const own = await rendered(page, label, stack);
        const boxes = await rendered(page, label, missing);
        expect(await inkOf(page, own), label).toBeGreaterThan(0.02);
        expect(own.equals(boxes), label).toBe(false);
      }
      // Boxes look alike whatever the character; glyphs do not. The check sees the difference:
      expect((await rendered(page, '签', missing)).equals(await rendered(page, '署', missing))).toBe(true);
      expect((await rendered(page, '签', stack)).equals(await rendered(page, '署', stack))).toBe(false);
      // 圳 is not among the common hanzi: it comes from the link's own font.
      expect((await rendered(page, '圳', stack)).equals(await rendered(page, '圳', missing))).toBe(false);

      // And the words where the page laid them out (on a first visit, while the webfont was still on its way;
      // Chromium can keep the boxes of text laid out then): not what the known-missing font draws in their place.
      for (const selector of ['#contract-title', '#sender-line', '#signer-line', '#party-list li', '#status', '#sign-button', '.sig-area', '.doc h2', '#progress']) {
        const element = page.locator(selector).first();
        const inPlace = await element.screenshot();
        const setFont = (family: string) => page.evaluate(`document.querySelector(${JSON.stringify(selector)}).style.fontFamily = ${JSON.stringify(family)}`);
        await setFont(`${missing}, ${stack}`.replace(/"Sealflow Noto Sans SC",?|"Sealflow Link Font",?/g, '').replace(/,\s*$/, ''));
        const boxes = await element.screenshot();
        await setFont('');
        expect(await inkOf(page, inPlace), selector).toBeGreaterThan(0.01);
        if (inPlace.equals(boxes)) writeFileSync(screenshotPath(`boxes-${name}`), inPlace);
        expect(inPlace.equals(boxes), `${selector} draws boxes`).toBe(false);
      }
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('has no serious or critical accessibility violations (axe-core)', { timeout: 120_000 }, async () => {
    const { page, close } = await open({ ...options, bypassCSP: true }, () => `/sign/${supplierToken}`);
    try {
      await loaded(page);
      // pdf.js's text layer: the pages' words are text that screen readers and find-in-page reach.
      await expect.poll(() => page.locator('.textLayer').first().textContent(), { timeout: 20_000 }).toContain('采购合同');
      // What the accessibility tree (a screen reader) gets for the first page: the page, named, and its words; not the drawing.
      const firstPage = await page.locator('figure.page').first().ariaSnapshot();
      expect(firstPage).toMatch(/group ".* 第 1 \/ \d+ 页"/);
      expect(firstPage).toContain('采购合同');
      expect(firstPage).not.toContain('img');
      expect(await seriousViolations(page)).toEqual([]);
      // The decline dialog, open.
      await page.click('#decline-button');
      expect(await page.isVisible('#decline-reason')).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      expect(await page.isVisible('#decline-reason')).toBe(false);
      // Every control has a name a screen reader announces.
      const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('button, input, textarea, progress, a[href]')]
        .filter((el) => !el.closest('[hidden]') && el.getClientRects().length > 0)
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim()))
        .map((el) => el.id || el.outerHTML.slice(0, 60))`);
      expect(unnamed).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('the signer page with the keyboard alone', () => {
  it('reads every page, asks for the code, types it and signs without a mouse; then offers the signed copy', { timeout: 180_000 }, async () => {
    const { page, problems, close } = await open({ ...viewports[1]!.options, bypassCSP: true }, () => `/sign/${supplierToken}`);
    try {
      const total = await loaded(page);
      const documents = (await signerCall(hub, supplierToken)).body.documents.length;
      // Reading: the keys that scroll a page.
      for (let i = 0; i < 200 && (await page.locator('canvas[data-read="true"]').count()) < total; i++) {
        await page.keyboard.press('PageDown');
        await page.waitForTimeout(120);
      }
      await expect.poll(() => page.textContent('#progress-count'), { timeout: 10_000 }).toBe(`${total} / ${total} 页`);
      await page.keyboard.press('Control+Home');

      const focused = () => page.evaluate<string>('document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName');
      // The first Tab reaches the skip link; Enter takes focus to the signing panel.
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('skip');
      await page.keyboard.press('Enter');
      expect(await focused()).toBe('panel');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('otp-input');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('otp-button');
      // A visible focus ring on the focused control.
      expect(await page.evaluate<string>(`getComputedStyle(document.activeElement).outlineStyle`)).toBe('solid');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.textContent('#otp-hint'), { timeout: 15_000 }).toContain('138****8000');
      expect(await focused()).toBe('otp-input'); // the page puts the caret where the code goes
      await page.keyboard.type(await codeFor(hub, contractId, mobile));
      await page.keyboard.press('Tab'); // past the code button, disabled while it counts down
      expect(await focused()).toBe('sign-button');
      await page.keyboard.press('Space');

      await expect.poll(() => page.textContent('#status'), { timeout: 60_000 }).toContain('已签署');
      expect(await focused()).toBe('outcome'); // the confirmation is announced where the focus is
      expect(await page.textContent('#outcome')).toContain('签署成功');
      expect(await page.locator('#party-list li').last().textContent()).toContain('已签署');
      // The signed copy: one download per document (or, if every party is done already, where it will come from).
      await expect.poll(() => page.locator('#copy-list a[download], #copy-list li:not(:has(a))').count(), { timeout: 20_000 }).toBe(documents);
      const first = page.locator('#copy-list a[download]').first();
      if (await first.count()) {
        await first.focus();
        const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
        expect(download.suggestedFilename()).toMatch(/（已签署）\.pdf$/);
      }
      await shot(page, 'keyboard-signed');
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);

      // Every party signed: the link now says so in words, in the page's own font.
      await hub.waitFor(contractId, (c) => c.status === 'completed', 90_000);
      await page.reload();
      expect(await page.textContent('h1')).toContain('合同已签署完成');
      expect(await page.textContent('main')).toContain('下载链接');
      expect(await page.textContent('main')).not.toMatch(/link_closed|410/);
      await shot(page, 'completed');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await close();
    }
  });
});
