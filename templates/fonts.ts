// Fonts for contracts: Noto Sans SC (OFL) Regular and Bold from @expo-google-fonts.
// Layout measures with the full font's metrics (hmtx), so measuring never waits for a
// subset. Each document then embeds a HarfBuzz subset holding exactly the characters it
// draws, embedded by pdf-lib with `subset: false`. pdf-lib's own subsetting (fontkit)
// yields Noto Sans SC glyphs that extract as text but render blank; HarfBuzz's subset
// renders every glyph and keeps a one-page contract in the tens of kilobytes.
// Layout tables (GSUB/GPOS/GDEF) are dropped from the subset: pdf-lib draws one glyph per
// character with its hmtx advance, which is what the layout measured, and no substitution
// can make a drawn line wider than its measured width.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { createRequire } from 'node:module';
import * as fontkitModule from '@pdf-lib/fontkit';
import type { Font } from '@pdf-lib/fontkit';

export type FontWeight = 'regular' | 'bold';

type SubsetFont = (font: Buffer, text: string, options: { targetFormat: 'truetype'; noHinting?: boolean; noLayoutClosure?: boolean; dropTables?: readonly string[] }) => Promise<Buffer>;

type Fontkit = typeof fontkitModule;
// The typings declare named exports, but Node (CommonJS build) and bundlers (ES build)
// both find the API on the default export.
export const fontkit: Fontkit = (fontkitModule as unknown as { default?: Fontkit }).default ?? fontkitModule;

const require = createRequire(import.meta.url);
// subset-font is CommonJS without types; loaded on first subset so that importing this
// module (to list templates, say) never instantiates HarfBuzz.
let subsetFontModule: SubsetFont | undefined;
function subsetFont(): SubsetFont {
  return (subsetFontModule ??= require('subset-font') as SubsetFont);
}

export const DEFAULT_FONT_FILES: Record<FontWeight, string> = {
  regular: require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
};

/** Metrics of one weight, in em (multiply by the font size for points). */
export interface FontFace {
  readonly weight: FontWeight;
  readonly postscriptName: string;
  /** height above the baseline, em */
  readonly ascent: number;
  /** depth below the baseline, em (positive) */
  readonly descent: number;
  advance(char: string): number;
  has(char: string): boolean;
}

/** A document's font: the subset program plus what the PDF font dictionaries need. */
export interface FontSubset {
  /** TrueType bytes holding only the glyphs of the document */
  bytes: Uint8Array;
  /** PDF subset name, e.g. "KQXBAF+NotoSansSC-Regular": a tag derived from the character set */
  name: string;
  /** glyph id in the subset and advance width in 1/1000 em, by character */
  glyphs: Map<string, { id: number; width: number }>;
  /** font bounding box and vertical metrics in 1/1000 em */
  bbox: [number, number, number, number];
  ascent: number;
  descent: number;
  capHeight: number;
}

export interface FontLibraryOptions {
  files?: Partial<Record<FontWeight, string>>;
  /** how many (weight, character set) subsets to keep; 0 disables the cache */
  subsetCacheSize?: number;
}

interface LoadedFont {
  /** a Buffer, not a bare Uint8Array: subset-font sniffs the format with Buffer methods */
  bytes: Buffer;
  face: FontFace;
}

/** The characters almost every Chinese contract is written with, and the font cut down to them. */
interface CommonSubset {
  chars: Set<string>;
  bytes: Buffer;
}

const SUBSET_OPTIONS = {
  targetFormat: 'truetype',
  noHinting: true,
  noLayoutClosure: true,
  dropTables: ['GSUB', 'GPOS', 'GDEF', 'BASE', 'STAT', 'vhea', 'vmtx'],
} as const;

const COMMON_RANGES: [number, number][] = [
  [0x20, 0x24f], // Latin, Latin-1 (¥ × ± µ), Latin Extended
  [0x370, 0x3ff], // Greek (Ω, µ)
  [0x2000, 0x20cf], // general punctuation (“ ” …), currency (€)
  [0x2100, 0x22ff], // letterlike (℃ №), number forms (Ⅻ), arrows, mathematical operators (≤ ≥)
  [0x2460, 0x24ff], // enclosed numbers ①
  [0x25a0, 0x25ff], // geometric shapes ■ □
  [0x3000, 0x303f], // CJK punctuation 、。《》
  [0xff00, 0xffef], // full-width forms （）：
];

/** GB 2312 (its 6763 hanzi and symbols) plus the ranges above, or null without ICU's GBK decoder. */
function commonCharacters(): Set<string> | null {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder('gbk');
  } catch {
    return null;
  }
  const chars = new Set<string>();
  for (let high = 0xa1; high <= 0xf7; high++) {
    for (let low = 0xa1; low <= 0xfe; low++) {
      const char = decoder.decode(new Uint8Array([high, low]));
      if (char.length === 1 && char !== '\ufffd') chars.add(char);
    }
  }
  for (const [from, to] of COMMON_RANGES) for (let codePoint = from; codePoint <= to; codePoint++) chars.add(String.fromCodePoint(codePoint));
  return chars;
}

function faceOf(weight: FontWeight, font: Font): FontFace {
  const scale = 1 / font.unitsPerEm;
  const advances = new Map<string, number>();
  // Every character of a contract's data and layout is checked, each time it is rendered;
  // fontkit looks each one up in the cmap again. Only drawable ones are kept, so the set is
  // bounded by the font's own coverage (a missing character is an error path, looked up anew).
  // Keyed by code point: a number hashes at once, a one-character string is hashed on each new copy.
  const drawable = new Set<number>();
  return {
    weight,
    postscriptName: font.postscriptName ?? `NotoSansSC-${weight === 'bold' ? 'Bold' : 'Regular'}`,
    ascent: font.ascent * scale,
    descent: Math.abs(font.descent) * scale,
    advance(char) {
      let advance = advances.get(char);
      if (advance === undefined) {
        advance = font.glyphForCodePoint(char.codePointAt(0)!).advanceWidth * scale;
        advances.set(char, advance);
      }
      return advance;
    },
    has(char) {
      const codePoint = char.codePointAt(0)!;
      if (drawable.has(codePoint)) return true;
      const has = font.hasGlyphForCodePoint(codePoint);
      if (has) drawable.add(codePoint);
      return has;
    },
  };
}

/** Subset tag: six capitals, as PDF names subset fonts (ISO 32000 9.6.4). */
function subsetTag(key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (digest[i] % 26));
  return tag;
}

function describeSubset(bytes: Uint8Array, name: string, text: string): FontSubset {
  const font = fontkit.create(bytes);
  const scale = 1000 / font.unitsPerEm;
  const glyphs = new Map<string, { id: number; width: number }>();
  for (const char of text) {
    const glyph = font.glyphForCodePoint(char.codePointAt(0)!);
    glyphs.set(char, { id: glyph.id, width: Math.round(glyph.advanceWidth * scale) });
  }
  const { minX, minY, maxX, maxY } = font.bbox;
  return {
    bytes,
    name,
    glyphs,
    bbox: [minX, minY, maxX, maxY].map((value) => Math.round(value * scale)) as FontSubset['bbox'],
    ascent: Math.round(font.ascent * scale),
    descent: Math.round(font.descent * scale),
    capHeight: Math.round((font.capHeight || font.ascent) * scale),
  };
}

export class FontLibrary {
  private readonly files: Record<FontWeight, string>;
  private readonly cacheSize: number;
  private readonly loaded = new Map<FontWeight, Promise<LoadedFont>>();
  private readonly commonSubsets = new Map<FontWeight, Promise<CommonSubset | null>>();
  // Insertion order doubles as recency: a hit is moved to the end, the oldest is evicted.
  private readonly subsets = new Map<string, Promise<FontSubset>>();

  constructor(options: FontLibraryOptions = {}) {
    this.files = { ...DEFAULT_FONT_FILES, ...options.files };
    this.cacheSize = options.subsetCacheSize ?? 32;
  }

  private common(weight: FontWeight): Promise<CommonSubset | null> {
    let common = this.commonSubsets.get(weight);
    if (!common) {
      common = this.load(weight).then(async ({ bytes }) => {
        const chars = commonCharacters();
        if (!chars) return null;
        return { chars, bytes: await subsetFont()(bytes, [...chars].join(''), SUBSET_OPTIONS) };
      });
      this.commonSubsets.set(weight, common);
    }
    return common;
  }

  private load(weight: FontWeight): Promise<LoadedFont> {
    let font = this.loaded.get(weight);
    if (!font) {
      font = readFile(this.files[weight]).then((bytes) => ({ bytes, face: faceOf(weight, fontkit.create(bytes)) }));
      font.catch(() => this.loaded.delete(weight));
      this.loaded.set(weight, font);
    }
    return font;
  }

  async face(weight: FontWeight): Promise<FontFace> {
    return (await this.load(weight)).face;
  }

  /** The subset of `weight` holding exactly the given characters (order and repeats do not matter). */
  subset(weight: FontWeight, chars: Iterable<string>): Promise<FontSubset> {
    const text = [...new Set(chars)].sort().join('');
    const key = `${weight}\u0000${text}`;
    const cached = this.subsets.get(key);
    if (cached) {
      this.subsets.delete(key);
      this.subsets.set(key, cached);
      return cached;
    }
    const subset = this.load(weight).then(async ({ bytes, face }) => {
      // HarfBuzz's cost is mostly reading the 10 MB font: cutting from the common subset
      // (2 MB) is about three times faster, and gives the same glyphs.
      const common = await this.common(weight);
      const source = common && [...text].every((char) => common.chars.has(char)) ? common.bytes : bytes;
      const subsetBytes = await subsetFont()(source, text, SUBSET_OPTIONS);
      return describeSubset(new Uint8Array(subsetBytes), `${subsetTag(key)}+${face.postscriptName}`, text);
    });
    if (this.cacheSize > 0) {
      subset.catch(() => this.subsets.delete(key));
      this.subsets.set(key, subset);
      while (this.subsets.size > this.cacheSize) this.subsets.delete(this.subsets.keys().next().value!);
    }
    return subset;
  }
}
