// Writes a laid-out document as PDF. pdf-lib provides the object model and the file
// writer; the page content streams and the CID font dictionaries are written here, because
// pdf-lib's drawText/embedFont spent most of a render in pure-JS deflate and in fontkit
// shaping that a one-glyph-per-character layout does not need (measured: ~200 → ~30 ms
// for a 5-page contract). Streams are deflated with Node's zlib.
//
// Everything that could vary between two runs on the same input is fixed: no automatic
// dates or producer, subset names derived from the character set, a document ID derived
// from the input. Classic cross-reference tables (no object streams) keep the file
// workable for incremental-update signing tools such as @signpdf/placeholder-plain.
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFHexString, PDFName, PDFString, type PDFContext, type PDFRef } from 'pdf-lib';
import type { FontSubset, FontWeight } from './fonts';
import type { BoxItem, LaidOutDocument, TextItem } from './layout';

export interface PdfOptions {
  fonts: Partial<Record<FontWeight, FontSubset>>;
  title: string;
  /** creation and modification date; omitted from the PDF when absent */
  date?: Date;
  /** 16 bytes identifying this document's content (trailer /ID) */
  id: Uint8Array;
}

const FONT_RESOURCE: Record<FontWeight, string> = { regular: 'F1', bold: 'F2' };

/** A number as PDF content wants it: at most 3 decimals, no exponent, no trailing zeros. */
function num(value: number): string {
  const fixed = value.toFixed(3);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') || '0' : fixed;
}

function hex4(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}

function utf16Hex(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += hex4(char.charCodeAt(i));
  return out;
}

function flateStream(context: PDFContext, contents: string): PDFRef {
  return context.register(context.stream(deflateSync(Buffer.from(contents, 'latin1')), { Filter: 'FlateDecode' }));
}

/** Maps glyph ids back to text, so that copy and pdftotext give the characters drawn. */
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

interface PreparedFont {
  fontFile: Buffer;
  toUnicode: Buffer;
  widths: (number | number[])[];
}

// Subsets are cached by the font library; what each one needs in a PDF is computed once.
const preparedFonts = new WeakMap<FontSubset, PreparedFont>();

function prepareFont(subset: FontSubset): PreparedFont {
  let prepared = preparedFonts.get(subset);
  if (!prepared) {
    const byId = new Map([...subset.glyphs.values()].map((glyph) => [glyph.id, glyph.width]));
    const widths: (number | number[])[] = [];
    for (const [id, width] of [...byId].sort((a, b) => a[0] - b[0])) widths.push(id, [width]);
    prepared = { fontFile: deflateSync(subset.bytes), toUnicode: deflateSync(Buffer.from(toUnicodeCMap(subset), 'latin1')), widths };
    preparedFonts.set(subset, prepared);
  }
  return prepared;
}

/** A Type0 font with Identity-H encoding over the TrueType subset (ISO 32000-1, 9.7). */
function embedFont(context: PDFContext, subset: FontSubset): PDFRef {
  const prepared = prepareFont(subset);
  const fontFile = context.register(context.stream(prepared.fontFile, { Length1: subset.bytes.length, Filter: 'FlateDecode' }));
  const descriptor = context.register(
    context.obj({
      Type: 'FontDescriptor',
      FontName: subset.name,
      Flags: 4, // symbolic: the glyphs are addressed by id, not by a standard encoding
      FontBBox: subset.bbox,
      ItalicAngle: 0,
      Ascent: subset.ascent,
      Descent: subset.descent,
      CapHeight: subset.capHeight,
      StemV: 80,
      FontFile2: fontFile,
    }),
  );
  const cidFont = context.register(
    context.obj({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: subset.name,
      CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      DW: 1000,
      W: prepared.widths,
      CIDToGIDMap: 'Identity',
    }),
  );
  return context.register(
    context.obj({
      Type: 'Font',
      Subtype: 'Type0',
      BaseFont: subset.name,
      Encoding: 'Identity-H',
      DescendantFonts: [cidFont],
      ToUnicode: context.register(context.stream(prepared.toUnicode, { Filter: 'FlateDecode' })),
    }),
  );
}

function boxOperators(box: BoxItem, part: 'fill' | 'stroke'): string {
  const rect = `${num(box.x)} ${num(box.y)} ${num(box.width)} ${num(box.height)} re`;
  if (part === 'fill') return box.fill === undefined ? '' : `${num(box.fill)} g ${rect} f\n`;
  if (!box.stroke) return '';
  const dash = box.stroke.dash ? `[${box.stroke.dash.map(num).join(' ')}] 0 d` : '[] 0 d';
  return `${num(box.stroke.width)} w ${dash} ${num(box.stroke.gray)} G ${rect} S\n`;
}

function textOperators(text: TextItem, fonts: Partial<Record<FontWeight, FontSubset>>): string {
  const subset = fonts[text.weight];
  if (!subset) throw new Error(`no ${text.weight} font subset was given for "${text.text}"`);
  let glyphs = '';
  for (const char of text.text) {
    const glyph = subset.glyphs.get(char);
    if (!glyph) throw new Error(`the ${text.weight} font subset lacks "${char}"`);
    glyphs += hex4(glyph.id);
  }
  return `BT /${FONT_RESOURCE[text.weight]} ${num(text.size)} Tf 1 0 0 1 ${num(text.x)} ${num(text.y)} Tm <${glyphs}> Tj ET\n`;
}

export async function drawPdf(document: LaidOutDocument, options: PdfOptions): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const context = pdf.context;
  const fontRefs: Partial<Record<FontWeight, PDFRef>> = {};
  for (const weight of ['regular', 'bold'] as const) {
    const subset = options.fonts[weight];
    if (subset) fontRefs[weight] = embedFont(context, subset);
  }

  for (const laidOut of document.pages) {
    const page = pdf.addPage([document.width, document.height]);
    const boxes = laidOut.items.filter((item): item is BoxItem => item.kind === 'box');
    const texts = laidOut.items.filter((item): item is TextItem => item.kind === 'text');
    // Fills first and rules last, so that no cell's shading covers its neighbour's border.
    let content = '';
    for (const box of boxes) content += boxOperators(box, 'fill');
    content += '0 g\n';
    for (const text of texts) content += textOperators(text, options.fonts);
    for (const box of boxes) content += boxOperators(box, 'stroke');
    page.node.addContentStream(flateStream(context, content));
    for (const weight of ['regular', 'bold'] as const) {
      const ref = fontRefs[weight];
      if (ref) page.node.setFontDictionary(PDFName.of(FONT_RESOURCE[weight]), ref);
    }
  }

  pdf.setTitle(options.title, { showInWindowTitleBar: true });
  pdf.setProducer('Sealflow document engine (pdf-lib)');
  pdf.setCreator('Sealflow');
  if (options.date) {
    pdf.setCreationDate(options.date);
    pdf.setModificationDate(options.date);
  }
  const id = PDFHexString.of(Buffer.from(options.id).toString('hex').toUpperCase());
  context.trailerInfo.ID = context.obj([id, id]);
  // objectsPerTick: pdf-lib otherwise yields to the event loop (a timer) every 50 objects.
  return pdf.save({ useObjectStreams: false, updateFieldAppearances: false, objectsPerTick: Number.POSITIVE_INFINITY });
}
