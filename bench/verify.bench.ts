// Verifications per second of a one-signature 3-page contract (PAdES B-T: signature plus
// signature timestamp, so two RSA-2048 verifications per PDF) on one core, beside the raw
// RSA-2048 verify rate of node:crypto measured in the same run. Run: npm run bench verify
import { createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import {
  createLocalTimestampClient,
  createPdfVerifier,
  signPdf,
  verifyPdf,
} from '../signing/index';
import { makeContractPdf, SIGNATURE_AREAS } from '../test/signing/support/contract-pdf';
import { benchSigner, rate, SECONDS } from './support/measure';

const { ca, tsa, signer, appearance } = await benchSigner();
const area = SIGNATURE_AREAS[0];
const signed = await signPdf({ pdf: await makeContractPdf(), signer, field: { name: 'buyer', page: area.page, rect: area, appearance }, timestamp: createLocalTimestampClient(tsa) });
const trustAnchors = [ca.rootCertificate];
const check = verifyPdf(signed, { trustAnchors });
if (!check.valid || check.signatures.length !== 1) throw new Error(`the benchmark PDF does not verify: ${JSON.stringify(check.problems)}`);
console.log(`one-signature 3-page contract, PAdES B-T: ${signed.length} bytes; Node ${process.version}; ${SECONDS}s per figure`);

// (a) the physical limit: one RSA-2048 PKCS#1 v1.5 verification, no PDF at all.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const data = Buffer.alloc(100, 7);
const signature = cryptoSign('sha256', data, privateKey);
const key = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
const rsaRate = await rate('(a) node:crypto RSA-2048 verify (physical limit)', () => {
  if (!cryptoVerify('sha256', data, key, signature)) throw new Error('RSA verify failed');
});

// Sealflow in this thread: what one core does. Certificates (CA, TSA, signer) are parsed
// on first sight and kept, as in a running server; the PDF, its CMS, its timestamp token
// and both RSA signatures are read and checked anew on every call.
const inProcess = await rate('Sealflow verifyPdf, in-process (one core)', () => {
  if (!verifyPdf(signed, { trustAnchors }).valid) throw new Error('not valid');
});

// What POST /api/verify does: one worker thread (one core for verification), the PDF
// copied to it and the report back; 8 PDFs in flight keep the worker busy.
const verifier = createPdfVerifier({ trustAnchors, workers: 1 });
const oneByOne = await rate('Sealflow verification pool, 1 worker, one PDF at a time', async () => {
  if (!(await verifier.verify(signed)).valid) throw new Error('not valid');
});
const pipelined = await rate(
  'Sealflow verification pool, 1 worker, 8 PDFs in flight',
  async () => {
    const reports = await Promise.all(Array.from({ length: 8 }, () => verifier.verify(signed)));
    if (!reports.every((r) => r.valid)) throw new Error('not valid');
  },
  8,
);
await verifier.close();

console.log(`\nin-process: ${inProcess.toFixed(0)}/s = ${((inProcess / rsaRate) * 100).toFixed(1)}% of raw RSA verify (each PDF needs 2 RSA verifications: signer + TSA; at most ${(rsaRate / 2).toFixed(0)}/s)`);
console.log(`worker pool: ${oneByOne.toFixed(0)}/s one at a time, ${pipelined.toFixed(0)}/s with 8 in flight`);
console.log(`target: >= 500 verifications/s on one core: ${inProcess >= 500 ? 'met' : 'NOT met'} in-process, ${pipelined >= 500 ? 'met' : 'NOT met'} through the pool`);
