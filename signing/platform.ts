// The platform's own PKI, as the hub runs it: the key vault over the database, the
// Sealflow CA (root → issuing), the timestamp authority and the platform signer that
// seals evidence reports. Everything is created on first start and found again after.
import type { SigningKeyRepository } from '../store';
import { createLocalCertificateAuthority, enrollSigner, type CertificateAuthority } from './certificate-authority';
import type { KeyRecord, KeyRecordStore } from './key-record-store';
import { createKeyVault, type KeyVault } from './key-vault';
import { createLocalSigner, type Signer } from './signer';
import { type CertificateSubject } from './subject';
import { createLocalTimestampAuthority, type TimestampAuthority } from './timestamp-authority';
import { createHttpTimestampClient, createLocalTimestampClient, type TimestampClient } from './timestamp-client';

export interface SigningPlatform {
  vault: KeyVault;
  ca: CertificateAuthority;
  tsa: TimestampAuthority;
  /** Our own TSA in-process, or the external TSA when a URL is configured. */
  timestamps: TimestampClient;
  /** Seals evidence reports and document timestamps' companions. */
  platformSigner: Signer;
  rootCertificatePem: string;
  /** Archive renewal (PAdES B-LTA): a fresh DSS and document timestamp this long before the last timestamp's TSA certificate expires. */
  archiveRenewalMarginMs: number;
}

export interface SigningPlatformOptions {
  masterKey: Uint8Array;
  keyRecords: KeyRecordStore;
  tsaUrl?: string | null;
  now?: () => Date;
  /** SEALFLOW_PUBLIC_URL: certificates name the CRLs published under it. */
  publicUrl?: string;
  /** Default 90 days; the TSA renews its own certificate twice this margin before expiry. */
  archiveRenewalMarginMs?: number;
  /** Lifetime of the TSA certificate (default 10 years; seconds in tests of archive renewal). */
  tsaCertificateValidityMs?: number;
}

const DEFAULT_RENEWAL_MARGIN_MS = 90 * 86_400_000;

export const PLATFORM_SIGNER_KEY = 'sealflow-platform';

/** The database table as the vault's storage port. */
export function keyRecordsIn(repository: SigningKeyRepository): KeyRecordStore {
  return {
    get: async (id) => (await repository.get(id)) as KeyRecord | undefined,
    put: (record) => repository.put(record),
    replace: (expected, record) => repository.replace(expected, record),
  };
}

export function toPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`;
}

export async function openSigningPlatform(options: SigningPlatformOptions): Promise<SigningPlatform> {
  const archiveRenewalMarginMs = options.archiveRenewalMarginMs ?? DEFAULT_RENEWAL_MARGIN_MS;
  const vault = createKeyVault({ masterKey: options.masterKey, store: options.keyRecords, now: options.now });
  const ca = await createLocalCertificateAuthority({ vault, now: options.now, records: options.keyRecords, publicUrl: options.publicUrl });
  // Twice the archive margin: a renewal's document timestamp comes from a certificate with more than the margin left.
  const tsa = await createLocalTimestampAuthority({ vault, ca, now: options.now, certificateValidityMs: options.tsaCertificateValidityMs, renewCertificateBeforeMs: 2 * archiveRenewalMarginMs });
  if (!(await vault.hasKey(PLATFORM_SIGNER_KEY))) {
    const subject: CertificateSubject = { kind: 'service', commonName: 'Sealflow 平台', organization: 'Sealflow' };
    await enrollSigner({ vault, ca, tenantId: 'platform', signerId: PLATFORM_SIGNER_KEY, subject });
  }
  return {
    vault,
    ca,
    tsa,
    timestamps: options.tsaUrl ? createHttpTimestampClient(options.tsaUrl) : createLocalTimestampClient(tsa),
    platformSigner: await createLocalSigner({ vault, keyId: PLATFORM_SIGNER_KEY }),
    rootCertificatePem: toPem(ca.rootCertificate),
    archiveRenewalMarginMs,
  };
}
