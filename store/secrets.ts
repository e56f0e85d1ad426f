// Secrets at rest (connector passwords, tokens, webhook secrets): AES-256-GCM under a key
// derived from the master key (SEALFLOW_MASTER_KEY) with HKDF, so connector secrets never
// share a key with the signing vault, which wraps its keys under the same master key.
// The additional authenticated data names the owner (instance id + field): a sealed value
// copied into another instance's row or field no longer opens. Pure functions over bytes.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const KEY_INFO = 'sealflow/connector-secrets/v1';

/** Why a sealed value did not open. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

function subkey(masterKey: Uint8Array): Buffer {
  if (masterKey.length !== 32) throw new SecretError(`the master key must be 32 bytes, got ${masterKey.length}`);
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), KEY_INFO, 32));
}

/** The AAD of one secret: whose it is and which field. */
export function secretAad(owner: string, field: string): string {
  return `${owner}\u0000${field}`;
}

/** `v1.<iv>.<ciphertext>.<tag>` (base64url): safe in a TEXT column and in JSON. */
export function sealSecret(masterKey: Uint8Array, plaintext: string, aad: string): string {
  const key = subkey(masterKey);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  key.fill(0);
  return [FORMAT, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The plaintext; throws SecretError when key, AAD or ciphertext do not match. */
export function openSecret(masterKey: Uint8Array, sealed: string, aad: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT) throw new SecretError('not a sealed secret');
  const key = subkey(masterKey);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1], 'base64url')).setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(parts[3], 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(parts[2], 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError('the master key does not open this secret (wrong SEALFLOW_MASTER_KEY, or the value was altered or moved)');
  } finally {
    key.fill(0);
  }
}
