// Sealflow's TSA over HTTP (served on loopback exactly as the server will mount it), the
// HTTP client, and the rule that there is no signature without a timestamp.
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTimestampClient, createTimestampHttpHandler, signPdf, SigningError, verifyPdf, type TimestampClient } from '../../signing/index';
import { timestampRequestDer } from '../../signing/timestamp-authority';
import { sequence, smallInteger } from '../../signing/der';
import { makeContractPdf, SIGNATURE_AREAS } from './support/contract-pdf';
import { signingFixture } from './support/fixture';

let fixture: Awaited<ReturnType<typeof signingFixture>>;
let server: Server;
let url: string;

beforeAll(async () => {
  fixture = await signingFixture();
  const handle = createTimestampHttpHandler(fixture.tsa);
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = await handle(Buffer.concat(chunks));
    res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const field = () => ({ name: 'buyer', page: 3, rect: SIGNATURE_AREAS[0], appearance: fixture.appearances.buyer });

describe('the timestamp authority over HTTP', () => {
  it('answers a TimeStampReq with a granted TimeStampResp as application/timestamp-reply', async () => {
    const digest = createHash('sha256').update('hello').digest();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: timestampRequestDer({ hashAlgorithm: 'sha256', digest, nonce: Buffer.from([1, 2, 3]), certReq: true }) });
    expect(response.headers.get('content-type')).toBe('application/timestamp-reply');
    const reply = pkijs.TimeStampResp.fromBER(new Uint8Array(await response.arrayBuffer()));
    expect(reply.status.status).toBe(0);
    const tstInfo = pkijs.TSTInfo.fromBER(new pkijs.SignedData({ schema: reply.timeStampToken!.content }).encapContentInfo.eContent!.getValue());
    expect(Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView)).toEqual(digest);
    expect(Buffer.from(tstInfo.nonce!.valueBlock.valueHexView).toString('hex')).toBe('010203');
  });

  it('answers garbage with a rejection, not an HTTP error', async () => {
    const reply = await createTimestampHttpHandler(fixture.tsa)(Buffer.from('not DER'));
    expect(reply.status).toBe(200);
    expect(pkijs.TimeStampResp.fromBER(reply.body).status.status).toBe(2);
  });

  it('signs through createHttpTimestampClient, and the result verifies', async () => {
    const signed = await signPdf({ pdf: await makeContractPdf(), signer: fixture.signers.buyer, field: field(), timestamp: createHttpTimestampClient(url) });
    const report = verifyPdf(signed, { trustAnchors: [fixture.ca.rootCertificate] });
    expect(report.valid).toBe(true);
    expect(report.signatures[0].timestamp).toMatchObject({ imprintMatches: true, trusted: true });
  });
});

describe('no signature without a timestamp', () => {
  it('rejects with TSA_UNAVAILABLE when the TSA cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/tsa`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await signPdf({ pdf: await makeContractPdf(), signer: fixture.signers.buyer, field: field(), timestamp: createHttpTimestampClient(deadUrl, { timeoutMs: 2000 }) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SigningError);
    expect(failure).toMatchObject({ code: 'TSA_UNAVAILABLE', message: expect.stringContaining(`timestamp authority at ${deadUrl} could not be reached`) });
  });

  it('rejects with TSA_UNAVAILABLE when the TSA does not answer in time', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/tsa`;
    try {
      await expect(signPdf({ pdf: await makeContractPdf(), signer: fixture.signers.buyer, field: field(), timestamp: createHttpTimestampClient(silentUrl, { timeoutMs: 300 }) })).rejects.toMatchObject({ code: 'TSA_UNAVAILABLE' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('rejects a token for another imprint (TSA_BAD_RESPONSE)', async () => {
    // A TSA that answers "granted" with a genuine token — for some other imprint.
    const lyingServer = createServer(async (req, res) => {
      for await (const _ of req);
      const token = await fixture.tsa.issueToken({ hashAlgorithm: 'sha256', digest: Buffer.alloc(32, 9), certReq: true });
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(sequence(sequence(smallInteger(0)), token));
    });
    await new Promise<void>((resolve) => lyingServer.listen(0, '127.0.0.1', resolve));
    try {
      const lyingUrl = `http://127.0.0.1:${(lyingServer.address() as AddressInfo).port}/tsa`;
      await expect(signPdf({ pdf: await makeContractPdf(), signer: fixture.signers.buyer, field: field(), timestamp: createHttpTimestampClient(lyingUrl) })).rejects.toMatchObject({ code: 'TSA_BAD_RESPONSE' });
    } finally {
      lyingServer.close();
    }
  });

  it('has no way to skip the timestamp through the public API', async () => {
    await expect(signPdf({ pdf: await makeContractPdf(), signer: fixture.signers.buyer, field: field(), timestamp: undefined as unknown as TimestampClient })).rejects.toMatchObject({ code: 'TSA_UNAVAILABLE' });
  });
});
