// signPdf: one PAdES B-T signature (ETSI.CAdES.detached, SHA-256, signature timestamp)
// appended as an incremental update. addDocumentTimestamp: a PAdES document timestamp
// (ETSI.RFC3161) over the whole file as it stands.
import { createHash } from 'node:crypto';
import type { SignatureAppearance } from './appearance/appearance';
import { fontObjects } from './appearance/cjk-font';
import { assembleSignedData, attribute, prepareCmsSigner, signedAttributes, type PreparedCmsSigner } from './cms';
import { SigningError } from './errors';
import { OID } from './oids';
import { embedContents, fillByteRange, signedSlices, type ByteRange } from './pdf/byte-range';
import { PdfDict, PdfName, PdfString, type PdfValue } from './pdf/objects';
import { buildSignatureRevision, pdfDate, type SignatureRect, type SignatureRevision, type SignatureRevisionRequest } from './pdf/signature-revision';
import type { Signer } from './signer';
import type { TimestampClient } from './timestamp-client';

export interface SignatureFieldSpec {
  name: string;
  /** 1-based page number. */
  page: number;
  /** The area the documents stage reserved for this signer, in PDF points; omit for an invisible signature. */
  rect?: SignatureRect;
  appearance?: SignatureAppearance;
}

export interface SignPdfOptions {
  pdf: Uint8Array;
  signer: Signer;
  field: SignatureFieldSpec;
  timestamp: TimestampClient;
  reason?: string;
  location?: string;
  /** The claimed signing time for /M and the appearance; the trusted time is the timestamp's. */
  signingTime?: Date;
  /** Room reserved for the timestamp token in /Contents (grown and retried once if too small). */
  timestampReserve?: number;
}

// Precomputed SignerInfo parts per signer object (not per process configuration).
const preparedSigners = new WeakMap<Signer, PreparedCmsSigner>();

function prepared(signer: Signer): PreparedCmsSigner {
  let value = preparedSigners.get(signer);
  if (!value) {
    value = prepareCmsSigner(signer.certificateChain, signer.keyType);
    preparedSigners.set(signer, value);
  }
  return value;
}

export async function signPdf(options: SignPdfOptions): Promise<Uint8Array> {
  if (!options.timestamp) throw new SigningError('TSA_UNAVAILABLE', 'signPdf needs a timestamp client: Sealflow makes no signature without a trusted time');
  return sign(options, options.timestamp);
}

/**
 * PAdES B-B without a signature timestamp. Not exported from signing/index.ts: it exists so
 * the benchmark can show what the timestamp costs. Sealflow's flows always use signPdf.
 */
export async function signPdfWithoutTimestamp(options: Omit<SignPdfOptions, 'timestamp'>): Promise<Uint8Array> {
  return sign(options, undefined);
}

async function sign(options: Omit<SignPdfOptions, 'timestamp'>, timestamp: TimestampClient | undefined): Promise<Uint8Array> {
  const { signer, field } = options;
  const signingTime = options.signingTime ?? new Date();
  const cmsSigner = prepared(signer);
  const certificateBytes = signer.certificateChain.reduce((sum, der) => sum + der.length, 0);
  let reserve = timestamp ? (options.timestampReserve ?? 8192) : 0;

  const appearance = field.rect && field.appearance ? appearanceFor(field.appearance, field.rect, signingTime) : undefined;
  const signatureDictionary: [string, PdfValue][] = [
    ['Type', new PdfName('Sig')],
    ['Filter', new PdfName('Adobe.PPKLite')],
    ['SubFilter', new PdfName('ETSI.CAdES.detached')],
    ['M', PdfString.text(pdfDate(signingTime, 480))],
  ];
  if (options.reason) signatureDictionary.push(['Reason', PdfString.text(options.reason)]);
  if (options.location) signatureDictionary.push(['Location', PdfString.text(options.location)]);

  for (let attempt = 0; ; attempt++) {
    const revision = buildRevision({ pdf: options.pdf, fieldName: field.name, page: field.page, rect: field.rect, appearance, signatureDictionary, contentsSize: certificateBytes + 1024 + reserve });
    const range = fillByteRange(revision.pdf, revision.placeholder);
    const attributes = signedAttributes(cmsSigner, { contentType: OID.data, messageDigest: digestOf(revision.pdf, range) });
    const signature = await signer.sign(attributes);
    // PAdES B-T: the TSA stamps the signature value. No token, no signature.
    const token = timestamp && (await timestamp.timestamp({ hashAlgorithm: 'sha256', digest: createHash('sha256').update(signature).digest() }));
    const cms = assembleSignedData(cmsSigner, { signedAttributes: attributes, signature, unsignedAttributes: token ? [attribute(OID.signatureTimeStampToken, token)] : [] });
    const room = (revision.placeholder.contentsLength - 2) / 2;
    if (cms.length <= room) {
      embedContents(revision.pdf, revision.placeholder, cms);
      return revision.pdf;
    }
    if (attempt > 0) throw new SigningError('SIGNATURE_TOO_LARGE', `the signature needs ${cms.length} bytes, more than the ${room} reserved`);
    reserve += cms.length - room + 1024;
  }
}

export interface DocumentTimestampOptions {
  fieldName?: string;
  tokenReserve?: number;
}

/** Adds a document timestamp (PAdES B-LTA style /DocTimeStamp) over the whole file. */
export async function addDocumentTimestamp(pdf: Uint8Array, tsa: TimestampClient, options: DocumentTimestampOptions = {}): Promise<Uint8Array> {
  let reserve = options.tokenReserve ?? 8192;
  for (let attempt = 0; ; attempt++) {
    const revision = buildRevision({
      pdf,
      fieldName: options.fieldName ?? `DocTimeStamp${Date.now()}`,
      page: 1,
      signatureDictionary: [
        ['Type', new PdfName('DocTimeStamp')],
        ['Filter', new PdfName('Adobe.PPKLite')],
        ['SubFilter', new PdfName('ETSI.RFC3161')],
      ],
      contentsSize: reserve,
    });
    const range = fillByteRange(revision.pdf, revision.placeholder);
    const token = await tsa.timestamp({ hashAlgorithm: 'sha256', digest: digestOf(revision.pdf, range) });
    const room = (revision.placeholder.contentsLength - 2) / 2;
    if (token.length <= room) {
      embedContents(revision.pdf, revision.placeholder, token);
      return revision.pdf;
    }
    if (attempt > 0) throw new SigningError('SIGNATURE_TOO_LARGE', `the timestamp token needs ${token.length} bytes, more than the ${room} reserved`);
    reserve = token.length + 1024;
  }
}

function digestOf(pdf: Uint8Array, range: ByteRange): Buffer {
  const [first, second] = signedSlices(pdf, range);
  return createHash('sha256').update(first).update(second).digest();
}

function buildRevision(request: SignatureRevisionRequest): SignatureRevision {
  try {
    return buildSignatureRevision(request);
  } catch (error) {
    const message = (error as Error).message;
    const code = /page \d+ does not exist|already has a field/.test(message) ? 'INVALID_FIELD' : 'UNSUPPORTED_PDF';
    throw new SigningError(code, `cannot add signature field "${request.fieldName}": ${message}`, { cause: error });
  }
}

function appearanceFor(appearance: SignatureAppearance, rect: SignatureRect, signingTime: Date): SignatureRevisionRequest['appearance'] {
  return {
    content: appearance.content({ width: rect.width, height: rect.height }, signingTime),
    resources: (allocate) => {
      const { fontRef, objects } = fontObjects(appearance.font, allocate);
      return { resources: new PdfDict([['Font', new PdfDict([['F1', fontRef]])]]), objects };
    },
  };
}
