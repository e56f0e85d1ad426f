// Builds the designer (designer/ → designer/dist) when the build is missing or stale, and
// prints what a browser downloads on first load. `npm start` and `npm test` run it; it does
// nothing when the stamp in designer/dist matches the hash of the sources it was built from.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = fileURLToPath(new URL('..', import.meta.url));
const designer = join(repo, 'designer');
const dist = join(designer, 'dist');
const stampFile = join(dist, '.build-stamp');
/** What the first load of /designer may weigh, gzip-compressed (issue #10). */
export const INITIAL_LOAD_BUDGET = 600 * 1024;

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (!entry.name.endsWith('.test.ts')) files.push(path);
  }
  return files;
}

/** The hash of everything the bundle is made from: the app, flows/ and the locked dependencies. */
export function sourceHash() {
  const hash = createHash('sha256');
  const files = [...sourceFiles(designer), ...sourceFiles(join(repo, 'flows')), join(repo, 'examples', 'supplier-purchase.flow.json'), join(repo, 'package-lock.json')].sort();
  for (const file of files) hash.update(relative(repo, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Gzip bytes of index.html and every script and stylesheet it loads before the app runs. */
export function initialLoadBytes() {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/designer\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  let total = gzipSync(html).length;
  for (const asset of new Set(assets)) total += gzipSync(readFileSync(join(dist, asset))).length;
  return total;
}

export function designerIsFresh() {
  return existsSync(stampFile) && existsSync(join(dist, 'index.html')) && readFileSync(stampFile, 'utf8').trim() === sourceHash();
}

/** Builds when missing or stale; returns the initial load in gzip bytes. */
export async function ensureDesignerBuilt({ log = (m) => console.log(`[designer] ${m}`), force = false } = {}) {
  if (!force && designerIsFresh()) return initialLoadBytes();
  const started = Date.now();
  const hash = sourceHash();
  const { build } = await import('vite');
  // Vite follows NODE_ENV: under vitest ('test') React would be bundled in its development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(designer, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(stampFile, hash + '\n');
  const bytes = initialLoadBytes();
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s; initial load ${(bytes / 1024).toFixed(0)} KB gzip (budget ${INITIAL_LOAD_BUDGET / 1024} KB)`);
  if (bytes > INITIAL_LOAD_BUDGET) throw new Error(`the designer's initial load is ${(bytes / 1024).toFixed(0)} KB gzip, over its ${INITIAL_LOAD_BUDGET / 1024} KB budget`);
  return bytes;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureDesignerBuilt({ force: process.argv.includes('--force') }).then(
    (bytes) => console.log(`[designer] up to date: initial load ${(bytes / 1024).toFixed(0)} KB gzip`),
    (error) => {
      console.error(`[designer] ${error.message}`);
      process.exit(1);
    },
  );
}
