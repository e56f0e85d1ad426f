// Signed PDFs per second on one core, for a 3-page contract, beside (a) the raw RSA-2048
// sign rate of node:crypto (the physical limit) and (b) the common @signpdf + node-forge
// P12 pipeline. Run: npm run bench signing
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { SignPdf } from '@signpdf/signpdf';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { Signer as SignPdfSigner, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import {
  createLocalTimestampClient,
  signPdf,
  verifyPdf,
} from '../signing/index';
import { signPdfWithoutTimestamp } from '../signing/sign-pdf';
import { makeContractPdf, SIGNATURE_AREAS } from '../test/signing/support/contract-pdf';
import { benchSigner, rate, SECONDS } from './support/measure';

const { ca, tsa, signer, appearance } = await benchSigner();
const contract = await makeContractPdf();
const contractClassicXref = await makeContractPdf({ objectStreams: false });
const area = SIGNATURE_AREAS[0];
const field = { name: 'buyer', page: area.page, rect: area, appearance };
const timestamp = createLocalTimestampClient(tsa);
console.log(`3-page contract: ${contract.length} bytes; one core (Node ${process.version}); ${SECONDS}s per figure`);

// (a) the physical limit: one RSA-2048 PKCS#1 v1.5 signature, no PDF at all.
const rawKey: KeyObject = createPrivateKey(forge.pki.privateKeyToPem(forge.pki.rsa.generateKeyPair(2048).privateKey));
const data = Buffer.alloc(100, 7);
const rsaRate = await rate('(a) node:crypto RSA-2048 sign (physical limit)', () => cryptoSign('sha256', data, rawKey));

// (b) the common pipeline: @signpdf/placeholder-plain + @signpdf/signpdf + node-forge with
// a P12, as @signpdf/signer-p12 does it (P12 parsed and CMS built and signed by forge per call).
const p12 = makeP12();
class P12Signer extends SignPdfSigner {
  async sign(pdfBuffer: Buffer): Promise<Buffer> {
    const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), 'bench');
    const key = parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag]![0].key!;
    const certificate = parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag]![0].cert!;
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    p7.addCertificate(certificate);
    p7.addSigner({
      key,
      certificate,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime, value: new Date() as unknown as string },
        { type: forge.pki.oids.messageDigest },
      ],
    });
    p7.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
  }
}
const signpdf = new SignPdf();
const p12Signer = new P12Signer();
const commonRate = await rate('(b) @signpdf/placeholder-plain + signpdf + node-forge P12', async () => {
  const withPlaceholder = plainAddPlaceholder({ pdfBuffer: Buffer.from(contractClassicXref), reason: 'bench', contactInfo: '', name: 'bench', location: '', subFilter: SUBFILTER_ETSI_CADES_DETACHED });
  return signpdf.sign(withPlaceholder, p12Signer);
});

// Sealflow: visible company seal, keys unwrapped from the vault on every signature.
const noTsRate = await rate('Sealflow signPdf, visible seal, no timestamp (PAdES B-B)', () => signPdfWithoutTimestamp({ pdf: contract, signer, field }));
const tsRate = await rate('Sealflow signPdf, visible seal, in-process TSA (PAdES B-T)', () => signPdf({ pdf: contract, signer, field, timestamp }));
const signed = await signPdf({ pdf: contract, signer, field, timestamp });
const check = verifyPdf(signed, { trustAnchors: [ca.rootCertificate] });
if (!check.valid) throw new Error('the benchmark produced an invalid signature');
await rate('Sealflow verifyPdf of one signature (for scale)', () => verifyPdf(signed, { trustAnchors: [ca.rootCertificate] }));

console.log(`\nSealflow B-B = ${(noTsRate / rsaRate * 100).toFixed(0)}% of raw RSA, ${(noTsRate / commonRate).toFixed(0)}x the common pipeline; B-T = ${(tsRate / rsaRate * 100).toFixed(0)}% of raw RSA (two RSA signatures per PDF: signer + TSA)`);
console.log(`targets: >= 1000/s without timestamps: ${noTsRate >= 1000 ? 'met' : 'NOT met'}; >= 400/s with own TSA: ${tsRate >= 400 ? 'met' : 'NOT met'}`);

function makeP12(): Buffer {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = '01';
  certificate.validity.notBefore = new Date();
  certificate.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const attrs = [{ name: 'commonName', value: 'bench' }];
  certificate.setSubject(attrs);
  certificate.setIssuer(attrs);
  certificate.sign(keys.privateKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [certificate], 'bench', { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
