// The signer's page: what a supplier (or employee) sees when they open their signing
// link. A static HTML shell, its page script and pdf.js; the page talks only to the
// signer API (/api/sign/:token…), which re-checks everything the page lets through.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import express, { Router, type Request, type Response } from 'express';
import { DEAD_LINK_WORDS, deadLinkPage } from './dead-link';
import { signerPageHtml, signerPageStyle } from './page';
import { createLinkFonts, createWebfont, type LinkFont, webfontCharacters } from './webfont';

const here = dirname(fileURLToPath(import.meta.url));
const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** A script served from memory, compressed once on first request, revalidated by its ETag. */
interface ScriptAsset {
  body: Buffer;
  etag: string;
  /** short content hash, used as `?v=` so a changed file gets a new URL */
  version: string;
  encoded: Map<'br' | 'gzip', Promise<Buffer>>;
}

function scriptAsset(path: string): ScriptAsset {
  const body = readFileSync(path);
  const digest = createHash('sha256').update(body).digest('base64url');
  return { body, etag: `"${digest.slice(0, 32)}"`, version: digest.slice(0, 12), encoded: new Map() };
}

const YEAR = 365 * 24 * 3600;

function sendScript(req: Request, res: Response, asset: ScriptAsset): void {
  res.type('text/javascript; charset=utf-8');
  // A URL carrying the content hash never changes meaning; a bare one is revalidated.
  res.set('Cache-Control', req.query.v === asset.version ? `public, max-age=${YEAR}, immutable` : 'public, max-age=0, must-revalidate');
  res.set('ETag', asset.etag);
  res.set('Vary', 'Accept-Encoding');
  res.set('X-Content-Type-Options', 'nosniff');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  const coding = req.acceptsEncodings('br', 'gzip', 'identity');
  if (coding !== 'br' && coding !== 'gzip') {
    res.send(asset.body);
    return;
  }
  let encoded = asset.encoded.get(coding);
  if (!encoded) {
    encoded = coding === 'br'
      ? brotli(asset.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: asset.body.length } })
      : gzipped(asset.body, { level: 9 });
    asset.encoded.set(coding, encoded);
  }
  encoded.then(
    (bytes) => {
      res.set('Content-Encoding', coding);
      res.send(bytes);
    },
    () => res.send(asset.body),
  );
}

export interface SignerPageOptions {
  /** where the page script lives; defaults to signer.js beside this file */
  scriptPath?: string;
  /**
   * Throws (an AppError with its status and message) when the link must not open: unknown,
   * expired, or its contract no longer signing. The page is then that message, not the app.
   */
  checkLink?: (token: string) => Promise<void>;
  /**
   * The text of a link's own data the page shows (title, sender, names, note); throws like
   * `checkLink` for a dead link. Without it the page has only the common-hanzi webfont.
   */
  linkText?: (token: string) => Promise<string>;
  /** The TrueType font the page's webfonts are cut from; defaults to Noto Sans SC Regular. */
  fontPath?: string;
}

/**
 * `GET /sign/:token` (the page) and `GET /sign/assets/*` (its script, pdf.js and pdf.js's
 * character maps and standard fonts). Mount it anywhere before the app's 404 handler;
 * it needs no body parser and no authentication (the token is the credential, checked by the API).
 */
export function signerPageRouter(options: SignerPageOptions = {}): Router {
  const pdfjsVersion = (JSON.parse(readFileSync(join(pdfjsRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const assets = {
    'signer.js': scriptAsset(options.scriptPath ?? join(here, 'signer.js')),
    'pdf.min.mjs': scriptAsset(join(pdfjsRoot, 'build/pdf.min.mjs')),
    'pdf.worker.min.mjs': scriptAsset(join(pdfjsRoot, 'build/pdf.worker.min.mjs')),
  };
  const url = (name: keyof typeof assets) => `/sign/assets/${name}?v=${assets[name].version}`;
  const pageTemplate = (font: string) => signerPageHtml({ font, script: '', pdfjs: '', pdfjsWorker: '', cMapUrl: '', standardFontDataUrl: '' });
  // Every character of the page's own words (its HTML and its script), plus the common hanzi of data.
  const characters = webfontCharacters([pageTemplate(''), assets['signer.js'].body.toString('utf8'), JSON.stringify(DEAD_LINK_WORDS)]);
  const webfont = createWebfont({ characters, fontPath: options.fontPath });
  const fontUrl = `/sign/assets/noto-sans-sc.woff2?v=${webfont.version}`;
  const linkFonts = createLinkFonts({ covered: characters, fontPath: options.fontPath });
  const style = signerPageStyle(fontUrl);
  const html = signerPageHtml({
    font: fontUrl,
    script: url('signer.js'),
    pdfjs: url('pdf.min.mjs'),
    pdfjsWorker: url('pdf.worker.min.mjs'),
    cMapUrl: `/sign/assets/pdfjs-${pdfjsVersion}/cmaps/`,
    standardFontDataUrl: `/sign/assets/pdfjs-${pdfjsVersion}/standard_fonts/`,
  });
  const styleHash = createHash('sha256').update(style).digest('base64');
  const contentSecurityPolicy = [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'sha256-${styleHash}'`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  const router = Router();
  router.get('/sign/assets/noto-sans-sc.woff2', async (req, res, next) => {
    let font: { body: Buffer; etag: string };
    try {
      font = await webfont.load();
    } catch (error) {
      return next(error);
    }
    res.type('font/woff2');
    // WOFF2 is already Brotli inside: sent as it is.
    res.set('Cache-Control', req.query.v === webfont.version ? `public, max-age=${YEAR}, immutable` : 'public, max-age=0, must-revalidate');
    res.set('ETag', font.etag);
    res.set('X-Content-Type-Options', 'nosniff');
    if (req.fresh) return void res.status(304).end();
    res.send(font.body);
  });
  // The link's own font (204 when the webfont covers its data); its URL holds the token, so no shared cache keeps it.
  router.get('/sign/:token/font.woff2', async (req, res, next) => {
    if (!options.linkText) return next();
    let font: LinkFont | null;
    try {
      font = await linkFonts.load(await options.linkText(req.params.token));
    } catch (error) {
      return next(error);
    }
    res.set({ 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff', 'X-Robots-Tag': 'noindex, nofollow' });
    if (!font) return void res.status(204).end();
    res.type('font/woff2');
    res.set('Sealflow-Unicode-Range', font.unicodeRange);
    res.send(font.body);
  });
  for (const name of Object.keys(assets) as (keyof typeof assets)[]) {
    router.get(`/sign/assets/${name}`, (req, res) => sendScript(req, res, assets[name]));
  }
  // Only needed by PDFs whose fonts are not embedded; the version in the path makes them immutable.
  const pdfjsData = { maxAge: YEAR * 1000, immutable: true, index: false, dotfiles: 'ignore', fallthrough: false } as const;
  router.use(`/sign/assets/pdfjs-${pdfjsVersion}/cmaps`, express.static(join(pdfjsRoot, 'cmaps'), pdfjsData));
  router.use(`/sign/assets/pdfjs-${pdfjsVersion}/standard_fonts`, express.static(join(pdfjsRoot, 'standard_fonts'), pdfjsData));

  router.get('/sign/:token', async (req, res, next) => {
    res.set({
      'Content-Type': 'text/html; charset=utf-8',
      // The page is the same for every token and holds nothing secret, but the URL does: keep it out of caches and referrers.
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'X-Robots-Tag': 'noindex, nofollow',
    });
    // The webfont takes a few seconds to cut the first time: start now, so it is ready when the page asks.
    webfont.load().catch(() => undefined);
    try {
      await options.checkLink?.(req.params.token);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (!(error instanceof Error) || typeof status !== 'number' || status >= 500) return next(error);
      // A dead link says why, in the page's own words, with no script to run.
      return res.status(status).send(deadLinkPage(error as { code?: string; details?: { path: string; message: string }[] }, style));
    }
    res.send(html);
  });
  return router;
}

// The browser app may serve the same webfont: one cut, one budget.
export { createWebfont, webfontCharacters, WEBFONT_BUDGET_BYTES } from './webfont';
