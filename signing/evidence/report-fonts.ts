// The evidence report's fonts come from the document engine (templates/ FontLibrary): the
// same Noto Sans SC files, cut by the same HarfBuzz subsetter to exactly the characters the
// report draws, with the same deterministic subset names. pdf-lib embeds that subset whole
// (its own `subset: true` renders Chinese blank) as Type0 / Identity-H with a ToUnicode
// map, so the text stays searchable and copyable.
import * as fontkitModule from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont } from 'pdf-lib';
import type { FontLibrary } from '../../templates';

// @pdf-lib/fontkit is a UMD bundle: at run time its API sits on `default`.
const fontkit = (fontkitModule as unknown as { default?: typeof fontkitModule }).default ?? fontkitModule;

/** An embedded font subset that can measure text and knows which characters it has. */
export interface ReportFont {
  readonly pdfFont: PDFFont;
  /** Advance width of `text` at `size` points (per-character advances, as pdf-lib draws them). */
  width(text: string, size: number): number;
  /** `text` with characters the subset lacks shown as '?' and control characters as spaces. */
  printable(text: string): string;
}

/** Embeds the engine's subset of `weight` holding the characters of `text`. */
export async function embedFontSubset(pdf: PDFDocument, options: { library: FontLibrary; weight: 'regular' | 'bold'; text: string }): Promise<ReportFont> {
  const subset = await options.library.subset(options.weight, options.text);
  // Glyph 0 is .notdef: a character the font does not have.
  const available = new Set([...subset.glyphs].filter(([, glyph]) => glyph.id !== 0).map(([character]) => character));
  pdf.registerFontkit(fontkit);
  const pdfFont = await pdf.embedFont(subset.bytes, { subset: false, customName: subset.name });

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
        return available.has(character) ? character : '?';
      }).join(''),
  };
}
