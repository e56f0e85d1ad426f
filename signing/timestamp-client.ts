// Where signature timestamps come from: Sealflow's own TSA in process, or any RFC 3161
// TSA over HTTP. There is no fallback to the local clock: a signature without a trusted
// time is not made at all, and the caller (a Temporal activity) retries.
import { randomBytes } from 'node:crypto';
import * as pkijs from 'pkijs';
import { fetchOutbound, OutboundRefusedError } from '../config';
import { readTlv } from './der';
import { SigningError } from './errors';
import { hashAlgorithmFromOid, type HashAlgorithm } from './oids';
import { timestampRequestDer, type TimestampAuthority } from './timestamp-authority';

export interface TimestampClient {
  /** A TimeStampToken (ContentInfo DER) whose message imprint is `digest`. */
  timestamp(imprint: { hashAlgorithm: HashAlgorithm; digest: Uint8Array }): Promise<Uint8Array>;
}

export function createLocalTimestampClient(tsa: TimestampAuthority): TimestampClient {
  return {
    async timestamp({ hashAlgorithm, digest }) {
      try {
        return await tsa.issueToken({ hashAlgorithm, digest, certReq: true });
      } catch (error) {
        throw new SigningError('TSA_UNAVAILABLE', `the timestamp authority failed: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

export interface HttpTimestampClientOptions {
  /** Per-request timeout; the activity's retry policy decides how often to try again. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export function createHttpTimestampClient(url: string, options: HttpTimestampClientOptions = {}): TimestampClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async timestamp({ hashAlgorithm, digest }) {
      const nonce = randomBytes(8);
      nonce[0] &= 0x7f;
      const body = timestampRequestDer({ hashAlgorithm, digest, nonce, certReq: true });
      let reply: Uint8Array;
      try {
        // fetchOutbound holds the URL and every redirect hop to SEALFLOW_OUTBOUND_ALLOW.
        const response = await fetchOutbound(url, {
          method: 'POST',
          headers: { 'content-type': 'application/timestamp-query', ...options.headers },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        }, 'timestamp authority');
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        reply = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        if (error instanceof OutboundRefusedError) throw new SigningError('TSA_UNAVAILABLE', error.message, { cause: error });
        throw new SigningError('TSA_UNAVAILABLE', `the timestamp authority at ${url} could not be reached: ${(error as Error).message}`, { cause: error });
      }
      return tokenFromResponse(reply, { digest, nonce });
    },
  };
}

/** Extracts the token from a TimeStampResp and checks that it answers this request. */
export function tokenFromResponse(reply: Uint8Array, expected: { digest: Uint8Array; nonce?: Uint8Array }): Uint8Array {
  let response: pkijs.TimeStampResp;
  try {
    response = pkijs.TimeStampResp.fromBER(reply);
  } catch (error) {
    throw new SigningError('TSA_BAD_RESPONSE', 'the timestamp authority answered with something that is not a TimeStampResp', { cause: error });
  }
  const status = response.status.status;
  if ((status !== 0 && status !== 1) || !response.timeStampToken) {
    const text = response.status.statusStrings?.map((s) => s.valueBlock.value).join('; ') ?? '';
    // "waiting" (3) and "revocationWarning" are transient; a rejection (2) is not.
    throw new SigningError(status === 3 ? 'TSA_UNAVAILABLE' : 'TSA_BAD_RESPONSE', `the timestamp authority refused (status ${status}${text ? `: ${text}` : ''})`);
  }
  const signedData = new pkijs.SignedData({ schema: response.timeStampToken.content });
  const eContent = signedData.encapContentInfo.eContent;
  if (!eContent) throw new SigningError('TSA_BAD_RESPONSE', 'the timestamp token has no TSTInfo');
  const tstInfo = pkijs.TSTInfo.fromBER(eContent.getValue());
  const imprint = new Uint8Array(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (!hashAlgorithmFromOid(tstInfo.messageImprint.hashAlgorithm.algorithmId) || Buffer.compare(imprint, expected.digest) !== 0) {
    throw new SigningError('TSA_BAD_RESPONSE', 'the timestamp token is for another message imprint');
  }
  if (expected.nonce) {
    const nonce = tstInfo.nonce ? Buffer.from(tstInfo.nonce.valueBlock.valueHexView) : undefined;
    if (!nonce || BigInt(`0x${nonce.toString('hex') || '0'}`) !== BigInt(`0x${Buffer.from(expected.nonce).toString('hex')}`)) {
      throw new SigningError('TSA_BAD_RESPONSE', 'the timestamp token does not echo our nonce (a replayed or foreign answer)');
    }
  }
  // The token exactly as the TSA encoded it: the second element of the response SEQUENCE.
  const outer = readTlv(reply);
  const statusInfo = readTlv(reply, outer.contentStart);
  const token = readTlv(reply, statusInfo.end);
  return reply.slice(statusInfo.end, token.end);
}
