// The storage port for wrapped keys and certificates. The server backs it with the
// database; tests and the benchmark use the in-memory one. Records hold only ciphertext
// and public material, so the store itself needs no extra protection beyond integrity.

export interface WrappedKey {
  algorithm: 'AES-256-GCM';
  /** base64 */
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface TenantKeyRecord {
  id: string; // `tenant:${tenantId}`
  kind: 'tenant-key';
  tenantId: string;
  /** The tenant's 256-bit key, wrapped by the master key; AAD binds it to the tenant id. */
  wrapped: WrappedKey;
  createdAt: string;
}

export interface PrivateKeyRecord {
  id: string; // `key:${keyId}`
  kind: 'private-key';
  tenantId: string;
  keyId: string;
  keyType: 'rsa' | 'ec';
  /** The private key (JWK, UTF-8), wrapped by the tenant key; AAD binds it to tenant and key id. */
  wrapped: WrappedKey;
  /** SubjectPublicKeyInfo DER, base64 (public). */
  publicKey: string;
  /** Leaf first, DER base64 (public); empty until a CA has issued the certificate. */
  certificateChain: string[];
  createdAt: string;
}

/** The CA's revocations (see revocation.ts): public data, kept with the keys they concern. */
export interface RevocationListRecord {
  id: 'ca:revocations';
  kind: 'revocation-list';
  entries: import('./revocation').Revocation[];
}

export type KeyRecord = TenantKeyRecord | PrivateKeyRecord | RevocationListRecord;

export interface KeyRecordStore {
  get(id: string): Promise<KeyRecord | undefined>;
  put(record: KeyRecord): Promise<void>;
  /**
   * Writes `record` only if the stored one with its id is still `expected` (undefined: none yet); false when
   * another writer changed it first. Records that are read, changed and written back (the revocation list)
   * use it, so that two servers on one database cannot lose each other's changes.
   */
  replace(expected: KeyRecord | undefined, record: KeyRecord): Promise<boolean>;
}

export interface MemoryKeyRecordStore extends KeyRecordStore {
  /** Everything stored, as a database dump would show it (for tests). */
  records(): KeyRecord[];
}

export function createMemoryKeyRecordStore(): MemoryKeyRecordStore {
  const records = new Map<string, string>(); // stored as JSON, like a database column would
  return {
    async get(id) {
      const json = records.get(id);
      return json === undefined ? undefined : (JSON.parse(json) as KeyRecord);
    },
    async put(record) {
      records.set(record.id, JSON.stringify(record));
    },
    async replace(expected, record) {
      if (records.get(record.id) !== (expected === undefined ? undefined : JSON.stringify(expected))) return false;
      records.set(record.id, JSON.stringify(record));
      return true;
    },
    records: () => [...records.values()].map((json) => JSON.parse(json) as KeyRecord),
  };
}
