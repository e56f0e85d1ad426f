// verifyPdf: for every signature in a PDF, who signed, with which certificate chain, when,
// whether the signed bytes are intact, and whether anything was changed afterwards.
import { signedSlices, type ByteRange } from '../pdf/byte-range';
import { PdfDict, PdfRef, PdfString, type PdfValue } from '../pdf/objects';
import { PdfReader } from '../pdf/xref';
import { buildChain, subjectFacts, summarize, type CertificateSummary, type SubjectFacts } from './certificates';
import { verifyCms } from './cms-verification';
import { DEFAULT_VERIFY_LIMITS } from './limits';
import { describeRevisionChanges, findRevisions, type RevisionChanges, type SignatureInRevision } from './revisions';
import { verifyTimestampToken, type TimestampReport } from './timestamp-verification';

export interface VerifyPdfOptions {
  /** DER certificates trusted as roots (Sealflow's root CA, and any external CA's). */
  trustAnchors: readonly Uint8Array[];
}

export interface SignatureReport {
  fieldName: string;
  kind: 'signature' | 'document-timestamp';
  subFilter: string;
  signer?: SubjectFacts;
  certificateChain: CertificateSummary[];
  chainTrusted: boolean;
  /** The signer's claimed time (/M or a signing-time attribute); the trusted time is the timestamp's. */
  signingTime?: { time: string; source: 'signed-attribute' | 'signature-dictionary' | 'timestamp' };
  timestamp?: TimestampReport;
  /** Digest of the byte ranges matches and the CMS signature verifies. */
  intact: boolean;
  byteRange: number[];
  /** The byte range starts at 0, skips only /Contents and ends at a revision's %%EOF. */
  coversWholeRevision: boolean;
  /** The 1-based revision this signature signed. */
  revision?: number;
  coversWholeDocument: boolean;
  /** A later revision changed the document in a way that is not just another signature. */
  modifiedAfterSigning: boolean;
  reason?: string;
  location?: string;
  valid: boolean;
  problems: string[];
}

export interface VerificationReport {
  signatures: SignatureReport[];
  revisions: number;
  /** Revisions after the first signed one that change more than signatures, document timestamps and DSS. */
  changesAfterSigning: RevisionChanges[];
  /** Bytes after the last %%EOF that belong to no revision. */
  trailingBytes: number;
  /** Why the document as a whole is not valid, in words for a person (empty when it is). */
  problems: string[];
  valid: boolean;
}

/** More fields than any contract has; a form tree beyond it is not walked further. */
const MAX_FIELDS = 10_000;

interface SignatureFieldFound {
  name: string;
  /** Object numbers of the terminal field and of its signature dictionary (/V). */
  fieldNum: number;
  valueNum: number;
  dictionary: PdfDict;
}

export function verifyPdf(pdf: Uint8Array, options: VerifyPdfOptions): VerificationReport {
  const bytes = Buffer.isBuffer(pdf) ? pdf : Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const { revisions, trailingBytes } = findRevisions(bytes);
  const reader = new PdfReader(bytes);
  const fields = signatureFields(reader);

  // A digest costs a pass over up to 20 MB: one document must not buy more of them than it has
  // revisions. Fields sharing one signature dictionary are checked once (no legitimate
  // document shares a /V); at most one signature per revision end, at most maxRevisions in all.
  const budget: CheckBudget = { left: DEFAULT_VERIFY_LIMITS.maxRevisions, revisionsChecked: new Set() };
  const byValue = new Map<number, { field: SignatureFieldFound; report: SignatureReport }>();
  const verified = fields.map((field) => {
    const first = byValue.get(field.valueNum);
    if (first) return { field, report: sharedReport(first.report, field.name) };
    const report = verifySignature(bytes, field, options, revisions, budget);
    byValue.set(field.valueNum, { field, report });
    return { field, report };
  });
  const signatures = verified.map((v) => v.report).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));

  // What each later revision changed, judged against the signatures it itself carries.
  const signedRevisions: SignatureInRevision[] = verified
    .filter((v) => v.report.revision !== undefined)
    .map((v) => ({ revision: v.report.revision!, field: v.field.fieldNum, value: v.field.valueNum, intact: v.report.intact && v.report.coversWholeRevision }));
  const firstSigned = Math.min(...signatures.map((s) => s.revision ?? Infinity));
  const changesAfterSigning: RevisionChanges[] = [];
  for (const revision of revisions) {
    if (revision.number <= firstSigned) continue;
    const changes = describeRevisionChanges(bytes, revision, revisions[revision.number - 2], signedRevisions);
    if (!changes.harmless) changesAfterSigning.push(changes);
  }
  for (const signature of signatures) {
    const later = changesAfterSigning.filter((c) => signature.revision !== undefined && c.revision > signature.revision);
    if (later.length > 0 || (trailingBytes > 0 && signature.revision !== undefined)) {
      signature.modifiedAfterSigning = true;
      for (const change of later) signature.problems.push(`changed after signing: revision ${change.revision} ${[...new Set(change.changes.map((c) => c.kind))].join(', ')}`);
      if (trailingBytes > 0) signature.problems.push(`changed after signing: ${trailingBytes} bytes were appended after the last revision`);
      signature.valid = false;
    }
  }
  // A document timestamp proves when a file existed, not that anyone agreed to it: a report
  // is valid only with at least one approval signature, and with every signature valid.
  const problems: string[] = [];
  if (!signatures.some((s) => s.kind === 'signature')) {
    problems.push(signatures.length === 0 ? 'the document is not signed' : 'the document carries only document timestamps: they prove when it existed, not that anyone signed it');
  }
  const invalid = signatures.filter((s) => !s.valid).map((s) => `"${s.fieldName}"`);
  if (invalid.length > 0) problems.push(`not valid: ${invalid.join(', ')}`);
  for (const change of changesAfterSigning) problems.push(`revision ${change.revision} changed the document after signing: ${[...new Set(change.changes.map((c) => c.kind))].join(', ')}`);
  return { signatures, revisions: revisions.length, changesAfterSigning, trailingBytes, problems, valid: problems.length === 0 && trailingBytes === 0 };
}

/** Signature fields of the current revision, walking /Fields and /Kids (each field once: the tree may be hostile). */
function signatureFields(reader: PdfReader): SignatureFieldFound[] {
  const found: SignatureFieldFound[] = [];
  const visited = new Set<number>();
  const acroForm = reader.dict(reader.catalog().get('AcroForm'));
  const visit = (value: PdfValue | undefined, parentName: string, depth: number): void => {
    if (!(value instanceof PdfRef) || visited.has(value.num) || depth > 32 || visited.size > MAX_FIELDS) return;
    visited.add(value.num);
    const field = reader.dict(value);
    if (!field) return;
    const partial = field.get('T') instanceof PdfString ? (field.get('T') as PdfString).text() : '';
    const name = parentName && partial ? `${parentName}.${partial}` : partial || parentName;
    const signatureRef = field.get('V');
    const signature = reader.dict(signatureRef);
    if (field.name('FT') === 'Sig' && signature && signatureRef instanceof PdfRef) found.push({ name, fieldNum: value.num, valueNum: signatureRef.num, dictionary: signature });
    const kids = reader.resolve(field.get('Kids'));
    if (Array.isArray(kids)) for (const kid of kids) visit(kid, name, depth + 1);
  };
  const fields = reader.resolve(acroForm?.get('Fields'));
  if (Array.isArray(fields)) for (const field of fields) visit(field, '', 0);
  return found;
}

/** What is left of a document's cryptographic checks, and the revisions a checked signature already ends at. */
interface CheckBudget {
  left: number;
  revisionsChecked: Set<number>;
}

/** The report of a field whose /V is another field's signature dictionary: the same facts, never valid. */
function sharedReport(first: SignatureReport, fieldName: string): SignatureReport {
  return { ...first, fieldName, modifiedAfterSigning: false, valid: false, problems: [...first.problems, `shares its signature value with field "${first.fieldName}"`] };
}

function verifySignature(bytes: Buffer, field: SignatureFieldFound, options: VerifyPdfOptions, revisions: { number: number; end: number }[], budget: CheckBudget): SignatureReport {
  const { dictionary } = field;
  const subFilter = dictionary.name('SubFilter') ?? '';
  const kind = dictionary.name('Type') === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161' ? 'document-timestamp' : 'signature';
  const problems: string[] = [];
  const range = (dictionary.get('ByteRange') as number[] | undefined) ?? [];
  const contents = dictionary.get('Contents');
  const report: SignatureReport = {
    fieldName: field.name,
    kind,
    subFilter,
    certificateChain: [],
    chainTrusted: false,
    intact: false,
    byteRange: range,
    coversWholeRevision: false,
    coversWholeDocument: false,
    modifiedAfterSigning: false,
    reason: dictionary.get('Reason') instanceof PdfString ? (dictionary.get('Reason') as PdfString).text() : undefined,
    location: dictionary.get('Location') instanceof PdfString ? (dictionary.get('Location') as PdfString).text() : undefined,
    valid: false,
    problems,
  };
  if (range.length !== 4 || !(contents instanceof PdfString) || !contents.hex) {
    problems.push('the signature dictionary has no usable /ByteRange and /Contents');
    return report;
  }
  const byteRange = range as ByteRange;
  const end = byteRange[2] + byteRange[3];
  // The gap must be exactly the /Contents hex string: nothing unsigned may hide in it.
  // (Its length first: a gap of megabytes is not read once per signature.)
  const gapLength = byteRange[2] - byteRange[0] - byteRange[1];
  const gap = gapLength === contents.raw.length + 2 ? bytes.toString('latin1', byteRange[0] + byteRange[1], byteRange[2]) : '';
  const gapIsContents = byteRange[0] === 0 && /^<[0-9a-fA-F]*>$/.test(gap) && gap.slice(1, -1) === contents.raw.toString('latin1');
  if (!gapIsContents) problems.push('the byte range leaves out more than the /Contents hex string');
  if (end > bytes.length) problems.push('the byte range reaches beyond the end of the file');
  const revision = revisions.find((r) => r.end === end || r.end === end + 1 || r.end === end + 2);
  report.revision = revision?.number;
  report.coversWholeRevision = gapIsContents && !!revision;
  if (!revision) problems.push('the byte range does not end at the end of a revision');
  report.coversWholeDocument = gapIsContents && end >= bytes.length - 2 && end <= bytes.length;
  // A valid signature ends at a revision end, and no two at the same one: a second claim on a
  // checked revision, or a signature beyond the budget, is invalid without hashing anything.
  if (revision && budget.revisionsChecked.has(revision.number)) {
    problems.push(`another signature already ends at revision ${revision.number}`);
    return report;
  }
  if (budget.left <= 0) {
    problems.push('not checked: more signatures than revisions');
    return report;
  }
  budget.left--;
  if (revision) budget.revisionsChecked.add(revision.number);

  const der = contents.bytes();
  const slices = signedSlices(bytes, byteRange);
  const claimed = dictionary.get('M') instanceof PdfString ? parsePdfDate((dictionary.get('M') as PdfString).text()) : undefined;
  try {
    if (kind === 'document-timestamp') {
      const timestamp = verifyTimestampToken(der, slices, options.trustAnchors);
      report.timestamp = timestamp;
      problems.push(...timestamp.problems);
      report.intact = timestamp.imprintMatches && timestamp.signatureValid;
      report.chainTrusted = timestamp.trusted;
      report.signingTime = timestamp.time ? { time: timestamp.time, source: 'timestamp' } : undefined;
      report.signer = timestamp.tsaCertificate ? { commonName: timestamp.tsa } : undefined;
    } else {
      const cms = verifyCms(der, slices);
      problems.push(...cms.problems);
      report.intact = cms.digestMatches && cms.signatureValid && cms.signingCertificateBound;
      if (cms.signerCertificate) {
        report.signer = subjectFacts(cms.signerCertificate);
        const tokenAttribute = cms.timestampToken;
        if (tokenAttribute) {
          report.timestamp = verifyTimestampToken(tokenAttribute, [cms.signatureValue], options.trustAnchors);
          problems.push(...report.timestamp.problems);
        } else problems.push('the signature has no signature timestamp (PAdES B-T)');
        const at = report.timestamp?.time ? new Date(report.timestamp.time) : (cms.signingTime ?? claimed ?? new Date());
        const chain = buildChain(cms.signerCertificate, cms.certificates, options.trustAnchors, at);
        problems.push(...chain.problems);
        report.chainTrusted = chain.trusted;
        report.certificateChain = chain.chain.map(summarize);
      }
      if (cms.signingTime) report.signingTime = { time: cms.signingTime.toISOString(), source: 'signed-attribute' };
      else if (claimed) report.signingTime = { time: claimed.toISOString(), source: 'signature-dictionary' };
    }
  } catch (error) {
    problems.push(`the signature could not be parsed: ${(error as Error).message}`);
  }
  if (kind === 'document-timestamp' && report.timestamp?.tsaCertificate) report.certificateChain = [report.timestamp.tsaCertificate];
  const timestampOk = !!report.timestamp && report.timestamp.imprintMatches && report.timestamp.signatureValid && report.timestamp.trusted;
  report.valid = report.intact && report.chainTrusted && report.coversWholeRevision && timestampOk;
  return report;
}

/** D:YYYYMMDDHHmmSS+HH'mm' (parts after the year optional). */
export function parsePdfDate(text: string): Date | undefined {
  const match = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(text);
  if (!match) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = match;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : sign === '+' ? 1 : 0);
  return new Date(utc - offset * 60_000);
}
