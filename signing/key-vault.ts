// Keys under the signer's sole control, three layers deep (Electronic Signature Law art. 13):
//   master key (SEALFLOW_MASTER_KEY, handed in by config/) wraps a per-tenant key,
//   the tenant key wraps each signer's private key (PKCS#8 DER).
// AES-256-GCM everywhere; the additional authenticated data names the owner, so a wrapped
// key moved to another tenant's or signer's record no longer opens. A private key exists
// in clear only inside `sign` and is never returned or logged. (The JSON strings the JWK
// passes through cannot be zeroed in JavaScript; the Buffers holding it are.)
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign as cryptoSign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { SigningError } from './errors';
import type { KeyRecordStore, PrivateKeyRecord, TenantKeyRecord, WrappedKey } from './key-record-store';

const generateKeyPairAsync = promisify(generateKeyPair);
export type KeyType = 'rsa' | 'ec';

export interface KeyVault {
  /** Generates a key pair for `keyId` in `tenantId` (creating the tenant key on first use); returns the public key. */
  createKey(options: { tenantId: string; keyId: string; keyType?: KeyType }): Promise<KeyObject>;
  hasKey(keyId: string): Promise<boolean>;
  publicKey(keyId: string): Promise<KeyObject>;
  keyType(keyId: string): Promise<KeyType>;
  /** SHA-256 signature (RSASSA-PKCS1-v1_5, or DER-encoded ECDSA) over `data`. */
  sign(keyId: string, data: Uint8Array): Promise<Uint8Array>;
  setCertificateChain(keyId: string, chain: readonly Uint8Array[]): Promise<void>;
  certificateChain(keyId: string): Promise<Uint8Array[]>;
}

export interface KeyVaultOptions {
  /** 32 bytes, or their base64 / hex text (as SEALFLOW_MASTER_KEY holds them). */
  masterKey: Uint8Array | string;
  store: KeyRecordStore;
  /** Clock for record timestamps (tests). */
  now?: () => Date;
}

export function parseMasterKey(masterKey: Uint8Array | string): Buffer {
  const bytes = typeof masterKey !== 'string' ? Buffer.from(masterKey) : /^[0-9a-fA-F]{64}$/.test(masterKey) ? Buffer.from(masterKey, 'hex') : Buffer.from(masterKey, 'base64');
  if (bytes.length !== 32) throw new SigningError('KEY_UNWRAP_FAILED', `the master key must be 32 bytes (got ${bytes.length}); give SEALFLOW_MASTER_KEY as 64 hex digits or 44 base64 characters`);
  return bytes;
}

const tenantAad = (tenantId: string): Buffer => Buffer.from(`sealflow/tenant-key/v1\0${tenantId}`, 'utf8');
const privateKeyAad = (tenantId: string, keyId: string): Buffer => Buffer.from(`sealflow/private-key/v1\0${tenantId}\0${keyId}`, 'utf8');

export function wrapKey(wrappingKey: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): WrappedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv).setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { algorithm: 'AES-256-GCM', iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** Returns the plaintext, or undefined when the key, the AAD or the ciphertext do not match. */
export function unwrapKey(wrappingKey: Uint8Array, wrapped: WrappedKey, aad: Uint8Array): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrappingKey, Buffer.from(wrapped.iv, 'base64')).setAAD(aad);
    decipher.setAuthTag(Buffer.from(wrapped.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(wrapped.ciphertext, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * The private key as wrapped: its JWK, UTF-8. Not PKCS#8 DER, because OpenSSL 3 decodes
 * PKCS#8 about as slowly as it makes an RSA signature (1.3k/s against 61k/s for a JWK
 * here), and the key is unwrapped afresh for every signature.
 */
function privateKeyBytes(key: KeyObject): Buffer {
  return Buffer.from(JSON.stringify(key.export({ format: 'jwk' })), 'utf8');
}

function privateKeyFrom(secret: Buffer): KeyObject {
  return createPrivateKey({ key: JSON.parse(secret.toString('utf8')) as JsonWebKey, format: 'jwk' });
}

export function createKeyVault(options: KeyVaultOptions): KeyVault {
  const master = parseMasterKey(options.masterKey);
  const { store } = options;
  const now = options.now ?? (() => new Date());

  async function privateKeyRecord(keyId: string): Promise<PrivateKeyRecord> {
    const record = await store.get(`key:${keyId}`);
    if (record?.kind !== 'private-key' || record.keyId !== keyId) throw new SigningError('KEY_NOT_FOUND', `no key "${keyId}" in the key store`);
    return record;
  }

  async function tenantKey(tenantId: string, createIfMissing: boolean): Promise<Buffer> {
    const id = `tenant:${tenantId}`;
    let record = await store.get(id);
    if (!record && createIfMissing) {
      const fresh = randomBytes(32);
      const created: TenantKeyRecord = { id, kind: 'tenant-key', tenantId, wrapped: wrapKey(master, fresh, tenantAad(tenantId)), createdAt: now().toISOString() };
      await store.put(created);
      return fresh;
    }
    if (record?.kind !== 'tenant-key' || record.tenantId !== tenantId) throw new SigningError('KEY_NOT_FOUND', `no key for tenant "${tenantId}" in the key store`);
    const key = unwrapKey(master, record.wrapped, tenantAad(tenantId));
    if (!key) throw new SigningError('KEY_UNWRAP_FAILED', `the master key does not open the key of tenant "${tenantId}" (wrong SEALFLOW_MASTER_KEY, or the key record was altered)`);
    return key;
  }

  return {
    async createKey({ tenantId, keyId, keyType = 'rsa' }) {
      if (await store.get(`key:${keyId}`)) throw new SigningError('INVALID_SUBJECT', `key "${keyId}" already exists; keys are never replaced in place`);
      // On libuv's thread pool: an RSA key takes ~100 ms of CPU, and a worker's event loop also carries its workflow tasks (a synchronous keygen per signer starved them past their timeout under load; see bench/throughput.bench.ts).
      const pair = keyType === 'rsa' ? await generateKeyPairAsync('rsa', { modulusLength: 2048 }) : await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
      const secret = privateKeyBytes(pair.privateKey);
      const wrappingKey = await tenantKey(tenantId, true);
      try {
        const record: PrivateKeyRecord = {
          id: `key:${keyId}`,
          kind: 'private-key',
          tenantId,
          keyId,
          keyType,
          wrapped: wrapKey(wrappingKey, secret, privateKeyAad(tenantId, keyId)),
          publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
          certificateChain: [],
          createdAt: now().toISOString(),
        };
        await store.put(record);
      } finally {
        secret.fill(0);
        wrappingKey.fill(0);
      }
      return pair.publicKey;
    },

    async hasKey(keyId) {
      return (await store.get(`key:${keyId}`))?.kind === 'private-key';
    },

    async publicKey(keyId) {
      const record = await privateKeyRecord(keyId);
      return createPublicKey({ key: Buffer.from(record.publicKey, 'base64'), format: 'der', type: 'spki' });
    },

    async keyType(keyId) {
      return (await privateKeyRecord(keyId)).keyType;
    },

    async sign(keyId, data) {
      const record = await privateKeyRecord(keyId);
      const wrappingKey = await tenantKey(record.tenantId, false);
      const secret = unwrapKey(wrappingKey, record.wrapped, privateKeyAad(record.tenantId, keyId));
      wrappingKey.fill(0);
      if (!secret) throw new SigningError('KEY_UNWRAP_FAILED', `the key of tenant "${record.tenantId}" does not open key "${keyId}" (the record was altered or moved from another signer)`);
      try {
        return cryptoSign('sha256', data, privateKeyFrom(secret));
      } finally {
        secret.fill(0);
      }
    },

    async setCertificateChain(keyId, chain) {
      const record = await privateKeyRecord(keyId);
      await store.put({ ...record, certificateChain: chain.map((der) => Buffer.from(der).toString('base64')) });
    },

    async certificateChain(keyId) {
      return (await privateKeyRecord(keyId)).certificateChain.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
    },
  };
}
