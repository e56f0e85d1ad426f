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
}

export const PLATFORM_SIGNER_KEY = 'sealflow-platform';

/** The database table as the vault's storage port. */
export function keyRecordsIn(repository: SigningKeyRepository): KeyRecordStore {
  return {
    get: async (id) => (await repository.get(id)) as KeyRecord | undefined,
    put: (record) => repository.put(record),
  };
}

export function toPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`;
}

export async function openSigningPlatform(options: { masterKey: Uint8Array; keyRecords: KeyRecordStore; tsaUrl?: string | null; now?: () => Date }): Promise<SigningPlatform> {
  const vault = createKeyVault({ masterKey: options.masterKey, store: options.keyRecords, now: options.now });
  const ca = await createLocalCertificateAuthority({ vault, now: options.now });
  const tsa = await createLocalTimestampAuthority({ vault, ca, now: options.now });
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
  };
}
