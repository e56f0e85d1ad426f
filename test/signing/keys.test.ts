// Keys under the signer's sole control: what the store holds is not the key, the wrong
// master key cannot sign, and a wrapped key cannot be moved to another signer.
import { createPrivateKey, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKeyVault, createLocalCertificateAuthority, createMemoryKeyRecordStore, enrollSigner, hashIdNumber, personSubject, SigningError, type PrivateKeyRecord, type TenantKeyRecord } from '../../signing/index';
import { unwrapKey } from '../../signing/key-vault';
import { creditCode, ID_HASH_KEY, MASTER_KEY } from './support/fixture';
import { companySubject } from '../../signing/subject';

const store = createMemoryKeyRecordStore();
let leaked: { pkcs8: Buffer; jwkD: string };

beforeAll(async () => {
  // A vault that lets the test see the key right after generation (what a careless
  // implementation would have stored), to search the store for it.
  const vault = createKeyVault({ masterKey: MASTER_KEY, store });
  const ca = await createLocalCertificateAuthority({ vault });
  await enrollSigner({ vault, ca, tenantId: 'tenant-a', signerId: 'alice', subject: personSubject({ name: '李华', idNumber: '11010519491231002X', idHashKey: ID_HASH_KEY }) });
  await enrollSigner({ vault, ca, tenantId: 'tenant-a', signerId: 'acme', subject: companySubject({ name: '北京某某科技有限公司', creditCode: creditCode('91110108MA0000003') }) });
  // Recover alice's key the way only the vault can, to know what must not be in the store.
  const record = (await store.get('key:alice')) as PrivateKeyRecord;
  const tenant = (await store.get('tenant:tenant-a')) as TenantKeyRecord | undefined;
  const tenantKey = unwrapKey(MASTER_KEY, tenant!.wrapped, Buffer.from('sealflow/tenant-key/v1\0tenant-a'))!;
  const secret = unwrapKey(tenantKey, record.wrapped, Buffer.from('sealflow/private-key/v1\0tenant-a\0alice'))!;
  const key = createPrivateKey({ key: JSON.parse(secret.toString()), format: 'jwk' });
  leaked = { pkcs8: key.export({ format: 'der', type: 'pkcs8' }), jwkD: (key.export({ format: 'jwk' }) as { d: string }).d };
});

describe('the key store', () => {
  it('holds no private key material in clear', () => {
    const dump = JSON.stringify(store.records());
    const dumpBytes = Buffer.from(dump);
    expect(dumpBytes.includes(leaked.pkcs8)).toBe(false);
    expect(dump.includes(leaked.pkcs8.toString('base64'))).toBe(false);
    expect(dump.includes(leaked.pkcs8.toString('hex'))).toBe(false);
    expect(dump.includes(leaked.jwkD)).toBe(false);
    expect(dump.includes(leaked.jwkD.slice(0, 24))).toBe(false);
    for (const record of store.records()) if (record.kind !== 'revocation-list') expect(record.wrapped.algorithm).toBe('AES-256-GCM');
  });

  it('never puts a person\'s ID number in the certificate, only its keyed hash', async () => {
    const vault = createKeyVault({ masterKey: MASTER_KEY, store });
    const [leaf] = await vault.certificateChain('alice');
    const certificate = new X509Certificate(leaf);
    expect(certificate.subject).not.toContain('11010519491231002X');
    expect(certificate.subject).toContain(hashIdNumber('11010519491231002x', ID_HASH_KEY));
  });

  it('signs with the right master key and refuses with a wrong one', async () => {
    const right = createKeyVault({ masterKey: MASTER_KEY, store });
    // Signers' keys are P-256 (SIGNER_KEY_TYPE): the signature verifies with the key their certificate names.
    const certificate = new X509Certificate((await right.certificateChain('alice'))[0]);
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(verify('sha256', Buffer.from('contract'), certificate.publicKey, await right.sign('alice', Buffer.from('contract')))).toBe(true);
    const wrong = createKeyVault({ masterKey: Buffer.alloc(32, 0x01), store });
    const failure = await wrong.sign('alice', Buffer.from('contract')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SigningError);
    expect(failure).toMatchObject({ code: 'KEY_UNWRAP_FAILED', message: expect.stringMatching(/master key does not open the key of tenant "tenant-a"/) });
  });

  it('refuses a wrapped key moved into another signer\'s record', async () => {
    const alice = (await store.get('key:alice')) as PrivateKeyRecord;
    const acme = (await store.get('key:acme')) as PrivateKeyRecord;
    const swapped = createMemoryKeyRecordStore();
    for (const record of store.records()) await swapped.put(record);
    await swapped.put({ ...acme, wrapped: alice.wrapped });
    const vault = createKeyVault({ masterKey: MASTER_KEY, store: swapped });
    await expect(vault.sign('acme', Buffer.from('contract'))).rejects.toMatchObject({ code: 'KEY_UNWRAP_FAILED' });
  });

  it('rejects a master key of the wrong size with a message that names the setting', () => {
    expect(() => createKeyVault({ masterKey: 'too-short', store })).toThrow(/SEALFLOW_MASTER_KEY/);
  });
});
