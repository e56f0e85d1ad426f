// Signatures made by signPdf, held against poppler (pdfsig), pyHanko and openssl ts as
// well as our own verifier: one, two and three signers in sequence, both kinds of
// cross-reference (classic table and xref stream), and a final document timestamp.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTlv } from '../../signing/der';
import { addDocumentTimestamp, signPdf, verifyPdf } from '../../signing/index';
import { makeContractPdf, SIGNATURE_AREAS } from './support/contract-pdf';
import { signatureContents, signingFixture, timestampTokens } from './support/fixture';
import { ensureValidators, opensslTsVerify, pdfsig, pem, PYHANKO, pyhankoValidate, scratchDir, writeTemp } from './support/validators';

let fixture: Awaited<ReturnType<typeof signingFixture>>;
let dir: string;
let rootPem: string;
let untrustedPem: string;

beforeAll(async () => {
  ensureValidators();
  fixture = await signingFixture();
  dir = scratchDir();
  rootPem = writeTemp(dir, 'root.pem', pem(fixture.ca.rootCertificate));
  // The TSA's issuing CA, for openssl's chain building.
  untrustedPem = writeTemp(dir, 'untrusted.pem', fixture.tsa.certificateChain.slice(0, -1).map(pem).join(''));
});

async function signInSequence(pdf: Uint8Array, signerIds: string[]): Promise<Uint8Array> {
  let current = pdf;
  for (const [i, id] of signerIds.entries()) {
    const area = SIGNATURE_AREAS[i];
    current = await signPdf({
      pdf: current,
      signer: fixture.signers[id],
      field: { name: id, page: area.page, rect: area, appearance: fixture.appearances[id] },
      timestamp: fixture.timestamp,
      reason: '同意本合同条款',
      location: '深圳',
    });
  }
  return current;
}

function expectAllValidators(pdf: Uint8Array, name: string, fieldNames: string[]): void {
  const path = writeTemp(dir, `${name}.pdf`, pdf);

  const poppler = pdfsig(path);
  expect(poppler.signatures.map((s) => s.field), poppler.output).toEqual(fieldNames);
  for (const signature of poppler.signatures) expect(signature.validation, poppler.output).toBe('Signature is Valid.');
  expect(poppler.signatures.at(-1)!.totalDocumentSigned, poppler.output).toBe(true);

  const hanko = pyhankoValidate(path, rootPem);
  expect(hanko.fields.map((f) => f.field), hanko.output).toEqual(fieldNames);
  for (const field of hanko.fields) {
    expect(field.valid, hanko.output).toBe(true);
    expect(field.timestampTrusted, hanko.output).toBe(true);
  }

  for (const { token, digestHex } of timestampTokens(signatureContents(pdf))) {
    const openssl = opensslTsVerify({ token, digestHex, rootPemPath: rootPem, untrustedPemPath: untrustedPem, dir });
    expect(openssl.ok, openssl.output).toBe(true);
  }

  const ours = verifyPdf(pdf, { trustAnchors: [fixture.ca.rootCertificate] });
  expect(ours.valid, JSON.stringify(ours, null, 1)).toBe(true);
  expect(ours.signatures.map((s) => s.fieldName)).toEqual(fieldNames);
  expect(ours.changesAfterSigning).toEqual([]);
}

describe.each([
  { xref: 'xref stream (pdf-lib object streams)', objectStreams: true },
  { xref: 'classic xref table', objectStreams: false },
])('signPdf on a PDF with a $xref', ({ objectStreams }) => {
  it('makes one signature that every validator accepts, timestamp included', async () => {
    const signed = await signInSequence(await makeContractPdf({ objectStreams }), ['buyer']);
    expectAllValidators(signed, `one-${objectStreams}`, ['buyer']);
  });

  it('keeps every signature valid when two and then three parties sign in sequence', async () => {
    const two = await signInSequence(await makeContractPdf({ objectStreams }), ['buyer', 'supplier']);
    expectAllValidators(two, `two-${objectStreams}`, ['buyer', 'supplier']);
    const three = await signInSequence(await makeContractPdf({ objectStreams }), ['buyer', 'supplier', 'employee']);
    expectAllValidators(three, `three-${objectStreams}`, ['buyer', 'supplier', 'employee']);
  });
});

describe('what our verifier reports', () => {
  it('names the signer, the credit code, the chain, the timestamp and the revision', async () => {
    const signed = await signInSequence(await makeContractPdf(), ['buyer', 'employee']);
    const report = verifyPdf(signed, { trustAnchors: [fixture.ca.rootCertificate] });
    const [buyer, employee] = report.signatures;
    expect(buyer.signer).toMatchObject({ commonName: '深圳市华强电子有限公司', organization: '深圳市华强电子有限公司', creditCode: fixture.parties[0].code });
    expect(buyer.certificateChain.map((c) => c.subject.replace(/^.*CN=/, ''))).toEqual(['深圳市华强电子有限公司', 'Sealflow Issuing CA', 'Sealflow Root CA']);
    expect(buyer).toMatchObject({ chainTrusted: true, intact: true, coversWholeRevision: true, coversWholeDocument: false, revision: 2, reason: '同意本合同条款', location: '深圳' });
    expect(buyer.timestamp).toMatchObject({ imprintMatches: true, signatureValid: true, trusted: true, tsa: 'C=CN, O=Sealflow, CN=Sealflow TSA' });
    expect(employee.signer?.commonName).toBe('王小明');
    expect(employee.signer?.serialNumber).toMatch(/^[0-9a-f]{64}$/); // the ID number's keyed hash, never the number
    expect(employee.coversWholeDocument).toBe(true);
  });

  it('does not trust a chain that ends at another root', async () => {
    const signed = await signInSequence(await makeContractPdf(), ['buyer']);
    const report = verifyPdf(signed, { trustAnchors: [] });
    expect(report.valid).toBe(false);
    expect(report.signatures[0]).toMatchObject({ intact: true, chainTrusted: false });
  });
});

describe('addDocumentTimestamp', () => {
  it('adds an ETSI.RFC3161 document timestamp after the signatures that validators accept', async () => {
    const signed = await signInSequence(await makeContractPdf(), ['buyer', 'supplier']);
    const stamped = await addDocumentTimestamp(signed, fixture.timestamp, { fieldName: 'archive-timestamp' });
    const path = writeTemp(dir, 'doc-timestamp.pdf', stamped);
    const poppler = pdfsig(path);
    // poppler 22.12 does not validate ETSI.RFC3161 ("Unimplemented Feature"); it must still
    // find the earlier signatures valid and see the timestamp covering the whole file.
    expect(poppler.signatures.map((s) => s.validation), poppler.output).toEqual(['Signature is Valid.', 'Signature is Valid.', 'Signature has not yet been verified.']);
    expect(poppler.signatures[2].totalDocumentSigned).toBe(true);
    // pyHanko's `sign validate` reports signatures only; it must still accept both and see
    // the last revision as an LTA (document timestamp) update.
    const hanko = pyhankoValidate(path, rootPem);
    expect(hanko.fields.map((f) => [f.field, f.valid]), hanko.output).toEqual([['buyer', true], ['supplier', true]]);
    const summary = spawnSync(PYHANKO, ['sign', 'validate', '--trust', rootPem, '--trust-replace', path], { encoding: 'utf8' }).stdout;
    expect(summary).toMatch(/^supplier:.*EXTENDED_WITH_LTA_UPDATES/m);
    // openssl checks the document timestamp token against the bytes it covers.
    const [, , stampContents] = signatureContents(stamped);
    const range = verifyPdf(stamped, { trustAnchors: [] }).signatures[2].byteRange;
    const covered = Buffer.concat([stamped.subarray(range[0], range[1]), stamped.subarray(range[2], range[2] + range[3])]);
    const dataPath = writeTemp(dir, 'doc-timestamp.covered', covered);
    const tokenPath = writeTemp(dir, 'doc-timestamp.tsr', stampContents.subarray(0, readTlv(stampContents).end));
    const openssl = spawnSync('openssl', ['ts', '-verify', '-token_in', '-in', tokenPath, '-data', dataPath, '-CAfile', rootPem, '-untrusted', untrustedPem], { encoding: 'utf8' });
    expect(`${openssl.stdout}${openssl.stderr}`).toMatch(/Verification: OK/);
    const ours = verifyPdf(stamped, { trustAnchors: [fixture.ca.rootCertificate] });
    expect(ours.valid, JSON.stringify(ours.signatures.map((s) => s.problems))).toBe(true);
    expect(ours.signatures[2]).toMatchObject({ kind: 'document-timestamp', coversWholeDocument: true });
  });
});
