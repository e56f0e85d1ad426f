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
import { AFRelationship, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFString, type PDFContext, type PDFObject, type PDFRef } from 'pdf-lib';
import { glyphRun, type0FontObjects, type CidObjectKey, type CidValue } from './cid-font';
import type { FontSubset, FontWeight } from './fonts';
import type { BoxItem, LaidOutDocument, Paint, TextItem } from './layout';
import type { PdfAttachment } from './types';

export interface PdfOptions {
  fonts: Partial<Record<FontWeight, FontSubset>>;
  title: string;
  /** creation and modification date; omitted from the PDF when absent */
  date?: Date;
  /** 16 bytes identifying this document's content (trailer /ID) */
  id: Uint8Array;
  attachments?: PdfAttachment[];
  subject?: string;
  language?: string;
}

const FONT_RESOURCE: Record<FontWeight, string> = { regular: 'F1', bold: 'F2' };

/** A number as PDF content wants it: at most 3 decimals, no exponent, no trailing zeros. */
function num(value: number): string {
  const fixed = value.toFixed(3);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') || '0' : fixed;
}

function flateStream(context: PDFContext, contents: string): PDFRef {
  return context.register(context.stream(deflateSync(Buffer.from(contents, 'latin1')), { Filter: 'FlateDecode' }));
}

/** Registers the Type0 font's objects (cid-font.ts) with pdf-lib; returns the font's reference. */
function embedFont(context: PDFContext, subset: FontSubset): PDFRef {
  const objects = type0FontObjects(subset);
  const refs = new Map<CidObjectKey, PDFRef>(objects.map((object) => [object.key, context.nextRef()]));
  const toPdf = (value: CidValue): PDFObject => {
    if (typeof value === 'number') return PDFNumber.of(value);
    if (Array.isArray(value)) return context.obj(value.map(toPdf));
    if ('name' in value) return PDFName.of(value.name);
    if ('text' in value) return PDFString.of(value.text);
    if ('ref' in value) return refs.get(value.ref)!;
    const dict = PDFDict.withContext(context);
    for (const [key, item] of Object.entries(value.dict)) dict.set(PDFName.of(key), toPdf(item));
    return dict;
  };
  for (const object of objects) {
    const dict = toPdf({ dict: object.dict }) as PDFDict;
    context.assign(refs.get(object.key)!, object.stream ? PDFRawStream.of(dict, object.stream) : dict);
  }
  return refs.get('font')!;
}

function paint(value: Paint, stroke: boolean): string {
  if (typeof value === 'number') return `${num(value)} ${stroke ? 'G' : 'g'}`;
  return `${value.map(num).join(' ')} ${stroke ? 'RG' : 'rg'}`;
}

function boxOperators(box: BoxItem, part: 'fill' | 'stroke'): string {
  const rect = `${num(box.x)} ${num(box.y)} ${num(box.width)} ${num(box.height)} re`;
  if (part === 'fill') return box.fill === undefined ? '' : `${paint(box.fill, false)} ${rect} f\n`;
  if (!box.stroke) return '';
  const dash = box.stroke.dash ? `[${box.stroke.dash.map(num).join(' ')}] 0 d` : '[] 0 d';
  return `${num(box.stroke.width)} w ${dash} ${paint(box.stroke.paint, true)} ${rect} S\n`;
}

function textOperators(text: TextItem, fonts: Partial<Record<FontWeight, FontSubset>>): string {
  const subset = fonts[text.weight];
  if (!subset) throw new Error(`no ${text.weight} font subset was given for "${text.text}"`);
  const show = `BT /${FONT_RESOURCE[text.weight]} ${num(text.size)} Tf 1 0 0 1 ${num(text.x)} ${num(text.y)} Tm <${glyphRun(subset, text.text).hex}> Tj ET\n`;
  return text.color ? `${paint(text.color, false)} ${show}0 g\n` : show;
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

  for (const attachment of options.attachments ?? []) {
    await pdf.attach(attachment.bytes, attachment.name, {
      mimeType: attachment.mimeType,
      description: attachment.description,
      creationDate: options.date,
      modificationDate: options.date,
      afRelationship: AFRelationship[attachment.relationship ?? 'Data'],
    });
  }

  pdf.setTitle(options.title, { showInWindowTitleBar: true });
  if (options.subject) pdf.setSubject(options.subject);
  if (options.language) pdf.setLanguage(options.language);
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
