/// <reference path="./subset-font.d.ts" />
// A CJK font subset embedded as a Type0/CIDFontType2 font with Identity-H encoding.
// subset-font (HarfBuzz) cuts the 10 MB Noto Sans SC down to the few glyphs a seal or a
// name needs; we embed that subset ourselves because pdf-lib's own subsetting renders
// Chinese text blank. Text is then shown as glyph ids, which is all Identity-H needs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import * as fontkitModule from '@pdf-lib/fontkit';
import subsetFont from 'subset-font';
import { DEFAULT_FONT_FILES } from '../../templates';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from '../pdf/objects';

// @pdf-lib/fontkit is a UMD bundle: at run time its API sits on `default`.
const fontkit = (fontkitModule as unknown as { default?: typeof fontkitModule }).default ?? fontkitModule;

/** The document engine's regular font (templates/ DEFAULT_FONT_FILES: Noto Sans SC Regular). */
export async function loadNotoSansSc(): Promise<Uint8Array> {
  return readFile(DEFAULT_FONT_FILES.regular);
}

export interface EmbeddableFont {
  /** e.g. "KQHZTB+NotoSansSC-Regular": a subset tag derived from the subset's bytes. */
  baseFont: string;
  unitsPerEm: number;
  glyphs: Map<number, { gid: number; width: number }>;
  ascent: number;
  descent: number;
  capHeight: number;
  bbox: [number, number, number, number];
  /** The subset font, Flate-compressed once. */
  compressedFontFile: Buffer;
  fontFileLength: number;
  toUnicode: Buffer;
}

export async function subsetCjkFont(options: { font: Uint8Array; text: string }): Promise<EmbeddableFont> {
  const characters = [...new Set(options.text)].join('');
  const subset = await subsetFont(options.font, characters, { targetFormat: 'sfnt' });
  const font = fontkit.create(subset);
  const scale = 1000 / font.unitsPerEm;
  const glyphs = new Map<number, { gid: number; width: number }>();
  for (const character of characters) {
    const codePoint = character.codePointAt(0)!;
    const glyph = font.glyphForCodePoint(codePoint);
    glyphs.set(codePoint, { gid: glyph.id, width: Math.round(glyph.advanceWidth * scale) });
  }
  const tag = [...createHash('sha256').update(subset).digest().subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  return {
    baseFont: `${tag}+${(font.postscriptName ?? 'CJKFont').replace(/[^A-Za-z0-9-]/g, '')}`,
    unitsPerEm: font.unitsPerEm,
    glyphs,
    ascent: Math.round(font.ascent * scale),
    descent: Math.round(font.descent * scale),
    capHeight: Math.round(font.capHeight * scale),
    bbox: [font.bbox.minX, font.bbox.minY, font.bbox.maxX, font.bbox.maxY].map((v) => Math.round(v * scale)) as [number, number, number, number],
    compressedFontFile: deflateSync(subset),
    fontFileLength: subset.length,
    toUnicode: deflateSync(toUnicodeCMap(glyphs)),
  };
}

/** Glyph ids as an Identity-H hex string, and the text's advance width in 1/1000 em. */
export function encodeText(font: EmbeddableFont, text: string): { hex: string; width: number } {
  let hex = '';
  let width = 0;
  for (const character of text) {
    const glyph = font.glyphs.get(character.codePointAt(0)!);
    if (!glyph) throw new Error(`the embedded font subset has no glyph for "${character}"`);
    hex += glyph.gid.toString(16).padStart(4, '0');
    width += glyph.width;
  }
  return { hex: hex.toUpperCase(), width };
}

function toUnicodeCMap(glyphs: Map<number, { gid: number }>): Buffer {
  const lines = [...glyphs].map(([codePoint, { gid }]) => {
    const utf16 = Buffer.from(String.fromCodePoint(codePoint), 'utf16le').swap16().toString('hex');
    return `<${gid.toString(16).padStart(4, '0')}> <${utf16}>`;
  });
  const ranges: string[] = [];
  for (let i = 0; i < lines.length; i += 100) ranges.push(`${Math.min(100, lines.length - i)} beginbfchar\n${lines.slice(i, i + 100).join('\n')}\nendbfchar`);
  return Buffer.from(
    `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n${ranges.join('\n')}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n`,
    'latin1',
  );
}

/**
 * The PDF objects of the font, given the object numbers to use: returns them with the
 * Type0 font's reference (what a /Font resource entry points at).
 */
export function fontObjects(font: EmbeddableFont, allocate: () => PdfRef): { fontRef: PdfRef; objects: [PdfRef, PdfValue][] } {
  const [fontRef, cidRef, descriptorRef, fileRef, toUnicodeRef] = [allocate(), allocate(), allocate(), allocate(), allocate()];
  const widths: PdfValue[] = [];
  for (const { gid, width } of [...font.glyphs.values()].sort((a, b) => a.gid - b.gid)) widths.push(gid, [width]);
  const name = new PdfName(font.baseFont);
  return {
    fontRef,
    objects: [
      [fontRef, new PdfDict([['Type', new PdfName('Font')], ['Subtype', new PdfName('Type0')], ['BaseFont', name], ['Encoding', new PdfName('Identity-H')], ['DescendantFonts', [cidRef]], ['ToUnicode', toUnicodeRef]])],
      [
        cidRef,
        new PdfDict([
          ['Type', new PdfName('Font')],
          ['Subtype', new PdfName('CIDFontType2')],
          ['BaseFont', name],
          ['CIDSystemInfo', new PdfDict([['Registry', PdfString.text('Adobe')], ['Ordering', PdfString.text('Identity')], ['Supplement', 0]])],
          ['FontDescriptor', descriptorRef],
          ['DW', 1000],
          ['W', widths],
          ['CIDToGIDMap', new PdfName('Identity')],
        ]),
      ],
      [
        descriptorRef,
        new PdfDict([
          ['Type', new PdfName('FontDescriptor')],
          ['FontName', name],
          ['Flags', 4], // symbolic: glyphs are addressed by id, not by a standard encoding
          ['FontBBox', font.bbox],
          ['ItalicAngle', 0],
          ['Ascent', font.ascent],
          ['Descent', font.descent],
          ['CapHeight', font.capHeight],
          ['StemV', 80],
          ['FontFile2', fileRef],
        ]),
      ],
      [fileRef, new PdfStream(new PdfDict([['Filter', new PdfName('FlateDecode')], ['Length1', font.fontFileLength]]), font.compressedFontFile)],
      [toUnicodeRef, new PdfStream(new PdfDict([['Filter', new PdfName('FlateDecode')]]), font.toUnicode)],
    ],
  };
}
