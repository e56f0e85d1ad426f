// Builds the revision that adds one signature field to a PDF: the signature dictionary
// with its placeholders, a widget (merged with its field), an optional appearance, and
// the catalog / AcroForm / page objects that must now point at them. The result still
// needs its /ByteRange filled and its /Contents embedded (see byte-range.ts).
import { byteRangePlaceholder, contentsPlaceholder, locatePlaceholders, type PlaceholderPosition } from './byte-range';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, serializeObjectBody, type PdfValue } from './objects';
import { describeRevisionTail, writeIncrementalUpdate, type ObjectToWrite } from './incremental-update';
import { PdfReader } from './xref';

export interface SignatureRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SignatureRevisionRequest {
  pdf: Uint8Array;
  fieldName: string;
  /** 1-based page number; the widget is put there even when invisible (some viewers need a page). */
  page: number;
  /** Omitted: an invisible signature (zero-size widget). */
  rect?: SignatureRect;
  /** Appearance stream content (already compressed) and the objects it needs, if visible. */
  appearance?: { content: Buffer; resources: (allocate: () => PdfRef) => { resources: PdfDict; objects: [PdfRef, PdfValue][] } };
  /** The signature dictionary's own entries besides /ByteRange and /Contents. */
  signatureDictionary: [string, PdfValue][];
  /** Bytes reserved for the DER in /Contents. */
  contentsSize: number;
}

export interface SignatureRevision {
  pdf: Buffer;
  placeholder: PlaceholderPosition;
}

export class PdfStructureError extends Error {}

export function buildSignatureRevision(request: SignatureRevisionRequest): SignatureRevision {
  const base = Buffer.isBuffer(request.pdf) ? request.pdf : Buffer.from(request.pdf.buffer, request.pdf.byteOffset, request.pdf.byteLength);
  const reader = new PdfReader(base);
  if (reader.trailer.get('Encrypt') !== undefined) throw new PdfStructureError('encrypted PDFs cannot be signed');
  const pages = reader.pageRefs();
  const pageRef = pages[request.page - 1];
  if (!pageRef) throw new PdfStructureError(`page ${request.page} does not exist (the document has ${pages.length})`);
  const page = reader.dict(pageRef);
  if (!page) throw new PdfStructureError(`page ${request.page} is not a dictionary`);

  let nextNum = reader.size;
  const allocate = (): PdfRef => new PdfRef(nextNum++, 0);
  const objects: [PdfRef, PdfValue][] = [];
  const refOf = (num: number): PdfRef => {
    const entry = reader.entries.get(num);
    return new PdfRef(num, entry?.type === 'offset' ? entry.gen : 0);
  };

  // --- the catalog's AcroForm, its /Fields, and the field-name check
  const catalogRef = reader.trailer.get('Root') as PdfRef;
  const catalog = reader.catalog().clone();
  const acroFormValue = catalog.get('AcroForm');
  let acroForm = reader.dict(acroFormValue)?.clone() ?? new PdfDict();
  const fieldsValue = acroForm.get('Fields');
  const fields = (reader.resolve(fieldsValue) as PdfValue[] | undefined) ?? [];
  for (const field of fields) {
    const name = reader.dict(field)?.get('T');
    if (name instanceof PdfString && name.text() === request.fieldName) throw new PdfStructureError(`the document already has a field named "${request.fieldName}"`);
  }

  const signatureRef = allocate();
  const widgetRef = allocate();

  // --- appearance
  const rect = request.rect;
  const widget = new PdfDict([
    ['Type', new PdfName('Annot')],
    ['Subtype', new PdfName('Widget')],
    ['FT', new PdfName('Sig')],
    ['T', PdfString.text(request.fieldName)],
    ['V', signatureRef],
    ['P', pageRef],
    ['Rect', rect ? [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height] : [0, 0, 0, 0]],
    ['F', 132], // Print + Locked
  ]);
  if (rect && request.appearance) {
    const appearanceRef = allocate();
    const { resources, objects: resourceObjects } = request.appearance.resources(allocate);
    const form = new PdfStream(
      new PdfDict([
        ['Type', new PdfName('XObject')],
        ['Subtype', new PdfName('Form')],
        ['BBox', [0, 0, rect.width, rect.height]],
        ['Resources', resources],
        ['Filter', new PdfName('FlateDecode')],
      ]),
      request.appearance.content,
    );
    objects.push([appearanceRef, form], ...resourceObjects);
    widget.set('AP', new PdfDict([['N', appearanceRef]]));
  }

  // --- page /Annots (rewrite the array object when it is indirect, else the page)
  const annotsValue = page.get('Annots');
  const annots = [...((reader.resolve(annotsValue) as PdfValue[] | undefined) ?? []), widgetRef];
  if (annotsValue instanceof PdfRef) objects.push([refOf(annotsValue.num), annots]);
  else objects.push([refOf(pageRef.num), page.clone().set('Annots', annots)]);

  // --- AcroForm /Fields and /SigFlags (SignaturesExist | AppendOnly)
  const newFields = [...fields, widgetRef];
  if (fieldsValue instanceof PdfRef) objects.push([refOf(fieldsValue.num), newFields]);
  else acroForm.set('Fields', newFields);
  acroForm.set('SigFlags', 3);
  if (acroFormValue instanceof PdfRef) objects.push([refOf(acroFormValue.num), acroForm]);
  else {
    const acroFormRef = allocate();
    objects.push([acroFormRef, acroForm]);
    catalog.set('AcroForm', acroFormRef);
    objects.push([refOf(catalogRef.num), catalog]);
  }

  const signature = new PdfDict(request.signatureDictionary);
  signature.set('ByteRange', byteRangePlaceholder());
  signature.set('Contents', contentsPlaceholder(request.contentsSize));
  objects.push([widgetRef, widget]);
  objects.unshift([signatureRef, signature]);

  const toWrite: ObjectToWrite[] = objects.map(([ref, value]) => ({ ref, body: serializeObjectBody(value) }));
  const update = writeIncrementalUpdate(describeRevisionTail(reader), toWrite);
  const pdf = Buffer.concat([base, update.bytes]);
  const signatureBody = toWrite[0].body;
  return { pdf, placeholder: locatePlaceholders(signatureBody, update.bodyOffsets.get(signatureRef.num)!) };
}

/** PDF date string, e.g. D:20250601140305+08'00' (UTC offset from the caller). */
export function pdfDate(time: Date, utcOffsetMinutes = 0): string {
  const local = new Date(time.getTime() + utcOffsetMinutes * 60_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  if (utcOffsetMinutes === 0) return `D:${local}Z`;
  const sign = utcOffsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(utcOffsetMinutes);
  return `D:${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}'${String(abs % 60).padStart(2, '0')}'`;
}
