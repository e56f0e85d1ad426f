// The flow designer (designer/, built by scripts/build-designer.mjs into designer/dist):
// its hashed assets are immutable, its page (and every deep link under /designer) is the
// built index.html under a strict Content-Security-Policy. It talks only to the REST API.
// The tracking console is the same build: /console and its deep links get the same page.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import express, { Router } from 'express';
import { AppError } from './errors';
import { defineRoute } from './route';
import { createLinkFonts, createWebfont, LINK_FONT_MAX_CHARACTERS, webfontCharacters } from './signer-page/webfont';

export const DESIGNER_DIST = fileURLToPath(new URL('../designer/dist', import.meta.url));
const YEAR = 365 * 24 * 3600;

export const designerContentSecurityPolicy = [
  "default-src 'none'",
  // No eval: the flow schema's validator is compiled at build time (designer/vite.config.ts).
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  // The template editor shows its PDF preview from a blob: URL in a frame.
  "frame-src blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const pageHeaders = {
  'Content-Security-Policy': designerContentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

/** What the app's webfont holds: the common hanzi and every character of the build's scripts. */
function buildCharacters(dist: string): string {
  const assets = join(dist, 'assets');
  const scripts = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f), 'utf8'));
  return webfontCharacters(scripts);
}

export const ConsoleFontQuery = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: LINK_FONT_MAX_CHARACTERS * 2, description: 'the characters the page shows (data: party names, titles); those the webfont lacks are cut' }) },
  { additionalProperties: false },
);

/**
 * The console shows data (a supplier in 深圳) whose rarer hanzi the webfont lacks; a machine
 * without a Chinese font would draw them as boxes. The page asks for the characters it shows
 * and gets a small font of those the webfont lacks (the signer page's per-link fonts), with
 * their unicode-range. Signed-in callers only: cutting a font costs tens of milliseconds.
 */
export function consoleFontRoute(options: { dist?: string } = {}) {
  const dist = options.dist ?? DESIGNER_DIST;
  let fonts: ReturnType<typeof createLinkFonts> | undefined;
  return defineRoute({
    method: 'get', path: '/api/console/font.woff2', tag: 'system', access: 'user', query: ConsoleFontQuery,
    summary: "A WOFF2 font of the given characters that the console's webfont lacks (rarer hanzi in names and titles); header Sealflow-Unicode-Range names them",
    responses: { 200: { description: 'the font', contentType: 'font/woff2' }, 204: { description: 'the webfont holds every character given' }, 503: { description: 'the app is not built' } },
    handler: async ({ query }) => {
      if (!existsSync(join(dist, 'index.html'))) throw new AppError('designer_not_built', 'The designer is not built: `npm start` builds it (or run node scripts/build-designer.mjs)', { status: 503 });
      fonts ??= createLinkFonts({ covered: buildCharacters(dist) });
      const font = await fonts.load(query.text);
      if (!font) return { status: 204, body: null };
      return { body: font.body, contentType: 'font/woff2', headers: { 'Sealflow-Unicode-Range': font.unicodeRange, 'Cache-Control': 'private, max-age=86400' } };
    },
  });
}

export function designerRouter(options: { dist?: string } = {}): Router {
  const dist = options.dist ?? DESIGNER_DIST;
  const router = Router();
  const built = () => existsSync(join(dist, 'index.html'));
  const notBuilt = () => new AppError('designer_not_built', 'The designer is not built: `npm start` builds it (or run node scripts/build-designer.mjs)', { status: 503 });

  // The page's Chinese needs a font the machine may lack: the signer page's webfont, cut
  // from the characters of this build's scripts, loaded on first use.
  let webfont: ReturnType<typeof createWebfont> | undefined;
  const font = () => (webfont ??= createWebfont({ characters: buildCharacters(dist) }));

  router.use(['/designer', '/console'], (_req, res, next) => {
    res.set(pageHeaders);
    next();
  });
  router.use('/designer/assets', (req, res, next) => (built() ? express.static(join(dist, 'assets'), { maxAge: YEAR * 1000, immutable: true, index: false, fallthrough: false })(req, res, next) : next(notBuilt())));
  router.get('/designer/font.css', (_req, res, next) => {
    if (!built()) return next(notBuilt());
    const { version } = font();
    void font().load().catch(() => undefined);
    res.type('text/css').set('Cache-Control', 'no-cache');
    res.send(`@font-face{font-family:'Sealflow Sans';src:url(/designer/font.woff2?v=${version}) format('woff2');font-display:swap}`);
  });
  router.get('/designer/font.woff2', async (req, res, next) => {
    try {
      const current = font();
      const { body, etag } = await current.load();
      res.type('font/woff2').set({ ETag: etag, 'Cache-Control': req.query.v === current.version ? `public, max-age=${YEAR}, immutable` : 'no-cache' });
      res.send(body);
    } catch (error) {
      next(error);
    }
  });
  router.get(['/designer', '/designer/{*rest}', '/console', '/console/{*rest}'], (_req, res, next) => {
    if (!built()) return next(notBuilt());
    res.type('html').set('Cache-Control', 'no-cache');
    res.send(readFileSync(join(dist, 'index.html')));
  });
  return router;
}
