// The flow designer (designer/, built by scripts/build-designer.mjs into designer/dist):
// its hashed assets are immutable, its page (and every deep link under /designer) is the
// built index.html under a strict Content-Security-Policy. It talks only to the REST API.
// The tracking console is the same build: /console and its deep links get the same page.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { AppError } from './errors';
import { createWebfont, webfontCharacters } from './signer-page/webfont';

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

export function designerRouter(options: { dist?: string } = {}): Router {
  const dist = options.dist ?? DESIGNER_DIST;
  const router = Router();
  const built = () => existsSync(join(dist, 'index.html'));
  const notBuilt = () => new AppError('designer_not_built', 'The designer is not built: `npm start` builds it (or run node scripts/build-designer.mjs)', { status: 503 });

  // The page's Chinese needs a font the machine may lack: the signer page's webfont, cut
  // from the characters of this build's scripts, loaded on first use.
  let webfont: ReturnType<typeof createWebfont> | undefined;
  const font = () => {
    if (!webfont) {
      const assets = join(dist, 'assets');
      const scripts = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f), 'utf8'));
      webfont = createWebfont({ characters: webfontCharacters(scripts) });
    }
    return webfont;
  };

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
