// The signer's page in a real browser: Debian's Chromium renders real template PDFs with
// the real pdf.js, on a phone and on a desktop screen.
//
// The page talks to the signer API (/api/sign/:token…). Until that API lands, this file
// serves a small in-memory stub of exactly that contract (`signerApiStub` below): it is
// scaffolding, the page is what is under test. A second test, through the real hub
// (a contract started on Temporal, the signing link taken from the dev outbox), will be
// added once the API exists.
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureDesignerBuilt } from '../../scripts/build-designer.mjs';
import { previewTemplate } from '../../templates';
import { signerPageRouter } from '../../server/signer-page';

// ------------------------------------------------------------------ the API stub

type LinkStatus = 'pending' | 'waiting' | 'signed' | 'declined' | 'closed';

interface StubDocument {
  id: string;
  title: string;
  pages: number;
  pdf: Uint8Array;
  signatureAreas: { page: number; x: number; y: number; width: number; height: number }[];
}

interface StubLink {
  contract: { id: string; title: string; sender: string | null; deadline: string | null };
  parties: { name: string; party: 'company' | 'person'; order: number; state: 'signed' | 'declined' | 'waiting'; you: boolean }[];
  signer: { id: string; name: string; party: 'company' | 'person'; prompt: string | null; mustRead: boolean; verify: 'none' | 'sms-otp' | 'face'; mobile: string | null };
  documents: StubDocument[];
  status: LinkStatus;
  read: Map<string, Set<number>>;
  otp: { code: string; expiresAt: number; sentAt: number; triesLeft: number } | null;
  otpSent: number;
  declineReason: string | null;
  signed: { otp: string | undefined; read: unknown } | null;
}

function signerApiStub(links: Map<string, StubLink>) {
  const router = express.Router();
  const fail = (res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    res.status(status).set(headers).json({ error: { code, message, details: [] } });
  const readMap = (link: StubLink) => Object.fromEntries(link.documents.map((d) => [d.id, [...(link.read.get(d.id) ?? [])].sort((a, b) => a - b)]));
  const complete = (link: StubLink) => link.documents.every((d) => (link.read.get(d.id)?.size ?? 0) === d.pages);
  const find = (req: Request, res: Response): StubLink | null => {
    const link = links.get(String(req.params.token));
    if (!link) fail(res, 404, 'link_not_found', 'No signing link with this token');
    return link ?? null;
  };

  router.get('/api/sign/:token', (req, res) => {
    const link = find(req, res);
    if (!link) return;
    res.json({
      contract: link.contract,
      signer: link.signer,
      parties: link.parties,
      documents: link.documents.map((d) => ({ id: d.id, title: d.title, pages: d.pages, url: `/api/sign/${req.params.token}/documents/${d.id}.pdf`, signatureAreas: d.signatureAreas })),
      status: link.status,
      read: readMap(link),
    });
  });
  router.get('/api/sign/:token/documents/:file', (req, res) => {
    const link = find(req, res);
    if (!link) return;
    const doc = link.documents.find((d) => `${d.id}.pdf` === req.params.file);
    if (!doc) return fail(res, 404, 'not_found', 'No such document');
    res.type('application/pdf').send(Buffer.from(doc.pdf));
  });
  router.post('/api/sign/:token/read', (req, res) => {
    const link = find(req, res);
    if (!link) return;
    if (link.status !== 'pending') return fail(res, 409, 'not_your_turn', 'Not your turn');
    const { document, page } = req.body as { document?: unknown; page?: unknown };
    const doc = link.documents.find((d) => d.id === document);
    if (!doc || !Number.isInteger(page) || (page as number) < 1 || (page as number) > doc.pages) return fail(res, 400, 'invalid_page', 'No such page');
    const pages = link.read.get(doc.id) ?? new Set<number>();
    pages.add(page as number);
    link.read.set(doc.id, pages);
    res.json({ read: readMap(link), complete: complete(link) });
  });
  router.post('/api/sign/:token/otp', (req, res) => {
    const link = find(req, res);
    if (!link) return;
    if (link.otp && Date.now() - link.otp.sentAt < 60_000) {
      const retryAfterSeconds = Math.ceil((60_000 - (Date.now() - link.otp.sentAt)) / 1000);
      return res.status(429).json({ error: { code: 'otp_rate_limited', message: `Wait ${retryAfterSeconds} s before asking for another code`, details: [{ path: '/', message: `retry after ${retryAfterSeconds} s` }] } });
    }
    link.otp = { code: String(randomInt(0, 1_000_000)).padStart(6, '0'), sentAt: Date.now(), expiresAt: Date.now() + 5 * 60_000, triesLeft: 5 };
    link.otpSent += 1;
    res.json({ sentTo: link.signer.mobile, expiresAt: new Date(link.otp.expiresAt).toISOString(), retryAfterSeconds: 60 });
  });
  router.post('/api/sign/:token', (req, res) => {
    const link = find(req, res);
    if (!link) return;
    if (link.status === 'signed') return fail(res, 409, 'already_signed', 'Already signed');
    if (link.status !== 'pending') return fail(res, 409, 'not_your_turn', 'Not your turn');
    const body = req.body as { otp?: string; read?: unknown };
    if (link.signer.mustRead && (body.read !== true || !complete(link))) return fail(res, 409, 'not_read', 'Every page must be read first');
    if (link.signer.verify === 'sms-otp') {
      if (!link.otp) return fail(res, 400, 'otp_invalid', 'No code was sent');
      if (link.otp.triesLeft <= 0) return fail(res, 429, 'otp_locked', 'Too many wrong codes');
      if (body.otp !== link.otp.code) {
        link.otp.triesLeft -= 1;
        return fail(res, 400, 'otp_invalid', `Wrong code, ${link.otp.triesLeft} tries left`);
      }
    }
    link.status = 'signed';
    link.signed = { otp: body.otp, read: body.read };
    res.json({ status: 'signed', contract: { status: 'signing' } });
  });
  router.post('/api/sign/:token/decline', (req, res) => {
    const link = find(req, res);
    if (!link) return;
    const reason = (req.body as { reason?: unknown }).reason;
    if (typeof reason !== 'string' || !reason.trim()) return fail(res, 400, 'invalid_body', 'reason is required');
    if (link.status !== 'pending') return fail(res, 409, 'not_your_turn', 'Not your turn');
    link.status = 'declined';
    link.declineReason = reason;
    res.json({ status: 'declined' });
  });
  return router;
}

// ------------------------------------------------------------------ fixtures

const links = new Map<string, StubLink>();
let documents: StubDocument[] = [];
let server: Server;
let base = '';
let browser: Browser;

function addLink(token: string, overrides: { status?: LinkStatus; signer?: Partial<StubLink['signer']> } = {}): StubLink {
  const link: StubLink = {
    contract: { id: 'c-4500000001', title: '采购合同 4500000001', sender: '上海远航机械有限公司', deadline: new Date(Date.now() + 5 * 24 * 3600_000).toISOString() },
    parties: [
      { name: '上海远航机械有限公司', party: 'company', order: 1, state: 'signed', you: false },
      { name: '深圳市华强电子有限公司', party: 'company', order: 2, state: 'waiting', you: true },
    ],
    signer: {
      id: 'supplier', name: '深圳市华强电子有限公司', party: 'company',
      prompt: '请仔细阅读采购合同和保密协议的每一页，确认无误后签署。\n如有疑问请联系采购部 王经理。',
      mustRead: true, verify: 'sms-otp', mobile: '138****8000', ...overrides.signer,
    },
    documents,
    status: overrides.status ?? 'pending',
    read: new Map(),
    otp: null,
    otpSent: 0,
    declineReason: null,
    signed: null,
  };
  links.set(token, link);
  return link;
}

beforeAll(async () => {
  // The page script is built by Vite with the designer (designer/src/signer).
  await ensureDesignerBuilt();
  const [contract, nda] = await Promise.all([previewTemplate('purchase-contract'), previewTemplate('nda')]);
  // The supplier's areas as the API gives them: pages from 1.
  const areasOf = (areas: typeof contract.signatureAreas, signer: string) => areas.filter((a) => a.signerId === signer).map(({ page, x, y, width, height }) => ({ page: page + 1, x, y, width, height }));
  documents = [
    { id: 'contract', title: '采购合同 4500000001', pages: contract.pages, pdf: contract.pdf, signatureAreas: areasOf(contract.signatureAreas, 'supplier') },
    { id: 'nda', title: '保密协议', pages: nda.pages, pdf: nda.pdf, signatureAreas: areasOf(nda.signatureAreas, 'recipient') },
  ];
  const app = express();
  app.use(express.json());
  // The link's own words, as the real session gives them, for the page's per-link font.
  app.use(signerPageRouter({ linkText: async (token) => { const link = links.get(token); if (!link) throw Object.assign(new Error('No signing link with this token'), { status: 404 }); return JSON.stringify([link.contract, link.parties, link.signer, link.documents.map((d) => d.title)]); } }));
  app.use(signerApiStub(links));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No route', details: [] } });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** A fresh page that collects script errors and console errors (CSP violations included), except the 4xx answers a test provokes on purpose. */
async function openPage(options: BrowserContextOptions, token: string): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${base}/sign/${token}`);
  return { page, problems, close: () => context.close() };
}

const totalPages = () => documents.reduce((sum, d) => sum + d.pages, 0);

/**
 * Per canvas: the share of pixels that are clearly not white, and its backing store's width
 * over its CSS width. (Browser-side code is passed as text: this project's TypeScript has no DOM types.)
 */
const canvasInk = (page: Page) =>
  page.evaluate<{ id: string; ink: number; backing: number }[]>(`
    [...document.querySelectorAll('canvas[data-page]')].map((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink++;
      return { id: canvas.dataset.document + ':' + canvas.dataset.page, ink: ink / (canvas.width * canvas.height), backing: canvas.width / canvas.getBoundingClientRect().width };
    })
  `);

const viewports: { name: string; options: BrowserContextOptions }[] = [
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true } },
  { name: 'desktop', options: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 } },
];

// ------------------------------------------------------------------ tests

describe('the signer page assets', () => {
  it('serves pdf.js, its worker and the page script as JavaScript with caching headers', async () => {
    const page = await (await fetch(`${base}/sign/some-token`)).text();
    const urls = [...page.matchAll(/(?:src|data-pdfjs|data-pdfjs-worker)="(\/sign\/assets\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(urls.map((u) => u.split('?')[0])).toEqual(['/sign/assets/signer.js', '/sign/assets/pdf.min.mjs', '/sign/assets/pdf.worker.min.mjs']);
    for (const url of urls) {
      const versioned = await fetch(base + url);
      expect(versioned.status).toBe(200);
      expect(versioned.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(versioned.headers.get('cache-control')).toContain('immutable');
      expect(versioned.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
      const bare = await fetch(base + url.split('?')[0], { headers: { 'accept-encoding': 'identity' } });
      expect(bare.headers.get('cache-control')).toContain('must-revalidate');
      // (fetch adds `cache-control: no-cache` to conditional requests unless told otherwise; a browser's revalidation sends max-age=0)
      const again = await fetch(base + url.split('?')[0], { headers: { 'if-none-match': bare.headers.get('etag')!, 'cache-control': 'max-age=0' } });
      expect(again.status).toBe(304);
    }
  });

  it('serves the page script built by Vite with the designer, small for a phone (≤ 16 KB gzip)', async () => {
    const page = await (await fetch(`${base}/sign/some-token`)).text();
    const url = /src="(\/sign\/assets\/signer\.js\?v=[^"]+)"/.exec(page)![1]!;
    const script = await fetch(base + url, { headers: { 'accept-encoding': 'gzip' } });
    const gzipBytes = Number(script.headers.get('content-length') ?? (await script.clone().arrayBuffer()).byteLength);
    const text = await script.text();
    // A standalone module: no import of another chunk (it is served from /sign/assets, not beside the designer's chunks).
    expect(text).not.toMatch(/^import |from"\.\//m);
    expect(text).toContain('pdfjsWorker');
    expect(gzipBytes).toBeGreaterThan(1000);
    expect(gzipBytes).toBeLessThanOrEqual(16 * 1024);
  });

  it('serves its own CJK webfont (WOFF2, within 1 MB, cached for a year by its versioned URL) and a per-link font for rarer hanzi', { timeout: 60_000 }, async () => {
    const html = await (await fetch(`${base}/sign/some-token`)).text();
    const url = /@font-face \{[^}]*url\("(\/sign\/assets\/noto-sans-sc\.woff2\?v=[^"]+)"\)[^}]*font-display: swap/.exec(html)?.[1];
    expect(url).toBeTruthy();
    const font = await fetch(base + url);
    expect(font.status).toBe(200);
    expect(font.headers.get('content-type')).toBe('font/woff2');
    expect(font.headers.get('cache-control')).toContain('immutable');
    const bytes = Buffer.from(await font.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('wOF2');
    expect(bytes.length).toBeLessThanOrEqual(1_000_000);
    const again = await fetch(base + url, { headers: { 'if-none-match': font.headers.get('etag')!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);

    addLink('font-link'); // the supplier is in 深圳: 圳 is not among the common hanzi
    const linkFont = await fetch(`${base}/sign/font-link/font.woff2`);
    expect(linkFont.status).toBe(200);
    expect(linkFont.headers.get('sealflow-unicode-range')).toBe('U+5733');
    expect(linkFont.headers.get('cache-control')).toContain('no-store');
    expect((await fetch(`${base}/sign/no-such-token/font.woff2`)).status).toBe(404);
  });

  it('sends the page with a strict content security policy and no referrer', async () => {
    const response = await fetch(`${base}/sign/some-token`);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
  });
});

describe.each(viewports)('the signer page on a $name screen', ({ name, options }) => {
  it('renders every page, enables signing only after every page was read and a code typed, then signs', async () => {
    const token = `sign-${name}`;
    const link = addLink(token);
    const { page, problems, close } = await openPage(options, token);
    try {
      await expect.poll(() => page.locator('canvas[data-page]').count(), { timeout: 20_000 }).toBe(totalPages());
      await expect.poll(() => page.textContent('#contract-title')).toBe('采购合同 4500000001');
      expect(await page.textContent('#prompt-text')).toContain('如有疑问请联系采购部');
      expect(await page.locator('figcaption').first().textContent()).toContain(`第 1 / ${documents[0]!.pages} 页`);
      expect(await page.isDisabled('#sign-button')).toBe(true);
      expect(await page.textContent('#status')).toContain('请阅读全部页面后签署');

      // Scroll down step by step, as a reader would; signing stays disabled until the last page is in view.
      const step = Math.round((options.viewport!.height) * 0.45);
      for (let i = 0; i < 200; i++) {
        const read = await page.locator('canvas[data-read="true"]').count();
        if (read === totalPages()) break;
        expect(await page.isDisabled('#sign-button')).toBe(true);
        await page.mouse.wheel(0, step);
        await page.waitForTimeout(120);
      }
      await expect.poll(() => page.locator('canvas[data-read="true"]').count(), { timeout: 10_000 }).toBe(totalPages());
      expect(Object.fromEntries([...link.read].map(([doc, pages]) => [doc, [...pages].sort((a, b) => a - b)]))).toEqual(
        Object.fromEntries(documents.map((d) => [d.id, Array.from({ length: d.pages }, (_, i) => i + 1)])),
      );
      expect(await page.textContent('#progress-count')).toBe(`${totalPages()} / ${totalPages()} 页`);

      // Every page was drawn by pdf.js, sharp for the screen's pixel ratio.
      const ink = await canvasInk(page);
      expect(ink).toHaveLength(totalPages());
      for (const canvas of ink) {
        expect(canvas.ink, canvas.id).toBeGreaterThan(0.001); // a blank canvas has none; the sparsest page (signature block) about 0.5 %
        expect(canvas.backing, canvas.id).toBeGreaterThan(options.deviceScaleFactor! * 0.95);
      }

      // Everything read but no code yet: still disabled.
      expect(await page.isDisabled('#sign-button')).toBe(true);
      expect(await page.textContent('#status')).toContain('6 位短信验证码');
      await page.click('#otp-button');
      await expect.poll(() => page.textContent('#otp-hint')).toContain('138****8000');
      expect(await page.isDisabled('#otp-button')).toBe(true);
      expect(await page.textContent('#otp-button')).toMatch(/\(\d+s\)/);
      expect(link.otpSent).toBe(1);

      await page.evaluate('scrollTo(0, 0)');
      await page.evaluate('document.fonts.ready.then(() => true)');
      await page.waitForTimeout(300);
      await page.screenshot({ path: fileURLToPath(new URL(`../../.cache/screenshots/signer-page-${name}.png`, import.meta.url)) });

      const wrong = link.otp!.code === '000000' ? '111111' : '000000';
      await page.fill('#otp-input', wrong);
      expect(await page.isEnabled('#sign-button')).toBe(true);
      await page.click('#sign-button');
      await expect.poll(() => page.textContent('#alert')).toContain('验证码不正确');
      expect(await page.textContent('#alert')).toContain('4 tries left');
      expect(link.status).toBe('pending');
      expect(await page.isDisabled('#sign-button')).toBe(true); // the wrong code was cleared

      await page.fill('#otp-input', link.otp!.code);
      await page.click('#sign-button');
      await expect.poll(() => page.textContent('#status')).toContain('已签署');
      expect(link.signed).toEqual({ otp: link.otp!.code, read: true });
      expect(await page.textContent('#outcome')).toContain('已签署');
      expect(await page.textContent('#alert')).toBe('');
      expect(await page.isDisabled('#sign-button')).toBe(true);
      expect(await page.isDisabled('#otp-input')).toBe(true);
      expect(await page.isDisabled('#decline-button')).toBe(true);
      await page.evaluate('scrollTo(0, 0)');
      await page.screenshot({ path: fileURLToPath(new URL(`../../.cache/screenshots/signer-page-${name}-signed.png`, import.meta.url)) });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('declines with a reason, and refuses an empty one', async () => {
    const token = `decline-${name}`;
    const link = addLink(token, { signer: { verify: 'none', mustRead: false } });
    const { page, problems, close } = await openPage(options, token);
    try {
      await expect.poll(() => page.textContent('#status')).toContain('可以签署了');
      await page.click('#decline-button');
      expect(await page.isVisible('#decline-reason')).toBe(true);
      await page.click('#decline-submit');
      expect(await page.textContent('#decline-alert')).toContain('请填写拒签原因');
      expect(link.status).toBe('pending');
      await page.fill('#decline-reason', '价格条款与报价单不一致');
      await page.click('#decline-submit');
      await expect.poll(() => page.textContent('#status')).toContain('已拒绝签署');
      expect(link.declineReason).toBe('价格条款与报价单不一致');
      expect(await page.isVisible('#decline-reason')).toBe(false);
      expect(await page.isVisible('#sign-button')).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('a hub whose app is not built yet', () => {
  it('still opens the page, and its script says how to build it (503) instead of a missing file', async () => {
    const app = express();
    app.use(signerPageRouter({ dist: fileURLToPath(new URL('../../.cache/no-such-build', import.meta.url)) }));
    app.use(((error, _req, res, _next) => res.status(error.status ?? 500).json({ error: { code: error.code, message: error.message } })) as express.ErrorRequestHandler);
    const unbuilt = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => unbuilt.once('listening', () => resolve()));
    try {
      const at = `http://127.0.0.1:${(unbuilt.address() as AddressInfo).port}`;
      const page = await fetch(`${at}/sign/some-token`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('src="/sign/assets/signer.js"');
      const script = await fetch(`${at}/sign/assets/signer.js`);
      expect(script.status).toBe(503);
      expect(((await script.json()) as { error: unknown }).error).toMatchObject({ code: 'designer_not_built', message: expect.stringContaining('npm start') });
    } finally {
      await new Promise((resolve) => unbuilt.close(resolve));
    }
  });
});

describe('a signing link that no longer opens', () => {
  it('says why in words, never as an error code: signed by all, cancelled, declined, past its deadline, expired', async () => {
    const reasons: Record<string, { code: string; status?: string }> = {
      completed: { code: 'link_closed', status: 'completed' },
      cancelled: { code: 'link_closed', status: 'cancelled' },
      declined: { code: 'link_closed', status: 'declined' },
      deadline: { code: 'link_closed', status: 'expired' },
      old: { code: 'link_expired' },
    };
    const app = express();
    app.use(signerPageRouter({
      checkLink: async (token) => {
        const reason = reasons[token]!;
        throw Object.assign(new Error('This signing link no longer works'), { status: 410, code: reason.code, details: reason.status ? [{ path: '/contract/status', message: reason.status }] : [] });
      },
    }));
    const dead = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => dead.once('listening', () => resolve()));
    try {
      const words: Record<string, string> = {};
      for (const token of Object.keys(reasons)) {
        const response = await fetch(`http://127.0.0.1:${(dead.address() as AddressInfo).port}/sign/${token}`);
        expect(response.status).toBe(410);
        const html = await response.text();
        expect(html).not.toMatch(/link_closed|link_expired|410|no longer works/);
        words[token] = /<h1 class="big">([^<]+)/.exec(html)![1]!.trim();
      }
      expect(words).toEqual({ completed: '合同已签署完成', cancelled: '合同已撤销', declined: '合同已被拒签', deadline: '合同已过签署截止时间', old: '签署链接已过期' });
    } finally {
      await new Promise((resolve) => dead.close(resolve));
    }
  });
});

describe('the signer page when the link cannot be signed now', () => {
  const desktop = viewports[1]!.options;

  it('says when it is not the signer’s turn yet, shows the documents and records nothing', async () => {
    const link = addLink('waiting', { status: 'waiting' });
    const { page, problems, close } = await openPage(desktop, 'waiting');
    try {
      await expect.poll(() => page.textContent('#status')).toContain('还未轮到您签署');
      await expect.poll(() => page.locator('canvas[data-page]').count(), { timeout: 20_000 }).toBe(totalPages());
      await page.mouse.wheel(0, 3000);
      await page.waitForTimeout(300);
      expect(link.read.size).toBe(0);
      expect(await page.isDisabled('#sign-button')).toBe(true);
      expect(await page.isVisible('#decline-button')).toBe(false);

      // The earlier signers finish: refresh, and the page becomes signable.
      link.status = 'pending';
      await page.click('#refresh-button');
      await expect.poll(() => page.textContent('#status')).toContain('请阅读全部页面后签署');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows a refused code request and counts down the wait the server asked for', async () => {
    const link = addLink('rate-limited');
    link.otp = { code: '123456', sentAt: Date.now() - 15_000, expiresAt: Date.now() + 60_000, triesLeft: 5 };
    const { page, problems, close } = await openPage(desktop, 'rate-limited');
    try {
      await expect.poll(() => page.isVisible('#otp-button')).toBe(true);
      await page.click('#otp-button');
      await expect.poll(() => page.textContent('#alert')).toContain('获取验证码过于频繁');
      expect(await page.isDisabled('#otp-button')).toBe(true);
      expect(await page.textContent('#otp-button')).toMatch(/\((4[0-5])s\)/);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('says a closed contract is no longer open for signing', async () => {
    addLink('closed', { status: 'closed' });
    const { page, problems, close } = await openPage(desktop, 'closed');
    try {
      await expect.poll(() => page.textContent('#status')).toContain('此合同已不再开放签署');
      expect(await page.textContent('#outcome')).toContain('不再开放签署');
      expect(await page.locator('canvas[data-page]').count()).toBe(0);
      expect(await page.isVisible('#sign-button')).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('says an unknown link is not valid', async () => {
    const { page, close } = await openPage(desktop, 'no-such-token');
    try {
      await expect.poll(() => page.textContent('#outcome')).toContain('签署链接无效');
      expect(await page.textContent('#status')).toContain('链接无效');
      expect(await page.isVisible('#sign-button')).toBe(false);
    } finally {
      await close();
    }
  });
});
