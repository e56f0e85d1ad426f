// What a PDF needs to show text in a FontLibrary subset as a Type0 font with Identity-H
// encoding (ISO 32000-1, 9.7): the compressed font program, the ToUnicode CMap, the /W
// widths, and text as glyph ids. Both PDF writers use it: pdf.ts (documents, through
// pdf-lib's object model) and the seal appearances (signing/, through their own
// incremental-update writer), so the font is encoded one way only.
import { deflateSync } from 'node:zlib';
import type { FontSubset } from './fonts';

export interface CidFontParts {
  /** the TrueType subset, Flate-compressed (FontFile2, with Length1 = subset.bytes.length) */
  fontFile: Buffer;
  /** the ToUnicode CMap, Flate-compressed: copy and pdftotext give the characters drawn */
  toUnicode: Buffer;
  /** /W array of the CIDFont: glyph id, [width in 1/1000 em], … */
  widths: (number | number[])[];
}

function hex4(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}

function utf16Hex(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += hex4(char.charCodeAt(i));
  return out;
}

/** Maps glyph ids back to text. */
function toUnicodeCMap(subset: FontSubset): string {
  const byGlyph = new Map<number, string>();
  for (const [char, glyph] of subset.glyphs) if (!byGlyph.has(glyph.id)) byGlyph.set(glyph.id, char);
  const entries = [...byGlyph].sort((a, b) => a[0] - b[0]).map(([id, char]) => `<${hex4(id)}> <${utf16Hex(char)}>`);
  const blocks: string[] = [];
  // A CMap's bfchar sections hold at most 100 entries each.
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    blocks.push(`${block.length} beginbfchar\n${block.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

// Subsets are cached by the font library; what each one needs in a PDF is computed once.
const prepared = new WeakMap<FontSubset, CidFontParts>();

export function cidFontParts(subset: FontSubset): CidFontParts {
  let parts = prepared.get(subset);
  if (!parts) {
    const byId = new Map([...subset.glyphs.values()].map((glyph) => [glyph.id, glyph.width]));
    const widths: (number | number[])[] = [];
    for (const [id, width] of [...byId].sort((a, b) => a[0] - b[0])) widths.push(id, [width]);
    parts = { fontFile: deflateSync(subset.bytes), toUnicode: deflateSync(Buffer.from(toUnicodeCMap(subset), 'latin1')), widths };
    prepared.set(subset, parts);
  }
  return parts;
}

/** Text as an Identity-H hex string of glyph ids (for `<…> Tj`), and its advance width in 1/1000 em. */
export function glyphRun(subset: FontSubset, text: string): { hex: string; width: number } {
  let hex = '';
  let width = 0;
  for (const char of text) {
    const glyph = subset.glyphs.get(char);
    if (!glyph) throw new Error(`the font subset ${subset.name} lacks "${char}"`);
    hex += hex4(glyph.id);
    width += glyph.width;
  }
  return { hex, width };
}

/** A value in the font's PDF objects, for any writer to turn into its own object model. */
export type CidValue = number | { name: string } | { text: string } | { ref: CidObjectKey } | { dict: Record<string, CidValue> } | CidValue[];
export type CidObjectKey = 'font' | 'cidFont' | 'descriptor' | 'fontFile' | 'toUnicode';
export interface CidObject {
  key: CidObjectKey;
  dict: Record<string, CidValue>;
  /** stream data (already Flate-compressed) when the object is a stream */
  stream?: Buffer;
}

/** The five objects of the Type0 font; `font` is what a /Font resource entry points at. */
export function type0FontObjects(subset: FontSubset): CidObject[] {
  const parts = cidFontParts(subset);
  const name = { name: subset.name };
  return [
    { key: 'font', dict: { Type: { name: 'Font' }, Subtype: { name: 'Type0' }, BaseFont: name, Encoding: { name: 'Identity-H' }, DescendantFonts: [{ ref: 'cidFont' }], ToUnicode: { ref: 'toUnicode' } } },
    {
      key: 'cidFont',
      dict: {
        Type: { name: 'Font' },
        Subtype: { name: 'CIDFontType2' },
        BaseFont: name,
        CIDSystemInfo: { dict: { Registry: { text: 'Adobe' }, Ordering: { text: 'Identity' }, Supplement: 0 } },
        FontDescriptor: { ref: 'descriptor' },
        DW: 1000,
        W: parts.widths,
        CIDToGIDMap: { name: 'Identity' },
      },
    },
    {
      key: 'descriptor',
      dict: {
        Type: { name: 'FontDescriptor' },
        FontName: name,
        Flags: 4, // symbolic: the glyphs are addressed by id, not by a standard encoding
        FontBBox: subset.bbox,
        ItalicAngle: 0,
        Ascent: subset.ascent,
        Descent: subset.descent,
        CapHeight: subset.capHeight,
        StemV: 80,
        FontFile2: { ref: 'fontFile' },
      },
    },
    { key: 'fontFile', dict: { Filter: { name: 'FlateDecode' }, Length1: subset.bytes.length }, stream: parts.fontFile },
    { key: 'toUnicode', dict: { Filter: { name: 'FlateDecode' } }, stream: parts.toUnicode },
  ];
}
