/// <reference path="../appearance/subset-font.d.ts" />
// Noto Sans SC for the evidence report, embedded the way signing/appearance/cjk-font.ts
// does it: HarfBuzz (subset-font) cuts the 10 MB font down to exactly the characters the
// report uses, and that subset is embedded whole (pdf-lib's own `subset: true` renders
// Chinese blank). pdf-lib then writes it as Type0 / Identity-H with a ToUnicode map, so
// the text stays searchable and copyable.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as fontkitModule from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont } from 'pdf-lib';
import subsetFont from 'subset-font';
import { DEFAULT_FONT_FILES } from '../../templates';

// @pdf-lib/fontkit is a UMD bundle: at run time its API sits on `default`.
const fontkit = (fontkitModule as unknown as { default?: typeof fontkitModule }).default ?? fontkitModule;

/** Font files (TrueType) for the report's body text and its headings. */
export interface ReportFontFiles {
  regular: Uint8Array;
  /** Headings; the regular font when omitted. */
  bold?: Uint8Array;
}

/** The document engine's fonts (templates/ DEFAULT_FONT_FILES: Noto Sans SC Regular and Bold), one definition of which files. */
export async function loadReportFontFiles(): Promise<ReportFontFiles> {
  const [regular, bold] = await Promise.all([readFile(DEFAULT_FONT_FILES.regular), readFile(DEFAULT_FONT_FILES.bold)]);
  return { regular, bold };
}

/** An embedded font subset that can measure text and knows which characters it has. */
export interface ReportFont {
  readonly pdfFont: PDFFont;
  /** Advance width of `text` at `size` points (per-character advances, as pdf-lib draws them). */
  width(text: string, size: number): number;
  /** `text` with characters the subset lacks shown as '?' and control characters as spaces. */
  printable(text: string): string;
}

export async function embedFontSubset(pdf: PDFDocument, options: { font: Uint8Array; text: string }): Promise<ReportFont> {
  const characters = [...new Set(options.text)].join('');
  // No layout closure: the subset keeps only the glyphs the characters map to, and the GSUB
  // rules that would swap in others (the "fl" ligature, contextual digit forms) go with
  // them. pdf-lib lays text out with those rules but writes widths only for glyphs it can
  // reach from the character map, so a substituted glyph would be drawn 1 em wide.
  const subset = await subsetFont(options.font, characters, { targetFormat: 'sfnt', noLayoutClosure: true });
  const parsed = fontkit.create(subset);
  const available = new Set<number>(parsed.characterSet);
  // A subset tag derived from the bytes (not pdf-lib's random suffix): the same report
  // input gives the same PDF bytes.
  const tag = [...createHash('sha256').update(subset).digest().subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  const name = `${tag}+${(parsed.postscriptName ?? 'NotoSansSC').replace(/[^A-Za-z0-9-]/g, '')}`;
  pdf.registerFontkit(fontkit);
  const pdfFont = await pdf.embedFont(subset, { subset: false, customName: name });

  const advances = new Map<string, number>(); // per 1 pt of font size
  const advance = (character: string): number => {
    let value = advances.get(character);
    if (value === undefined) {
      value = pdfFont.widthOfTextAtSize(character, 1000) / 1000;
      advances.set(character, value);
    }
    return value;
  };
  return {
    pdfFont,
    width: (text, size) => {
      let total = 0;
      for (const character of text) total += advance(character);
      return total * size;
    },
    printable: (text) =>
      Array.from(text, (character) => {
        if (/\s/.test(character)) return ' ';
        return available.has(character.codePointAt(0)!) ? character : '?';
      }).join(''),
  };
}
