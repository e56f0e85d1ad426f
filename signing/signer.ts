// A Signer is a key handle plus its certificate chain. The local one keeps the key in the
// vault; an HSM- or KMS-backed one implements the same two members.
import type { KeyType, KeyVault } from './key-vault';

export interface Signer {
  /** DER certificates, the signer's first, then its issuers up to the root. */
  readonly certificateChain: readonly Uint8Array[];
  readonly keyType: KeyType;
  /** SHA-256 signature over `data` (RSASSA-PKCS1-v1_5, or DER-encoded ECDSA). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export async function createLocalSigner(options: { vault: KeyVault; keyId: string }): Promise<Signer> {
  const { vault, keyId } = options;
  const [certificateChain, keyType] = await Promise.all([vault.certificateChain(keyId), vault.keyType(keyId)]);
  if (certificateChain.length === 0) throw new Error(`key "${keyId}" has no certificate yet; enroll it with a CertificateAuthority first`);
  return { certificateChain, keyType, sign: (data) => vault.sign(keyId, data) };
}
