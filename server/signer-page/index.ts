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
import { signerPageHtml, signerPageStyle } from './page';

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
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

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
  const html = signerPageHtml({
    script: url('signer.js'),
    pdfjs: url('pdf.min.mjs'),
    pdfjsWorker: url('pdf.worker.min.mjs'),
    cMapUrl: `/sign/assets/pdfjs-${pdfjsVersion}/cmaps/`,
    standardFontDataUrl: `/sign/assets/pdfjs-${pdfjsVersion}/standard_fonts/`,
  });
  const styleHash = createHash('sha256').update(signerPageStyle).digest('base64');
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
    try {
      await options.checkLink?.(req.params.token);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (!(error instanceof Error) || typeof status !== 'number' || status >= 500) return next(error);
      // A dead link says why, in the page's own words, with no script to run.
      return res.status(status).send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sealflow</title></head><body><main><h1>签署链接不可用</h1><p>${escapeHtml(error.message)}</p></main></body></html>`);
    }
    res.send(html);
  });
  return router;
}
