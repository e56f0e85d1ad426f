// The signer page's own CJK webfont. A phone or PC without a Chinese system font (a stock
// Debian Chromium, some kiosks) would otherwise draw every Chinese word of the page as a
// box; only the PDF, which embeds its font, would be legible. So the page serves a WOFF2
// subset of the Noto Sans SC the project already ships: every character of the page's own
// interface, plus the 3,755 common hanzi of GB 2312 level 1 for what comes from data
// (titles, party names, the sender's note). About 0.6 MB, built once on first use in a
// worker thread, kept in memory, cached by browsers for a year under a versioned URL.
// A rarer hanzi in a link's own data (深圳's 圳) comes from a few-KB font per link.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { DEFAULT_FONT_FILES } from '../../templates';

/** Noto Sans SC Regular: the very file the contracts are typeset with. */
export const NOTO_SANS_SC_PATH = DEFAULT_FONT_FILES.regular;

/** The budget the subset must stay within (checked by its test): a phone on a slow line loads it once. */
export const WEBFONT_BUDGET_BYTES = 1_000_000;

/** The 3,755 level-1 hanzi of GB 2312 (rows 16–55), the characters of everyday Chinese text. */
export function commonHanzi(): string {
  const gb = new TextDecoder('gb18030');
  let text = '';
  for (let row = 0xb0; row <= 0xd7; row++) {
    for (let cell = 0xa1; cell <= 0xfe; cell++) {
      const character = gb.decode(new Uint8Array([row, cell]));
      if (/^\p{Script=Han}$/u.test(character)) text += character;
    }
  }
  return text;
}

const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const CJK_PUNCTUATION = '，。、：；！？（）《》〈〉「」『』【】“”‘’…—–·￥％＋－×÷～ ✓✗→←↑↓●○';

/** Every distinct character the subset holds: ASCII, CJK punctuation, common hanzi and whatever non-ASCII the given interface sources use. */
export function webfontCharacters(interfaceSources: string[]): string {
  const used = interfaceSources.join('').replace(/[\x00-\x7f]/g, '');
  return [...new Set(PRINTABLE_ASCII + CJK_PUNCTUATION + commonHanzi() + used)].sort().join('');
}

/** A WOFF2 subset of the font holding `text`'s characters, cut in a worker thread (HarfBuzz is synchronous WebAssembly). */
export function subsetWoff2(options: { text: string; fontPath?: string }): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const worker = new Worker(new URL('./webfont-worker.mjs', import.meta.url), { workerData: { fontPath: options.fontPath ?? NOTO_SANS_SC_PATH, text: options.text }, stdout: false, stderr: false });
    worker.once('message', (bytes: Uint8Array) => {
      resolve(Buffer.from(bytes));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the webfont worker stopped (exit ${code}) before it answered`)));
  });
}

const etagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

export interface Webfont {
  /** Changes when the characters or the font change: the `?v=` of the font's URL. */
  version: string;
  /** The WOFF2 bytes and their ETag; built on the first call, the same promise after. */
  load(): Promise<{ body: Buffer; etag: string }>;
}

export function createWebfont(options: { characters: string; fontPath?: string }): Webfont {
  const fontPath = options.fontPath ?? NOTO_SANS_SC_PATH;
  // The characters and which font file (its path and size): known without reading 10 MB.
  const version = createHash('sha256').update(options.characters).update(`${fontPath}:${statSync(fontPath).size}`).digest('base64url').slice(0, 12);
  let built: Promise<{ body: Buffer; etag: string }> | undefined;
  return {
    version,
    load() {
      // A failed build is not cached: the next request tries again.
      built ??= subsetWoff2({ text: options.characters, fontPath }).then(
        (body) => ({ body, etag: etagOf(body) }),
        (error: unknown) => {
          built = undefined;
          throw error;
        },
      );
      return built;
    },
  };
}

/** At most this many distinct characters of a link's data go into its font (titles and names are short). */
export const LINK_FONT_MAX_CHARACTERS = 500;

/** A link's font: only the characters the page's webfont lacks, and those as a CSS unicode-range. */
export interface LinkFont {
  body: Buffer;
  unicodeRange: string;
}

/**
 * Fonts for what comes from a link's data (the contract's title, the parties' names, the
 * sender's note) that the common set lacks (圳, 珺, 琇…), so that none turns into a box.
 * A few KB each, cut in tens of milliseconds, kept for the most recent texts. The page
 * gives the face exactly its unicode-range, so it never stands in for the main webfont.
 */
export function createLinkFonts(options: { covered: string; fontPath?: string; keep?: number }) {
  const keep = options.keep ?? 200;
  const covered = new Set(options.covered);
  const cache = new Map<string, Promise<LinkFont>>();
  return {
    /** null when the main webfont already holds every character of `text`. */
    async load(text: string): Promise<LinkFont | null> {
      const characters = [...new Set(text)].filter((c) => !covered.has(c) && /[^\p{Cc}\p{Cs}\s]/u.test(c)).sort().slice(0, LINK_FONT_MAX_CHARACTERS).join('');
      if (!characters) return null;
      let font = cache.get(characters);
      if (font) {
        // Most recently used last: a Map iterates in insertion order.
        cache.delete(characters);
      } else {
        const unicodeRange = [...characters].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`).join(', ');
        font = subsetWoff2({ text: characters, fontPath: options.fontPath }).then((body) => ({ body, unicodeRange }));
        font.catch(() => cache.delete(characters));
      }
      cache.set(characters, font);
      while (cache.size > keep) cache.delete(cache.keys().next().value!);
      return font;
    },
  };
}
