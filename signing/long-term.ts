// PAdES long-term validation (ETSI EN 319 142-1): B-LT adds the validation data a verifier
// needs years from now — every certificate of every signature and timestamp, and the CRLs
// that say none was revoked — in a Document Security Store (DSS, ISO 32000-2 §12.8.4.3);
// B-LTA then covers the file with a document timestamp. Renewing an archive is the same
// two steps again before the last timestamp's TSA certificate expires: fresh revocation
// data for that certificate, and a new timestamp over everything.
import { createHash } from 'node:crypto';
import type { CertificateAuthority } from './certificate-authority';
import { describeRevisionTail, writeIncrementalUpdate, type ObjectToWrite } from './pdf/incremental-update';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, serializeObjectBody, type PdfValue } from './pdf/objects';
import { decodeStream, PdfReader } from './pdf/xref';
import { addDocumentTimestamp } from './sign-pdf';
import type { TimestampClient } from './timestamp-client';
import { signedDataParts } from './verify/cms-verification';
import { children, expectTag, readNode, timeValue } from './verify/der-reader';

export interface ValidationData {
  /** DER certificates. */
  certificates: readonly Uint8Array[];
  /** DER CRLs. */
  crls: readonly Uint8Array[];
  /** DER OCSPResponses (none from Sealflow's CA today; accepted for outside CAs' data). */
  ocsps?: readonly Uint8Array[];
}

interface EmbeddedSignature {
  kind: 'signature' | 'document-timestamp';
  /** Certificates in the CMS and in its signature timestamp token. */
  certificates: Uint8Array[];
  /** Signer certificate of the timestamp: the token's for a document timestamp, the signature timestamp's otherwise. */
  timestampCertificate?: Uint8Array;
  /** genTime of the (signature or document) timestamp. */
  timestampTime?: Date;
}

/** genTime of a timestamp token's TSTInfo (RFC 3161 §2.4.2: version, policy, messageImprint, serialNumber, genTime). */
function genTime(tstInfo: Uint8Array): Date {
  return timeValue(expectTag(children(expectTag(readNode(tstInfo, 0), 0x30, 'TSTInfo'))[4], 0x18, 'genTime'));
}

/** A timestamp token's certificates, its TSA certificate (the one its SignerInfo names) and genTime. */
function timestampToken(token: Uint8Array): { certificates: Uint8Array[]; certificate?: Uint8Array; time?: Date } {
  const parts = signedDataParts(token);
  return { certificates: parts.certificates, certificate: parts.signerCertificate, time: parts.eContent ? genTime(parts.eContent) : undefined };
}

/** The signature dictionaries of the file's signed fields, in /Fields order. */
function signatureValues(pdf: Uint8Array): { documentTimestamp: boolean; contents: Uint8Array }[] {
  const reader = new PdfReader(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
  const acroForm = reader.dict(reader.catalog().get('AcroForm'));
  const fields = (reader.resolve(acroForm?.get('Fields')) as PdfValue[] | undefined) ?? [];
  const found = [];
  for (const field of fields) {
    const value = reader.dict(reader.dict(field)?.get('V'));
    const contents = value?.get('Contents');
    if (!value || !(contents instanceof PdfString)) continue;
    found.push({ documentTimestamp: value.name('Type') === 'DocTimeStamp' || value.name('SubFilter') === 'ETSI.RFC3161', contents: new Uint8Array(contents.bytes()) });
  }
  return found;
}

function embeddedSignature({ documentTimestamp, contents }: { documentTimestamp: boolean; contents: Uint8Array }): EmbeddedSignature {
  if (documentTimestamp) {
    const token = timestampToken(contents);
    return { kind: 'document-timestamp', certificates: token.certificates, timestampCertificate: token.certificate, timestampTime: token.time };
  }
  const parts = signedDataParts(contents);
  const token = parts.timestampToken ? timestampToken(parts.timestampToken) : undefined;
  return { kind: 'signature', certificates: [...parts.certificates, ...(token?.certificates ?? [])], timestampCertificate: token?.certificate, timestampTime: token?.time };
}

/** Every signature and document timestamp in the file, in /Fields order. */
export function embeddedSignatures(pdf: Uint8Array): EmbeddedSignature[] {
  return signatureValues(pdf).map(embeddedSignature);
}

/**
 * Appends an incremental update whose catalog points at a new DSS holding what was there
 * and `data` (each item once). Earlier revisions are untouched, so every signature stays
 * valid; the verifier (revisions.ts) accepts a DSS referenced from the catalog.
 */
export function addValidationData(pdf: Uint8Array, data: ValidationData): Uint8Array {
  const base = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const reader = new PdfReader(base);
  const catalogRef = reader.trailer.get('Root') as PdfRef;
  const catalog = reader.catalog().clone();
  const existing = reader.dict(catalog.get('DSS'));
  let nextNum = reader.size;
  const objects: ObjectToWrite[] = [];
  const lists: Record<'Certs' | 'CRLs' | 'OCSPs', PdfValue[]> = { Certs: [], CRLs: [], OCSPs: [] };
  const add = (key: keyof typeof lists, items: readonly Uint8Array[] | undefined) => {
    const seen = new Set<string>();
    for (const ref of (reader.resolve(existing?.get(key)) as PdfValue[] | undefined) ?? []) {
      const stream = reader.resolve(ref);
      if (!(stream instanceof PdfStream)) continue;
      seen.add(digest(decodeStream(stream)));
      lists[key].push(ref);
    }
    for (const item of items ?? []) {
      const hash = digest(item);
      if (seen.has(hash)) continue;
      seen.add(hash);
      const ref = new PdfRef(nextNum++, 0);
      objects.push({ ref, body: serializeObjectBody(new PdfStream(new PdfDict(), Buffer.from(item))) });
      lists[key].push(ref);
    }
  };
  add('Certs', data.certificates);
  add('CRLs', data.crls);
  add('OCSPs', data.ocsps);
  const dss = new PdfDict([['Type', new PdfName('DSS')]]);
  for (const key of ['Certs', 'CRLs', 'OCSPs'] as const) if (lists[key].length > 0) dss.set(key, lists[key]);
  // Always a new DSS object and a catalog naming it: an old DSS rewritten in place would read as a change after signing.
  const dssRef = new PdfRef(nextNum++, 0);
  objects.push({ ref: dssRef, body: serializeObjectBody(dss) });
  catalog.set('DSS', dssRef);
  const catalogEntry = reader.entries.get(catalogRef.num);
  objects.push({ ref: new PdfRef(catalogRef.num, catalogEntry?.type === 'offset' ? catalogEntry.gen : 0), body: serializeObjectBody(catalog) });
  const update = writeIncrementalUpdate(describeRevisionTail(reader), objects);
  return new Uint8Array(Buffer.concat([base, update.bytes]));
}

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What the DSS must hold for this file: every certificate in it, the CA chain, and the CA's CRLs issued now. */
export async function validationDataFor(pdf: Uint8Array, ca: CertificateAuthority): Promise<ValidationData> {
  const signatures = embeddedSignatures(pdf);
  const certificates = [...signatures.flatMap((s) => s.certificates), ca.issuingCertificate, ca.rootCertificate];
  // Revocation data must postdate every timestamp it vouches for.
  const latest = Math.max(0, ...signatures.map((s) => s.timestampTime?.getTime() ?? 0));
  const crls = await ca.crls({ freshAfter: new Date(latest) });
  return { certificates, crls: [crls.issuing, crls.root] };
}

/**
 * PAdES B-LTA: the DSS (B-LT) and a document timestamp over the whole file. Run at archive
 * time, after the last signature, and again by the renewal before the last timestamp's TSA
 * certificate expires.
 */
export async function extendLongTermValidation(options: { pdf: Uint8Array; ca: CertificateAuthority; timestamps: TimestampClient }): Promise<Uint8Array> {
  const withData = addValidationData(options.pdf, await validationDataFor(options.pdf, options.ca));
  return addDocumentTimestamp(withData, options.timestamps, { fieldName: `SealflowArchive${Date.now()}` });
}

/** When the newest document timestamp's TSA certificate expires: the archive must be renewed before then. Null without one. */
export function archiveTimestampExpiry(pdf: Uint8Array): Date | null {
  const last = signatureValues(pdf).filter((s) => s.documentTimestamp).at(-1);
  const certificate = last && embeddedSignature(last).timestampCertificate;
  if (!certificate) return null;
  const tbs = children(expectTag(children(expectTag(readNode(certificate, 0), 0x30, 'Certificate'))[0], 0x30, 'TBSCertificate'));
  const validity = children(expectTag(tbs[tbs[0]?.tag === 0xa0 ? 4 : 3], 0x30, 'Validity'));
  return timeValue(validity[1]);
}
