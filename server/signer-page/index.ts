// The signer's page: what a supplier (or employee) sees when they open their signing
// link. A static HTML shell, its page script (designer/src/signer, built by Vite with the
// designer) and pdf.js; the page talks only to the
// signer API (/api/sign/:token…), which re-checks everything the page lets through.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import express, { Router, type Request, type Response } from 'express';
import { AppError } from '../errors';
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
  /** The page script itself (tests); by default the Vite build's `assets/signer-<hash>.js` in `dist`. */
  scriptPath?: string;
  /** The designer's build, which holds the page script (designer/src/signer); defaults to designer/dist. */
  dist?: string;
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

/** Where `npm start` (scripts/build-designer.mjs) builds the designer, and with it the signer page script. */
export const SIGNER_PAGE_DIST = join(here, '../../designer/dist');

/** The built page script: the one `signer-<hash>.js` of the build's assets, or null before the build. */
export function builtSignerScript(dist = SIGNER_PAGE_DIST): string | null {
  try {
    const name = readdirSync(join(dist, 'assets')).find((file) => /^signer-[\w-]+\.js$/.test(file));
    return name ? join(dist, 'assets', name) : null;
  } catch {
    return null;
  }
}

const notBuilt = () => new AppError('designer_not_built', 'The signer page is not built: `npm start` builds it (or run node scripts/build-designer.mjs)', { status: 503 });

/**
 * `GET /sign/:token` (the page) and `GET /sign/assets/*` (its script, pdf.js and pdf.js's
 * character maps and standard fonts). Mount it anywhere before the app's 404 handler;
 * it needs no body parser and no authentication (the token is the credential, checked by the API).
 */
export function signerPageRouter(options: SignerPageOptions = {}): Router {
  const pdfjsVersion = (JSON.parse(readFileSync(join(pdfjsRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const pdfjsAssets = {
    'pdf.min.mjs': scriptAsset(join(pdfjsRoot, 'build/pdf.min.mjs')),
    'pdf.worker.min.mjs': scriptAsset(join(pdfjsRoot, 'build/pdf.worker.min.mjs')),
  };
  const pdfjsUrl = (name: keyof typeof pdfjsAssets) => `/sign/assets/${name}?v=${pdfjsAssets[name].version}`;
  const pageTemplate = (font: string) => signerPageHtml({ font, script: '', pdfjs: '', pdfjsWorker: '', cMapUrl: '', standardFontDataUrl: '' });

  /** Everything that follows from one build of the page script: its URL, the webfonts cut for its words, the page and its CSP. */
  const pageFor = (scriptPath: string | null) => {
    const script = scriptPath ? scriptAsset(scriptPath) : null;
    // Every character of the page's own words (its HTML and its script), plus the common hanzi of data.
    const characters = webfontCharacters([pageTemplate(''), script?.body.toString('utf8') ?? '', JSON.stringify(DEAD_LINK_WORDS)]);
    const webfont = createWebfont({ characters, fontPath: options.fontPath });
    const fontUrl = `/sign/assets/noto-sans-sc.woff2?v=${webfont.version}`;
    const style = signerPageStyle(fontUrl);
    const html = signerPageHtml({
      font: fontUrl,
      // Before the build the page still opens; its script answers 503 saying how to build it.
      script: script ? `/sign/assets/signer.js?v=${script.version}` : '/sign/assets/signer.js',
      pdfjs: pdfjsUrl('pdf.min.mjs'),
      pdfjsWorker: pdfjsUrl('pdf.worker.min.mjs'),
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
    return { scriptPath, script, webfont, linkFonts: createLinkFonts({ covered: characters, fontPath: options.fontPath }), style, html, contentSecurityPolicy };
  };
  // Rebuilt when the build's script changes (its name carries its hash), so a running hub follows `npm run build:designer`.
  // While a rebuild has emptied the build (no script for a moment), the script in memory goes on serving.
  let current = pageFor(options.scriptPath ?? builtSignerScript(options.dist));
  const page = () => {
    const scriptPath = options.scriptPath ?? builtSignerScript(options.dist);
    if (scriptPath && scriptPath !== current.scriptPath) current = pageFor(scriptPath);
    return current;
  };

  const router = Router();
  router.get('/sign/assets/noto-sans-sc.woff2', async (req, res, next) => {
    let font: { body: Buffer; etag: string };
    const { webfont } = page();
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
      font = await page().linkFonts.load(await options.linkText(req.params.token));
    } catch (error) {
      return next(error);
    }
    res.set({ 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff', 'X-Robots-Tag': 'noindex, nofollow' });
    if (!font) return void res.status(204).end();
    res.type('font/woff2');
    res.set('Sealflow-Unicode-Range', font.unicodeRange);
    res.send(font.body);
  });
  router.get('/sign/assets/signer.js', (req, res, next) => {
    const { script } = page();
    if (!script) return next(notBuilt());
    sendScript(req, res, script);
  });
  for (const name of Object.keys(pdfjsAssets) as (keyof typeof pdfjsAssets)[]) {
    router.get(`/sign/assets/${name}`, (req, res) => sendScript(req, res, pdfjsAssets[name]));
  }
  // Only needed by PDFs whose fonts are not embedded; the version in the path makes them immutable.
  const pdfjsData = { maxAge: YEAR * 1000, immutable: true, index: false, dotfiles: 'ignore', fallthrough: false } as const;
  router.use(`/sign/assets/pdfjs-${pdfjsVersion}/cmaps`, express.static(join(pdfjsRoot, 'cmaps'), pdfjsData));
  router.use(`/sign/assets/pdfjs-${pdfjsVersion}/standard_fonts`, express.static(join(pdfjsRoot, 'standard_fonts'), pdfjsData));

  router.get('/sign/:token', async (req, res, next) => {
    const { html, style, webfont, contentSecurityPolicy } = page();
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
