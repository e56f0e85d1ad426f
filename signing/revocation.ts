// Revocation of certificates the Sealflow CA issued, and the CRLs (RFC 5280 §5) that publish
// it. The list of revoked certificates is a record in the key store (beside the keys it
// concerns, so a backup of one is a backup of the other); the CRLs are built with pkijs and
// signed by the CA key through the vault, as certificates are.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sequence, tlv } from './der';
import type { KeyRecordStore, RevocationListRecord } from './key-record-store';
import { OID } from './oids';

/** RFC 5280 §5.3.1 CRLReason, the codes an administrator can give. */
export const REVOCATION_REASONS = { unspecified: 0, keyCompromise: 1, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 } as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface Revocation {
  /** The certificate's serial number, hex, as its INTEGER content bytes. */
  serial: string;
  /** Which CA key issued it: the issuing CA (end-entity certificates) or the root (the issuing CA). */
  issuer: 'issuing' | 'root';
  reason: RevocationReason;
  /** When the certificate stopped being trustworthy; for a key compromise, when it is suspected to have begun. */
  revokedAt: string;
  /** When the revocation was recorded. */
  recordedAt: string;
  subject: string;
}

const RECORD_ID = 'ca:revocations';
/** Each retry follows another server's successful write, so this many means a storm of revocations. */
const MAX_WRITE_ATTEMPTS = 50;

/** The persisted revocation list: read on every CRL build (one row), appended to by revoke. */
export function revocationRegistry(records: KeyRecordStore) {
  async function load(): Promise<RevocationListRecord> {
    const record = await records.get(RECORD_ID);
    return record?.kind === 'revocation-list' ? record : { id: RECORD_ID, kind: 'revocation-list', entries: [] };
  }
  return {
    async list(): Promise<Revocation[]> {
      return (await load()).entries;
    },
    /**
     * Records a revocation; revoking a revoked certificate again keeps the first entry. A conditional write
     * (`replace`): when another server extended the list meanwhile, read it again and retry, never overwrite.
     */
    async add(entry: Revocation): Promise<Revocation> {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const stored = await records.get(RECORD_ID);
        const record: RevocationListRecord = stored?.kind === 'revocation-list' ? stored : { id: RECORD_ID, kind: 'revocation-list', entries: [] };
        const existing = record.entries.find((e) => e.serial === entry.serial && e.issuer === entry.issuer);
        if (existing) return existing;
        if (await records.replace(stored, { ...record, entries: [...record.entries, entry] })) return entry;
      }
      throw new Error(`the revocation list changed under ${MAX_WRITE_ATTEMPTS} attempts to extend it; try again`);
    },
  };
}

export type RevocationRegistry = ReturnType<typeof revocationRegistry>;

export function serialOf(certificate: pkijs.Certificate): string {
  return Buffer.from(certificate.serialNumber.valueBlock.valueHexView).toString('hex');
}

export interface CrlRequest {
  issuer: pkijs.Certificate;
  algorithm: pkijs.AlgorithmIdentifier;
  /** The issuer's subjectKeyIdentifier (authorityKeyIdentifier of the CRL). */
  authorityKeyId: Uint8Array;
  entries: readonly Revocation[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonic CRL number (RFC 5280 §5.2.3). */
  number: bigint;
  sign: (tbs: Uint8Array) => Promise<Uint8Array>;
}

/** A complete v2 CRL: every entry with its reason code, crlNumber and authorityKeyIdentifier. */
export async function buildCrl(request: CrlRequest): Promise<Uint8Array> {
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1; // v2
  crl.signature = request.algorithm;
  crl.signatureAlgorithm = request.algorithm;
  crl.issuer = request.issuer.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: request.thisUpdate });
  crl.nextUpdate = new pkijs.Time({ type: 0, value: request.nextUpdate });
  if (request.entries.length > 0) {
    crl.revokedCertificates = request.entries.map(
      (entry) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.from(entry.serial, 'hex')) }),
          revocationDate: new pkijs.Time({ type: 0, value: new Date(entry.revokedAt) }),
          crlEntryExtensions: new pkijs.Extensions({ extensions: [extension(OID.crlReason, tlv(0x0a, Uint8Array.of(REVOCATION_REASONS[entry.reason])))] }),
        }),
    );
  }
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [extension(OID.authorityKeyIdentifier, sequence(tlv(0x80, request.authorityKeyId))), extension(OID.crlNumber, integerDer(request.number))],
  });
  // pkijs signs only with a WebCrypto key; the CA key lives in the vault, so the TBS is encoded here and signed there.
  const tbs = new Uint8Array((crl as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER());
  crl.tbsView = tbs;
  crl.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(await request.sign(tbs)) });
  return new Uint8Array(crl.toSchema().toBER());
}

/** CRLDistributionPoints with one fullName URI (RFC 5280 §4.2.1.13). */
export function crlDistributionPoints(url: string): Uint8Array {
  return sequence(sequence(tlv(0xa0, tlv(0xa0, tlv(0x86, Buffer.from(url, 'ascii'))))));
}

function extension(id: string, value: Uint8Array): pkijs.Extension {
  return new pkijs.Extension({ extnID: id, critical: false, extnValue: toArrayBuffer(value) });
}

function integerDer(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0] & 0x80 ? tlv(0x02, Uint8Array.of(0), bytes) : tlv(0x02, bytes);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
