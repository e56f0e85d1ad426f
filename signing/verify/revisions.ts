// Splits a PDF into its revisions (each incremental update ends with %%EOF) and says what a
// revision after a signature changed. The rule is positive: an update is harmless only when
// every object it writes is explained by one of
//   - a new signature of this very revision whose own signature verifies: its signature
//     dictionary, its field (listed in the AcroForm), its widget and appearance, used by no
//     other annotation, plus the /Fields, /Annots and /SigFlags bookkeeping that lists it;
//   - validation data (DSS/VRI) referenced from the catalog;
//   - a document timestamp (a signature of type /DocTimeStamp, same rules as a signature).
// Everything else (a new annotation of any kind, an unsigned signature widget, a changed
// content stream, page, resource or /Info, a removed or renamed field, an unreferenced object)
// is named as a change. Walks are bounded and cycle-safe: the input may be hostile.
import { PdfDict, PdfRef, PdfStream, PdfString, serialize, type PdfValue } from '../pdf/objects';
import { PdfReader } from '../pdf/xref';

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
  | 'annotation added'
  | 'annotation changed'
  | 'signature field without a valid signature added'
  | 'signature that does not verify added'
  | 'signature appearance shared with another annotation'
  | 'signature dictionary changed'
  | 'form field removed or renamed'
  | 'form field changed'
  | 'page added or removed'
  | 'page changed'
  | 'content stream changed'
  | 'resource or stream changed'
  | 'document information changed'
  | 'catalog changed'
  | 'DSS not referenced from the catalog'
  | 'unreferenced object added'
  | 'object added'
  | 'object changed'
  | 'object removed'
  | 'unreadable update';

export interface ObjectChange {
  /** Object number (0 for the trailer or an unreadable update). */
  object: number;
  kind: ChangeKind;
}

export interface RevisionChanges {
  revision: number;
  /** Empty when the revision only added signatures, document timestamps or DSS. */
  changes: ObjectChange[];
  harmless: boolean;
}

/** A signature found in the document whose byte range ends at the end of some revision. */
export interface SignatureInRevision {
  /** The revision it signed (its byte range ends there). */
  revision: number;
  /** Object number of its terminal field (which holds /V). */
  field: number;
  /** Object number of its signature dictionary (the field's /V). */
  value: number;
  /** Its own digest and CMS signature (or timestamp token) verify. */
  intact: boolean;
}

/** How many objects one walk may visit: a hostile file cannot make the analysis run away. */
const MAX_WALK = 200_000;

const typeOf = (value: PdfValue | undefined): string | undefined =>
  value instanceof PdfDict ? value.name('Type') : value instanceof PdfStream ? value.dict.name('Type') : undefined;

const text = (value: PdfValue | undefined): string => (value === undefined ? '' : value instanceof PdfStream ? `${serialize(value.dict)}:${value.data.toString('latin1')}` : serialize(value));

const refNum = (value: PdfValue | undefined): number | undefined => (value instanceof PdfRef ? value.num : undefined);

/** Keys other than `allowed` are equal in both dictionaries. */
function onlyKeysDiffer(before: PdfDict, after: PdfDict, allowed: readonly string[]): boolean {
  const keys = new Set([...before.entries.keys(), ...after.entries.keys()]);
  for (const key of keys) if (!allowed.includes(key) && text(before.get(key)) !== text(after.get(key))) return false;
  return true;
}

/** Object numbers referenced from `value`, directly or through the objects accepted by `follow`. */
function referencedObjects(reader: PdfReader, value: PdfValue | undefined, follow: (num: number) => boolean): Set<number> {
  const found = new Set<number>();
  const stack: (PdfValue | undefined)[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (found.size > MAX_WALK) throw new Error(`more than ${MAX_WALK} objects are linked together`);
    if (item instanceof PdfRef) {
      if (found.has(item.num)) continue;
      found.add(item.num);
      if (follow(item.num)) stack.push(reader.object(item.num));
    } else if (Array.isArray(item)) stack.push(...item);
    else if (item instanceof PdfDict) stack.push(...item.entries.values());
    else if (item instanceof PdfStream) stack.push(...item.dict.entries.values());
  }
  return found;
}

/** Field object numbers of the form, in order, walking /Kids (cycle-safe); and their full names. */
function formFields(reader: PdfReader): Map<number, string> {
  const fields = new Map<number, string>();
  const acroForm = reader.dict(reader.catalog().get('AcroForm'));
  const visit = (value: PdfValue | undefined, parent: string, depth: number): void => {
    const num = refNum(value);
    if (num === undefined || fields.has(num) || depth > 32 || fields.size > MAX_WALK) return;
    const field = reader.dict(value);
    if (!field) return;
    const partial = field.get('T') instanceof PdfString ? (field.get('T') as PdfString).text() : '';
    const name = parent && partial ? `${parent}.${partial}` : partial || parent;
    fields.set(num, name);
    const kids = reader.resolve(field.get('Kids'));
    if (Array.isArray(kids)) for (const kid of kids) visit(kid, name, depth + 1);
  };
  const roots = reader.resolve(acroForm?.get('Fields'));
  if (Array.isArray(roots)) for (const field of roots) visit(field, '', 0);
  return fields;
}

/** Every annotation of every page: object number → its page's object number. */
function annotationsOf(reader: PdfReader): Map<number, number> {
  const annotations = new Map<number, number>();
  for (const page of reader.pageRefs()) {
    const annots = reader.resolve(reader.dict(page)?.get('Annots'));
    if (Array.isArray(annots)) for (const annot of annots) if (annot instanceof PdfRef) annotations.set(annot.num, page.num);
  }
  return annotations;
}

/** The array `after` is `before` with `extra` appended (compared element by element). */
function onlyAppended(before: PdfValue[], after: PdfValue[], extra: ReadonlySet<number>): boolean {
  if (after.length < before.length || !before.every((v, i) => text(v) === text(after[i]))) return false;
  return after.slice(before.length).every((v) => v instanceof PdfRef && extra.has(v.num));
}

export function describeRevisionChanges(bytes: Buffer, revision: Revision, previous: Revision, signatures: readonly SignatureInRevision[]): RevisionChanges {
  try {
    const changes = analyse(bytes, revision, previous, signatures.filter((s) => s.revision === revision.number));
    return { revision: revision.number, changes, harmless: changes.length === 0 };
  } catch {
    return { revision: revision.number, changes: [{ object: 0, kind: 'unreadable update' }], harmless: false };
  }
}

function analyse(bytes: Buffer, revision: Revision, previous: Revision, signedHere: readonly SignatureInRevision[]): ObjectChange[] {
  const after = new PdfReader(bytes, revision.startXref);
  const before = new PdfReader(bytes, previous.startXref);
  const section = after.sections[0];
  const changes: ObjectChange[] = [];
  const change = (object: number, kind: ChangeKind) => changes.push({ object, kind });

  // What this revision wrote that differs from the revision before (rewritten identical copies are no change).
  const written = new Set<number>();
  for (const [num, entry] of section.entries) {
    if (entry.type === 'free') {
      if (before.object(num) !== undefined && after.object(num) === undefined) change(num, 'object removed');
      continue;
    }
    const value = after.object(num);
    // The xref stream itself and object streams only carry other objects, each listed on its own.
    if (typeOf(value) === 'XRef' || typeOf(value) === 'ObjStm') continue;
    const old = before.entries.has(num) ? before.object(num) : undefined;
    if (old !== undefined && text(old) === text(value)) continue;
    written.add(num);
  }
  // A new object takes a number past the previous revision's end; one that fills an old,
  // unused number could be what an old object pointed at all along, so it is never explained.
  const previousSize = before.size;
  const isNew = (num: number) => written.has(num) && num >= previousSize && before.object(num) === undefined;

  // The trailer: a new catalog or document information dictionary is a change in itself.
  const rootBefore = refNum(before.trailer.get('Root'));
  const rootAfter = refNum(after.trailer.get('Root'));
  if (rootBefore !== rootAfter) change(rootAfter ?? 0, 'catalog changed');
  const infoAfter = refNum(after.trailer.get('Info'));
  if (text(before.trailer.get('Info')) !== text(after.trailer.get('Info'))) change(infoAfter ?? 0, 'document information changed');
  if (text(before.trailer.get('Encrypt')) !== text(after.trailer.get('Encrypt'))) change(0, 'catalog changed');

  const explained = new Set<number>();
  const fieldsBefore = formFields(before);
  const fieldsAfter = formFields(after);
  const annotationsAfter = annotationsOf(after);

  // 1. New signatures and document timestamps of this revision whose own signature verifies.
  const newSignatureFields = new Set<number>();
  const newWidgets = new Set<number>();
  for (const signature of signedHere) {
    if (!signature.intact || !isNew(signature.value) || !fieldsAfter.has(signature.field)) continue;
    const field = after.dict(new PdfRef(signature.field, 0));
    if (!field || refNum(field.get('V')) !== signature.value || field.name('FT') !== 'Sig') continue;
    if (!isNew(signature.field)) {
      // Filling a signature field that was already there (empty) is fine; changing anything else is not.
      const old = before.dict(new PdfRef(signature.field, 0));
      if (!old || old.get('V') !== undefined || !onlyKeysDiffer(old, field, ['V', 'AP', 'F'])) continue;
    }
    // Its widgets: the field itself (merged) or its /Kids; each must be new or the field itself.
    const kids = after.resolve(field.get('Kids'));
    const widgets = Array.isArray(kids) ? kids.map(refNum).filter((n): n is number => n !== undefined) : [signature.field];
    if (widgets.some((w) => w !== signature.field && !isNew(w))) continue;
    // Appearance and everything it draws with: only new objects are explained, and none of them
    // may be used by any other annotation (a reused appearance would be a picture nobody signed).
    const own = new Set<number>([signature.value, signature.field, ...widgets]);
    for (const widget of widgets) {
      for (const num of referencedObjects(after, after.dict(new PdfRef(widget, 0))?.get('AP'), isNew)) if (isNew(num)) own.add(num);
    }
    let shared = false;
    for (const [annotation] of annotationsAfter) {
      if (widgets.includes(annotation)) continue;
      const used = referencedObjects(after, after.dict(new PdfRef(annotation, 0))?.get('AP'), isNew);
      for (const num of used) if (own.has(num)) shared = true;
    }
    if (shared) {
      change(signature.field, 'signature appearance shared with another annotation');
      continue;
    }
    for (const num of own) explained.add(num);
    newSignatureFields.add(signature.field);
    for (const widget of widgets) newWidgets.add(widget);
  }

  // 2. Validation data referenced from the catalog.
  const catalogAfter = after.catalog();
  const catalogBefore = before.catalog();
  if (text(catalogAfter.get('DSS')) !== text(catalogBefore.get('DSS'))) {
    const dssNum = refNum(catalogAfter.get('DSS'));
    if (dssNum === undefined || written.has(dssNum)) {
      for (const num of referencedObjects(after, catalogAfter.get('DSS'), (n) => written.has(n))) if (written.has(num)) explained.add(num);
    }
  }

  // 3. Bookkeeping that lists the new signatures: catalog, AcroForm, /Fields, pages and /Annots.
  if (rootAfter !== undefined && written.has(rootAfter) && onlyKeysDiffer(catalogBefore, catalogAfter, ['AcroForm', 'DSS', 'Extensions'])) explained.add(rootAfter);
  const acroFormBefore = before.dict(catalogBefore.get('AcroForm'));
  const acroFormAfter = after.dict(catalogAfter.get('AcroForm'));
  const rootFieldsBefore = (before.resolve(acroFormBefore?.get('Fields')) as PdfValue[] | undefined) ?? [];
  const rootFieldsAfter = after.resolve(acroFormAfter?.get('Fields'));
  const fieldsGrewOnlyBySignatures = Array.isArray(rootFieldsAfter) && onlyAppended(rootFieldsBefore, rootFieldsAfter, newSignatureFields);
  if (fieldsGrewOnlyBySignatures && acroFormAfter && (!acroFormBefore || onlyKeysDiffer(acroFormBefore, acroFormAfter, ['Fields', 'SigFlags']))) {
    const acroFormNum = refNum(catalogAfter.get('AcroForm'));
    if (acroFormNum !== undefined && written.has(acroFormNum) && (acroFormBefore || isNew(acroFormNum))) explained.add(acroFormNum);
    const fieldsNum = refNum(acroFormAfter.get('Fields'));
    if (fieldsNum !== undefined && written.has(fieldsNum)) explained.add(fieldsNum);
  }
  for (const [num, name] of fieldsBefore) if (fieldsAfter.get(num) !== name) change(num, 'form field removed or renamed');
  for (const page of after.pageRefs()) {
    const pageAfter = after.dict(page);
    const pageBefore = before.dict(page);
    if (!pageAfter || !pageBefore) continue;
    const annotsBefore = (before.resolve(pageBefore.get('Annots')) as PdfValue[] | undefined) ?? [];
    const annotsAfter = after.resolve(pageAfter.get('Annots'));
    if (!Array.isArray(annotsAfter) || !onlyAppended(annotsBefore, annotsAfter, newWidgets)) continue;
    if (written.has(page.num) && onlyKeysDiffer(pageBefore, pageAfter, ['Annots'])) explained.add(page.num);
    const annotsNum = refNum(pageAfter.get('Annots'));
    if (annotsNum !== undefined && written.has(annotsNum)) explained.add(annotsNum);
  }

  // Everything else this revision wrote is a change: name it.
  const unexplained = [...written].filter((num) => !explained.has(num));
  if (unexplained.length === 0) return changes;
  const reachable = referencedObjects(after, after.trailer, () => true);
  const pageNums = new Set(before.pageRefs().map((ref) => ref.num));
  const fieldListNum = refNum(acroFormBefore?.get('Fields'));
  const annotListNums = new Set([...pageNums].map((num) => refNum(before.dict(new PdfRef(num, 0))?.get('Annots'))));
  const contentNums = new Set<number>();
  const resourceNums = new Set<number>();
  for (const num of pageNums) {
    const page = before.dict(new PdfRef(num, 0));
    const contents = page?.get('Contents');
    for (const ref of Array.isArray(contents) ? contents : [contents]) if (ref instanceof PdfRef) contentNums.add(ref.num);
    for (const ref of referencedObjects(before, page?.get('Resources'), () => true)) resourceNums.add(ref);
  }
  for (const num of unexplained) change(num, classify(num));
  return changes;

  function classify(num: number): ChangeKind {
    const value = after.object(num);
    const old = before.object(num);
    const dict = value instanceof PdfStream ? value.dict : value instanceof PdfDict ? value : undefined;
    const type = typeOf(value);
    if (num === infoAfter) return 'document information changed';
    if (old === undefined) {
      if (!reachable.has(num)) return 'unreferenced object added';
      if (type === 'DSS' || type === 'VRI') return 'DSS not referenced from the catalog';
      if (type === 'Sig' || type === 'DocTimeStamp' || (dict?.get('ByteRange') !== undefined && dict?.get('Contents') !== undefined)) return 'signature that does not verify added';
      if (dict?.name('FT') === 'Sig') return 'signature field without a valid signature added';
      if (type === 'Annot' || dict?.name('Subtype') === 'Widget' || annotationsAfter.has(num)) return 'annotation added';
      if (type === 'Page' || type === 'Pages') return 'page added or removed';
      return 'object added';
    }
    const oldType = typeOf(old);
    if (oldType === 'Sig' || oldType === 'DocTimeStamp') return 'signature dictionary changed';
    if (contentNums.has(num)) return 'content stream changed';
    if (oldType === 'Pages') return 'page added or removed';
    if (pageNums.has(num)) return old instanceof PdfDict && dict && text(old.get('Contents')) !== text(dict.get('Contents')) ? 'content stream changed' : 'page changed';
    if (oldType === 'Catalog' || num === rootAfter) return 'catalog changed';
    if (fieldsBefore.has(num) || num === fieldListNum || num === refNum(catalogBefore.get('AcroForm'))) return 'form field changed';
    if (annotListNums.has(num)) return 'page changed';
    if (oldType === 'Annot' || annotationsAfter.has(num)) return 'annotation changed';
    if (resourceNums.has(num) || old instanceof PdfStream) return 'resource or stream changed';
    return 'object changed';
  }
}
