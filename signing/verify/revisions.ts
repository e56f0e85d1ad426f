// Splits a PDF into its revisions (each incremental update ends with %%EOF) and says what
// a revision changed compared with the one before: which objects, and of what kind. An
// update that only adds a signature (field, widget, appearance, AcroForm/page /Annots
// bookkeeping) or a DSS is harmless; a new page or a changed content stream is not.
import { PdfDict, PdfRef, PdfStream, serialize, type PdfValue } from '../pdf/objects';
import { PdfReader, readXrefSection } from '../pdf/xref';

export interface Revision {
  /** 1-based, in file order. */
  number: number;
  /** Offset just past this revision's %%EOF line. */
  end: number;
  startXref: number;
}

export function findRevisions(bytes: Buffer): { revisions: Revision[]; trailingBytes: number } {
  const revisions: Revision[] = [];
  let from = 0;
  for (;;) {
    const at = bytes.indexOf('%%EOF', from, 'latin1');
    if (at < 0) break;
    let end = at + 5;
    if (bytes[end] === 0x0d) end++;
    if (bytes[end] === 0x0a) end++;
    const startxrefAt = bytes.lastIndexOf('startxref', at, 'latin1');
    const startXref = startxrefAt >= 0 ? Number(bytes.toString('latin1', startxrefAt + 9, at).trim()) : NaN;
    // A %%EOF inside some binary stream would not follow a startxref: skip it.
    if (Number.isInteger(startXref) && startxrefAt >= from) revisions.push({ number: revisions.length + 1, end, startXref });
    from = end;
  }
  const last = revisions.at(-1)?.end ?? 0;
  let trailing = bytes.length - last;
  for (let i = last; i < bytes.length && /\s/.test(String.fromCharCode(bytes[i])); i++) trailing--;
  return { revisions, trailingBytes: trailing };
}

export type ChangeKind =
  | 'signature added'
  | 'signature field or appearance added'
  | 'form bookkeeping (AcroForm, /Annots)'
  | 'DSS (validation data) added'
  | 'page added or removed'
  | 'page changed'
  | 'content stream changed'
  | 'signature dictionary changed'
  | 'catalog changed'
  | 'object changed'
  | 'object added'
  | 'unreadable update';

const HARMLESS: ReadonlySet<ChangeKind> = new Set(['signature added', 'signature field or appearance added', 'form bookkeeping (AcroForm, /Annots)', 'DSS (validation data) added']);

export interface ObjectChange {
  object: number;
  kind: ChangeKind;
}

export interface RevisionChanges {
  revision: number;
  changes: ObjectChange[];
  /** Only a later signature, document timestamp or DSS was added. */
  harmless: boolean;
}

const typeOf = (value: PdfValue | undefined): string | undefined =>
  value instanceof PdfDict ? value.name('Type') : value instanceof PdfStream ? value.dict.name('Type') : undefined;

const text = (value: PdfValue | undefined): string => (value === undefined ? '' : value instanceof PdfStream ? `${serialize(value.dict)}:${value.data.toString('latin1')}` : serialize(value));

/** Keys other than `allowed` are equal in both dictionaries. */
function onlyKeysDiffer(before: PdfDict, after: PdfDict, allowed: readonly string[]): boolean {
  const keys = new Set([...before.entries.keys(), ...after.entries.keys()]);
  for (const key of keys) if (!allowed.includes(key) && text(before.get(key)) !== text(after.get(key))) return false;
  return true;
}

export function describeRevisionChanges(bytes: Buffer, revision: Revision, previous: Revision): RevisionChanges {
  let after: PdfReader;
  let before: PdfReader;
  try {
    after = new PdfReader(bytes, revision.startXref);
    before = new PdfReader(bytes, previous.startXref);
  } catch {
    return { revision: revision.number, changes: [{ object: 0, kind: 'unreadable update' }], harmless: false };
  }
  const section = readXrefSection(bytes, revision.startXref);
  const pageNums = new Set(before.pageRefs().map((ref) => ref.num));
  const contentNums = new Set<number>();
  for (const num of pageNums) {
    const contents = before.dict(new PdfRef(num, 0))?.get('Contents');
    for (const ref of Array.isArray(contents) ? contents : [contents]) if (ref instanceof PdfRef) contentNums.add(ref.num);
  }
  const changes: ObjectChange[] = [];
  for (const [num, entry] of section.entries) {
    if (entry.type === 'free' || (section.kind === 'stream' && entry.type === 'offset' && entry.offset === revision.startXref)) continue;
    const newValue = after.object(num);
    const oldValue = before.entries.has(num) ? before.object(num) : undefined;
    if (oldValue !== undefined && text(oldValue) === text(newValue)) continue; // rewritten unchanged
    changes.push({ object: num, kind: classify(newValue, oldValue, num) });
  }
  const added = changes.some((c) => c.kind === 'signature added' || c.kind === 'DSS (validation data) added');
  return { revision: revision.number, changes, harmless: added && changes.every((c) => HARMLESS.has(c.kind)) };

  function classify(newValue: PdfValue | undefined, oldValue: PdfValue | undefined, num: number): ChangeKind {
    const type = typeOf(newValue);
    if (oldValue === undefined) {
      if (type === 'Sig' || type === 'DocTimeStamp') return 'signature added';
      if (type === 'Page' || type === 'Pages') return 'page added or removed';
      if (type === 'DSS' || type === 'VRI') return 'DSS (validation data) added';
      if (newValue instanceof PdfDict && newValue.name('FT') === 'Sig') return 'signature field or appearance added';
      // Appearance streams, their fonts, DSS certificate/OCSP/CRL streams, new arrays.
      if (newValue instanceof PdfStream || type === 'Font' || type === 'FontDescriptor' || Array.isArray(newValue)) return 'signature field or appearance added';
      if (type === 'AcroForm' || (newValue instanceof PdfDict && newValue.get('Fields') !== undefined)) return 'form bookkeeping (AcroForm, /Annots)';
      return 'object added';
    }
    const oldType = typeOf(oldValue);
    if (oldType === 'Sig' || oldType === 'DocTimeStamp') return 'signature dictionary changed';
    if (contentNums.has(num)) return 'content stream changed';
    if (oldType === 'Pages') return 'page added or removed';
    if (pageNums.has(num) && oldValue instanceof PdfDict && newValue instanceof PdfDict) {
      if (text(oldValue.get('Contents')) !== text(newValue.get('Contents'))) return 'content stream changed';
      return onlyKeysDiffer(oldValue, newValue, ['Annots']) ? 'form bookkeeping (AcroForm, /Annots)' : 'page changed';
    }
    if (oldType === 'Catalog' && oldValue instanceof PdfDict && newValue instanceof PdfDict) {
      if (!onlyKeysDiffer(oldValue, newValue, ['AcroForm', 'DSS', 'Extensions'])) return 'catalog changed';
      return text(oldValue.get('DSS')) !== text(newValue.get('DSS')) ? 'DSS (validation data) added' : 'form bookkeeping (AcroForm, /Annots)';
    }
    if (oldValue instanceof PdfDict && newValue instanceof PdfDict && oldValue.get('Fields') !== undefined) {
      return onlyKeysDiffer(oldValue, newValue, ['Fields', 'SigFlags']) ? 'form bookkeeping (AcroForm, /Annots)' : 'object changed';
    }
    // An /Annots or /Fields array that only grew.
    if (Array.isArray(oldValue) && Array.isArray(newValue) && newValue.length > oldValue.length && oldValue.every((v, i) => text(v) === text(newValue[i]))) {
      return 'form bookkeeping (AcroForm, /Annots)';
    }
    if (oldValue instanceof PdfStream) return 'content stream changed';
    return 'object changed';
  }
}
