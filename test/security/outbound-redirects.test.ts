// Attack: a host on SEALFLOW_OUTBOUND_ALLOW answers 302 to an address nobody allowed (the hub's own
// loopback, a cloud metadata address). Every outbound caller must check each hop, stop after a few hops,
// and never carry credentials to another origin. A real local HTTP server does the redirecting; it is
// reached as "localhost" (listed) and as "127.0.0.1" (not listed, the place the attacker aims at).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installOutboundAllowlist, MAX_OUTBOUND_REDIRECTS, parseOutboundAllow } from '../../config';
import { ConnectorError } from '../../connectors';
import { requestJson } from '../../connectors/kit/http';
import { checkOaSettings } from '../../connectors/oa/auth';
import { getWorkflowRequest } from '../../connectors/oa/client';
import { checkSapSettings, type SapSettings } from '../../connectors/sap/auth';
import { readPurchaseOrder, sapClient } from '../../connectors/sap/client';
import { createWebhookSmsProvider } from '../../notify';
import { createHttpTimestampClient } from '../../signing';

let server: Server;
let port = 0;
/** Requests that reached the server, as "host path" (host as the client named it). */
let seen: Array<{ where: string; authorization?: string }> = [];
const landed = () => seen.filter((r) => r.where.includes('/landing'));

function handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const path = req.url ?? '/';
  seen.push({ where: `${host} ${path}`, authorization: req.headers.authorization });
  req.resume();
  const loop = /^\/hop\/(\d+)/.exec(path);
  if (loop) return res.writeHead(302, { location: `/hop/${Number(loop[1]) + 1}` }).end();
  if (path.startsWith('/out')) return res.writeHead(req.method === 'POST' ? 307 : 302, { location: `http://127.0.0.1:${port}/landing` }).end();
  if (path.startsWith('/metadata')) return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }).end();
  if (path.startsWith('/fine')) return res.writeHead(301, { location: '/json' }).end();
  if (path.startsWith('/cross')) return res.writeHead(302, { location: `http://127.0.0.1:${port}/landing` }).end();
  if (path.startsWith('/json') || path.startsWith('/landing')) return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  res.writeHead(404).end();
}

beforeAll(async () => {
  server = createServer(handle);
  // No host: dual stack, so "localhost" works whether it resolves to ::1 or 127.0.0.1.
  await new Promise<void>((resolve) => server.listen(0, resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  installOutboundAllowlist(null);
  await new Promise((resolve) => server?.close(resolve));
});
afterEach(() => {
  installOutboundAllowlist(null);
  seen = [];
});

const at = (path: string) => `http://localhost:${port}${path}`;
const sapSettings = (path: string): SapSettings => ({
  purchaseOrderServiceUrl: at(`${path}/po`), businessPartnerServiceUrl: at(`${path}/bp`), username: 'COMM_USER', password: 'sap-secret',
  pageSize: 10, changedSince: '2000-01-01T00:00:00Z', noteTextType: 'F01', noteLanguage: 'EN', timeoutMs: 5000,
});
const onlyLocalhost = () => installOutboundAllowlist(parseOutboundAllow('localhost'));

describe('a listed host cannot redirect an outbound call elsewhere', () => {
  it('connector JSON calls: the hop to 127.0.0.1 is refused before it is sent, not retried', async () => {
    onlyLocalhost();
    const error = await requestJson({ method: 'GET', url: at('/out'), headers: { authorization: 'Bearer connector-secret' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'outbound_refused', retryable: false });
    expect((error as Error).message).toMatch(/host 127\.0\.0\.1 is not in SEALFLOW_OUTBOUND_ALLOW/);
    expect(seen.map((r) => r.where)).toEqual(['localhost /out']);
    expect(landed()).toHaveLength(0);
  });

  it('a POST answered with 307 (which would re-send the body) is refused the same way', async () => {
    onlyLocalhost();
    await expect(requestJson({ method: 'POST', url: at('/out'), body: { contract: 'C-1' } })).rejects.toMatchObject({ code: 'outbound_refused' });
    expect(landed()).toHaveLength(0);
  });

  it('a redirect to a cloud metadata address is refused without a connection attempt', async () => {
    onlyLocalhost();
    const started = Date.now();
    await expect(requestJson({ method: 'GET', url: at('/metadata'), timeoutMs: 20_000 })).rejects.toThrow(/host 169\.254\.169\.254 is not in SEALFLOW_OUTBOUND_ALLOW/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it(`follows a redirect within the list, and stops a loop after ${MAX_OUTBOUND_REDIRECTS} hops`, async () => {
    onlyLocalhost();
    await expect(requestJson({ method: 'GET', url: at('/fine') })).resolves.toEqual({ status: 200, body: { ok: true } });
    seen = [];
    await expect(requestJson({ method: 'GET', url: at('/hop/0') })).rejects.toMatchObject({ code: 'outbound_refused', message: expect.stringContaining(`more than ${MAX_OUTBOUND_REDIRECTS} redirects`) });
    expect(seen).toHaveLength(MAX_OUTBOUND_REDIRECTS + 1);
  });

  it('does not carry the authorization header to another origin, even an allowed one', async () => {
    installOutboundAllowlist(parseOutboundAllow('localhost, 127.0.0.1'));
    await expect(requestJson({ method: 'GET', url: at('/cross'), headers: { authorization: 'Bearer connector-secret' } })).resolves.toMatchObject({ status: 200 });
    expect(seen[0]).toMatchObject({ where: 'localhost /cross', authorization: 'Bearer connector-secret' });
    expect(landed()).toEqual([{ where: '127.0.0.1 /landing', authorization: undefined }]);
  });

  it('the SMS webhook follows no redirect at all (its body carries one-time codes)', async () => {
    const sms = createWebhookSmsProvider({ url: at('/out'), token: 'gateway-token' });
    const error = await sms.send({ to: '13800138000', text: '您的签署验证码 123456', idempotencyKey: 'k-redirect' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_settings', retryable: false });
    expect((error as Error).message).toMatch(/SMS webhook: answered 307 \(a redirect\), which is not followed/);
    expect(landed()).toHaveLength(0);
  });

  it('an external TSA cannot bounce the signing service elsewhere', async () => {
    onlyLocalhost();
    const tsa = createHttpTimestampClient(at('/out'));
    await expect(tsa.timestamp({ hashAlgorithm: 'sha256', digest: new Uint8Array(32) })).rejects.toThrow(/host 127\.0\.0\.1 is not in SEALFLOW_OUTBOUND_ALLOW/);
    expect(landed()).toHaveLength(0);
  });

  it('the SAP and OA settings checks (which send the passwords) report the refused hop instead of following it', async () => {
    onlyLocalhost();
    const sap = await checkSapSettings(sapSettings('/out'));
    expect(sap).toEqual({ valid: false, error: expect.stringMatching(/host 127\.0\.0\.1 is not in SEALFLOW_OUTBOUND_ALLOW/) });
    const oa = await checkOaSettings({ endpoint: at('/out/oa'), username: 'oa', password: 'oa-secret', creatorId: '1', pageSize: 10, timeoutMs: 5000 });
    expect(oa).toEqual({ valid: false, error: expect.stringMatching(/host 127\.0\.0\.1 is not in SEALFLOW_OUTBOUND_ALLOW/) });
    expect(landed()).toHaveLength(0);
  });

  it('OA SOAP calls do not follow a redirect with the basic credentials', async () => {
    onlyLocalhost();
    const error = await getWorkflowRequest({ endpoint: at('/out/soap'), username: 'oa', password: 'oa-secret', creatorId: '1', pageSize: 10, timeoutMs: 5000 }, 'R-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(/answered 307 \(a redirect, not followed/);
    expect(landed()).toHaveLength(0);
  });

  it('SAP OData reads (through @sap/cds, which follows redirects inside the global fetch) stop at the refused hop', { timeout: 60_000 }, async () => {
    onlyLocalhost();
    const client = await sapClient(sapSettings('/out'));
    const error = await readPurchaseOrder(client, '4500000001').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'outbound_refused', retryable: false, message: expect.stringMatching(/host 127\.0\.0\.1 is not in SEALFLOW_OUTBOUND_ALLOW/) });
    expect(seen.some((r) => r.where.startsWith('localhost /out/po'))).toBe(true);
    expect(landed()).toHaveLength(0);
    // Outside such a call the process's own fetches are untouched (the list does not name 127.0.0.1).
    expect((await fetch(`http://127.0.0.1:${port}/json`)).status).toBe(200);
  });
});
