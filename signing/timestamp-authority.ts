// Sealflow's own RFC 3161 time-stamping authority. Tokens are CMS SignedData over a
// TSTInfo, signed by a TSA certificate (extendedKeyUsage timeStamping, critical) that the
// Sealflow CA issued. `respond` speaks the RFC 3161 wire format for the HTTP handler.
import { createHash, randomBytes } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { CertificateAuthority } from './certificate-authority';
import { assembleSignedData, prepareCmsSigner, signedAttributes, type PreparedCmsSigner } from './cms';
import { bool, explicit, generalizedTime, octetString, oid, readTlv, sequence, smallInteger, tlv, unsignedInteger, type Der } from './der';
import type { KeyType, KeyVault } from './key-vault';
import { HASH_OID, hashAlgorithmFromOid, OID, type HashAlgorithm } from './oids';

export interface TimestampRequest {
  hashAlgorithm: HashAlgorithm;
  digest: Uint8Array;
  /** The request's nonce, as a complete DER INTEGER, echoed into the token. */
  nonce?: Uint8Array;
  /** Include the TSA's certificates in the token (RFC 3161 certReq). */
  certReq?: boolean;
  /** The AlgorithmIdentifier exactly as requested (echoed, so the imprints compare equal). */
  hashAlgorithmIdentifier?: Uint8Array;
}

export interface TimestampAuthority {
  readonly certificateChain: readonly Uint8Array[];
  /** A TimeStampToken (ContentInfo DER) over the given message imprint. */
  issueToken(request: TimestampRequest): Promise<Uint8Array>;
  /** TimeStampReq DER in, TimeStampResp DER out (errors are answered in the response, as RFC 3161 wants). */
  respond(timeStampReq: Uint8Array): Promise<Uint8Array>;
}

export interface LocalTimestampAuthorityOptions {
  vault: KeyVault;
  ca: CertificateAuthority;
  keyId?: string;
  tenantId?: string;
  name?: string;
  keyType?: KeyType;
  /** The TSA's clock; it should be synchronised to a trusted time source (NTP/NTS). */
  now?: () => Date;
  /** Lifetime of the TSA certificate (default 10 years; short in tests of archive renewal). */
  certificateValidityMs?: number;
  /**
   * The TSA has its certificate renewed (same key, new certificate) once it expires within
   * this margin, so a document timestamp made to renew an archive never rides on a
   * certificate that is about to expire itself. Default 180 days.
   */
  renewCertificateBeforeMs?: number;
}

const DIGEST_LENGTH: Record<HashAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** Loads the TSA key and certificate from the vault, creating and certifying them on first use. */
export async function createLocalTimestampAuthority(options: LocalTimestampAuthorityOptions): Promise<TimestampAuthority> {
  const { vault, ca, keyId = 'sealflow-tsa', tenantId = 'sealflow-ca', name = 'Sealflow TSA' } = options;
  const now = options.now ?? (() => new Date());
  const renewBeforeMs = options.renewCertificateBeforeMs ?? 180 * 86_400_000;
  const certify = async () => {
    const chain = await ca.issue({ subject: { kind: 'service', commonName: name, organization: 'Sealflow' }, publicKey: await vault.publicKey(keyId), profile: 'timestamping', validityMs: options.certificateValidityMs });
    await vault.setCertificateChain(keyId, chain);
  };
  if (!(await vault.hasKey(keyId))) {
    await vault.createKey({ tenantId, keyId, keyType: options.keyType });
    await certify();
  }
  const keyType = await vault.keyType(keyId);
  let chain: Uint8Array[] = [];
  let notAfter = 0;
  let prepared: PreparedCmsSigner;
  let preparedWithoutCerts: PreparedCmsSigner;
  let tsaName: Uint8Array;
  const load = async () => {
    chain = await vault.certificateChain(keyId);
    notAfter = pkijs.Certificate.fromBER(chain[0]).notAfter.value.getTime();
    // The token carries the TSA certificate and its issuing CA; the root is the verifier's anchor.
    prepared = prepareCmsSigner(chain.slice(0, -1), keyType);
    preparedWithoutCerts = { ...prepared, certificates: new Uint8Array(0) };
    tsaName = explicit(0, tlv(0xa4, subjectName(chain[0])));
  };
  await load();
  let renewing: Promise<void> | undefined;
  async function freshCertificate(): Promise<void> {
    if (notAfter - now().getTime() > renewBeforeMs) return;
    renewing ??= (async () => {
      // Another process sharing the vault may have renewed it already.
      await load();
      if (notAfter - now().getTime() <= renewBeforeMs) {
        await certify();
        await load();
      }
    })().finally(() => (renewing = undefined));
    await renewing;
  }

  async function issueToken(request: TimestampRequest): Promise<Uint8Array> {
    await freshCertificate();
    if (request.digest.length !== DIGEST_LENGTH[request.hashAlgorithm]) throw new Error(`a ${request.hashAlgorithm} imprint has ${DIGEST_LENGTH[request.hashAlgorithm]} bytes`);
    const tstInfo = sequence(
      smallInteger(1),
      oid(OID.sealflowTsaPolicy),
      sequence(request.hashAlgorithmIdentifier ?? sequence(oid(HASH_OID[request.hashAlgorithm])), octetString(request.digest)),
      unsignedInteger(randomBytes(16)),
      generalizedTime(now()),
      ...(request.nonce ? [request.nonce] : []),
      tsaName,
    );
    const attributes = signedAttributes(prepared, { contentType: OID.tstInfo, messageDigest: createHash('sha256').update(tstInfo).digest() });
    const signature = await vault.sign(keyId, attributes);
    return assembleSignedData(request.certReq === false ? preparedWithoutCerts : prepared, {
      signedAttributes: attributes,
      signature,
      encapsulated: { contentType: OID.tstInfo, content: tstInfo },
    });
  }

  return {
    get certificateChain() {
      return chain;
    },
    issueToken,
    async respond(timeStampReq) {
      let request: TimestampRequest;
      try {
        request = parseTimeStampReq(timeStampReq);
      } catch (error) {
        return rejection(5, `bad request: ${(error as Error).message}`); // badDataFormat
      }
      try {
        return sequence(sequence(smallInteger(0)), await issueToken(request));
      } catch {
        return rejection(25, 'the TSA could not sign'); // systemFailure
      }
    },
  };
}

function subjectName(certificate: Uint8Array): Uint8Array {
  const parsed = pkijs.Certificate.fromBER(certificate);
  return new Uint8Array(parsed.subject.toSchema().toBER());
}

/** Parses the parts of a TimeStampReq the TSA acts on; throws on anything it cannot honour. */
export function parseTimeStampReq(der: Uint8Array): TimestampRequest {
  const request = pkijs.TimeStampReq.fromBER(der);
  if (request.version !== 1) throw new Error('version must be 1');
  if (request.reqPolicy && request.reqPolicy !== OID.sealflowTsaPolicy) throw new Error(`policy ${request.reqPolicy} is not offered`);
  const hashAlgorithm = hashAlgorithmFromOid(request.messageImprint.hashAlgorithm.algorithmId);
  if (!hashAlgorithm) throw new Error(`hash algorithm ${request.messageImprint.hashAlgorithm.algorithmId} is not accepted`);
  const digest = new Uint8Array(request.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (digest.length !== DIGEST_LENGTH[hashAlgorithm]) throw new Error('the imprint length does not match its algorithm');
  // Echo the requester's own encodings of the algorithm identifier and nonce.
  const imprint = readTlv(der, readTlv(der, readTlv(der).contentStart).end);
  const algorithm = readTlv(der, imprint.contentStart);
  return {
    hashAlgorithm,
    digest,
    hashAlgorithmIdentifier: der.subarray(imprint.contentStart, algorithm.end),
    nonce: request.nonce ? new Uint8Array(request.nonce.toBER()) : undefined,
    certReq: request.certReq ?? false,
  };
}

function rejection(failBit: number, message: string): Der {
  const bytes = new Uint8Array(Math.floor(failBit / 8) + 1);
  bytes[Math.floor(failBit / 8)] = 0x80 >> failBit % 8;
  const unused = 7 - (failBit % 8);
  const failInfo = tlv(0x03, Uint8Array.of(unused), bytes);
  return sequence(sequence(smallInteger(2), sequence(tlv(0x0c, Buffer.from(message, 'utf8'))), failInfo));
}

export interface TimestampHttpResponse {
  status: number;
  contentType: 'application/timestamp-reply';
  body: Uint8Array;
}

/** What the server mounts (e.g. POST /tsa with a raw body parser): TimeStampReq DER → TimeStampResp DER. */
export function createTimestampHttpHandler(tsa: TimestampAuthority, options: { maxRequestBytes?: number } = {}): (body: Uint8Array) => Promise<TimestampHttpResponse> {
  const maxRequestBytes = options.maxRequestBytes ?? 16 * 1024;
  return async (body) => {
    const reply = body.length > maxRequestBytes ? rejection(2, 'request too large') : await tsa.respond(body);
    return { status: 200, contentType: 'application/timestamp-reply', body: reply };
  };
}

// Re-exported for tests that build requests by hand.
export const timestampRequestDer = (options: { hashAlgorithm: HashAlgorithm; digest: Uint8Array; nonce?: Uint8Array; certReq?: boolean }): Der =>
  sequence(
    smallInteger(1),
    sequence(sequence(oid(HASH_OID[options.hashAlgorithm])), octetString(options.digest)),
    ...(options.nonce ? [unsignedInteger(options.nonce)] : []),
    ...(options.certReq ? [bool(true)] : []),
  );
