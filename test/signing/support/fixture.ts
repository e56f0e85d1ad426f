// One Sealflow CA, TSA and a few enrolled signers per test file.
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import {
  companySealAppearance,
  companySubject,
  createKeyVault,
  createLocalCertificateAuthority,
  createLocalSigner,
  createLocalTimestampAuthority,
  createLocalTimestampClient,
  createMemoryKeyRecordStore,
  creditCodeCheckCharacter,
  enrollSigner,
  personSignatureAppearance,
  personSubject,
  type Signer,
  type SignatureAppearance,
} from '../../../signing/index';
import { FontLibrary } from '../../../templates';
import { parseSignedData } from '../../../signing/verify/cms-verification';
import { OID } from '../../../signing/oids';

export const MASTER_KEY = Buffer.alloc(32, 0x5e);
export const ID_HASH_KEY = Buffer.from('test id-number pepper');

export const creditCode = (first17: string): string => first17 + creditCodeCheckCharacter(first17);

export async function signingFixture() {
  const store = createMemoryKeyRecordStore();
  const vault = createKeyVault({ masterKey: MASTER_KEY, store });
  const ca = await createLocalCertificateAuthority({ vault });
  const tsa = await createLocalTimestampAuthority({ vault, ca });
  const fonts = new FontLibrary();
  const parties: { id: string; name: string; kind: 'company' | 'person'; code?: string; idNumber?: string }[] = [
    { id: 'buyer', kind: 'company', name: '深圳市华强电子有限公司', code: creditCode('91440300MA5F00001') },
    { id: 'supplier', kind: 'company', name: '上海浦江精密机械股份有限公司', code: creditCode('91310115MA1K00002') },
    { id: 'employee', kind: 'person', name: '王小明', idNumber: '11010519491231002X' },
  ];
  const signers: Record<string, Signer> = {};
  const appearances: Record<string, SignatureAppearance> = {};
  for (const party of parties) {
    const subject = party.kind === 'company' ? companySubject({ name: party.name, creditCode: party.code! }) : personSubject({ name: party.name, idNumber: party.idNumber!, idHashKey: ID_HASH_KEY });
    await enrollSigner({ vault, ca, tenantId: 'tenant-a', signerId: party.id, subject });
    signers[party.id] = await createLocalSigner({ vault, keyId: party.id });
    appearances[party.id] = party.kind === 'company' ? await companySealAppearance({ companyName: party.name, fonts }) : await personSignatureAppearance({ name: party.name, fonts });
  }
  return { store, vault, ca, tsa, timestamp: createLocalTimestampClient(tsa), signers, appearances, parties };
}

/** The signature timestamp tokens and the signature values they stamp, per signature in file order. */
export function timestampTokens(cmsList: Uint8Array[]): { token: Uint8Array; signatureValue: Uint8Array; digestHex: string }[] {
  return cmsList.map((der) => {
    const signedData = parseSignedData(der);
    const signerInfo = signedData.signerInfos[0];
    const signatureValue = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
    const attribute = signerInfo.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken);
    if (!attribute) throw new Error('no timestamp token');
    return { token: new Uint8Array(attribute.values[0].toBER()), signatureValue, digestHex: createHash('sha256').update(signatureValue).digest('hex') };
  });
}

export { pkijs };

import { PdfReader } from '../../../signing/pdf/xref';
import { PdfString } from '../../../signing/pdf/objects';

/** /Contents of each signature field, in /Fields order. */
export function signatureContents(pdf: Uint8Array): Uint8Array[] {
  const reader = new PdfReader(Buffer.from(pdf));
  const acroForm = reader.dict(reader.catalog().get('AcroForm'));
  const fields = (reader.resolve(acroForm?.get('Fields')) as unknown[]) ?? [];
  return fields
    .map((f) => reader.dict(reader.dict(f as never)?.get('V')))
    .filter((v) => v !== undefined)
    .map((v) => new Uint8Array((v!.get('Contents') as PdfString).bytes()));
}
