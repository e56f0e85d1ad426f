import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier, createWebhookSmsProvider, NotifyError, type Message } from '../../notify';
import type { Store } from '../../store';
import { openTestStore } from '../support/databases';
import { startSmsGateway, type LocalSmsGateway } from './support';

const code: Message = { channel: 'sms', to: '13800138000', subject: '签署验证码', body: '【Sealflow】您的签署验证码为 482913，10 分钟内有效。', contractId: 'c-1' };

describe('SMS through the webhook provider', () => {
  let gateway: LocalSmsGateway;

  beforeAll(async () => {
    gateway = await startSmsGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });
  beforeEach(() => {
    gateway.requests.length = 0;
    gateway.answer = (_request, n) => ({ status: 200, body: JSON.stringify({ id: `sms-${n}` }) });
  });

  it('POSTs {to, text, idempotencyKey} as JSON with Bearer and Idempotency-Key headers and returns the gateway id', async () => {
    const provider = createWebhookSmsProvider({ url: gateway.url, token: 'gw-token-123', timeoutMs: 2_000 });
    const result = await provider.send({ to: '138 0013 8000', text: code.body, idempotencyKey: 'c-1:otp:supplier:1' });
    expect(result).toEqual({ id: 'sms-1' });
    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/sms/send');
    expect(request.headers.authorization).toBe('Bearer gw-token-123');
    expect(request.headers['idempotency-key']).toBe('c-1:otp:supplier:1');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request.body)).toEqual({ to: '13800138000', text: code.body, idempotencyKey: 'c-1:otp:supplier:1' });
  });

  it('sends no Authorization header without a token, and falls back to the key as id when the answer has none', async () => {
    gateway.answer = () => ({ status: 202, body: 'accepted' });
    const provider = createWebhookSmsProvider({ url: gateway.url });
    expect(await provider.send({ to: '+8613800138000', text: 'hi', idempotencyKey: 'k-1' })).toEqual({ id: 'k-1' });
    expect(gateway.requests[0].headers.authorization).toBeUndefined();
  });

  it('turns a 500 into a retryable error with the status, and a 400 into a final one', async () => {
    const provider = createWebhookSmsProvider({ url: gateway.url, token: 't', timeoutMs: 2_000 });
    gateway.answer = () => ({ status: 500, body: '{"error":"upstream down"}' });
    const failure = await provider.send({ to: '13800138000', text: 'x', idempotencyKey: 'k' }).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(NotifyError);
    expect(failure).toMatchObject({ code: 'sms_failed', status: 500, retryable: true });
    expect((failure as Error).message).toBe(`sending SMS to 138****8000 through webhook ${gateway.url} failed: HTTP 500 {"error":"upstream down"}`);

    gateway.answer = () => ({ status: 400, body: '' });
    await expect(provider.send({ to: '13800138000', text: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({ status: 400, retryable: false, message: expect.stringMatching(/HTTP 400$/) });
  });

  it('refuses a number that is neither E.164 nor a mainland mobile before sending anything', async () => {
    const provider = createWebhookSmsProvider({ url: gateway.url });
    for (const to of ['12345', '23800138000', '1380013800', '+0123456789', '138001380001', 'tel:13800138000', '']) {
      await expect(provider.send({ to, text: 'x', idempotencyKey: `k:${to}` })).rejects.toMatchObject({ code: 'invalid_recipient', retryable: false });
    }
    await expect(provider.send({ to: '13800138', text: 'x', idempotencyKey: 'k' })).rejects.toThrow(/is not a mobile number: expected E\.164 \(e\.g\. \+8613800138000\) or a mainland 11-digit number starting with 1/);
    expect(gateway.requests).toHaveLength(0);
  });

  it('gives up waiting after its timeout, and says so', async () => {
    gateway.answer = () => ({ status: 200, body: '{}', delayMs: 1_000 });
    const provider = createWebhookSmsProvider({ url: gateway.url, timeoutMs: 200 });
    await expect(provider.send({ to: '13800138000', text: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'sms_failed',
      retryable: true,
      message: expect.stringMatching(/failed: no answer within 200 ms$/),
    });
  });

  it('reports a webhook it cannot reach as a retryable error without its query string', async () => {
    const closed = await startSmsGateway();
    const url = `${closed.url}?key=secret-in-query`;
    await closed.close();
    const provider = createWebhookSmsProvider({ url });
    const failure = (await provider.send({ to: '13800138000', text: 'x', idempotencyKey: 'k' }).then(() => null, (error: unknown) => error)) as NotifyError;
    expect(failure).toMatchObject({ code: 'sms_failed', retryable: true });
    expect(failure.message).toMatch(/ECONNREFUSED/);
    expect(failure.message).not.toContain('secret-in-query');
  });

  it('refuses a webhook URL that is not http(s)', () => {
    expect(() => createWebhookSmsProvider({ url: 'ftp://gateway.example.com' })).toThrow(/SMS webhook URL must be http\(s\)/);
  });

  describe('through the notifier', () => {
    let store: Store;
    beforeEach(async () => {
      store = await openTestStore('sqlite');
    });
    afterEach(async () => {
      await store.close();
    });

    it('records the SMS in the outbox and sends it once per idempotency key', async () => {
      const notifier = createNotifier({ store, outbox: true, sms: createWebhookSmsProvider({ url: gateway.url, token: 't' }) });
      await notifier.send(code, 'c-1:otp:1');
      await notifier.send(code, 'c-1:otp:1');
      await notifier.send({ ...code, body: '【Sealflow】您的签署验证码为 105577。' }, 'c-1:otp:2');
      expect(gateway.requests.map((request) => JSON.parse(request.body).idempotencyKey)).toEqual(['c-1:otp:1', 'c-1:otp:2']);
      expect(JSON.parse(gateway.requests[0].body).text).toBe(code.body);
      const outbox = await store.outbox.list();
      expect(outbox).toHaveLength(2);
      expect(outbox.map((message) => message.channel)).toEqual(['sms', 'sms']);
    });

    it('retries a failed SMS on the next call with the same key', async () => {
      const notifier = createNotifier({ store, outbox: true, sms: createWebhookSmsProvider({ url: gateway.url }) });
      gateway.answer = () => ({ status: 503, body: '' });
      await expect(notifier.send(code, 'c-1:otp:1')).rejects.toMatchObject({ status: 503 });
      gateway.answer = () => ({ status: 200, body: '{"id":"ok"}' });
      await notifier.send(code, 'c-1:otp:1');
      await notifier.send(code, 'c-1:otp:1');
      expect(gateway.requests).toHaveLength(2);
      expect(await store.outbox.list()).toHaveLength(1);
    });

    it('refuses a bad number before recording or sending it', async () => {
      const notifier = createNotifier({ store, outbox: true, sms: createWebhookSmsProvider({ url: gateway.url }) });
      await expect(notifier.send({ ...code, to: '010-12345678' }, 'k')).rejects.toMatchObject({ code: 'invalid_recipient' });
      expect(gateway.requests).toHaveLength(0);
      expect(await store.outbox.list()).toHaveLength(0);
    });
  });
});
