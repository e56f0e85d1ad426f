import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability';
import { redact, redactConsole } from './redact';

describe('redact', () => {
  it('hides the token of a signing link, in the page path and the API paths', () => {
    const token = 'Q2xhc3NpZmllZC1zaWduaW5nLXRva2VuLTEyMzQ1';
    for (const line of [`GET /sign/${token}`, `POST /api/sign/${token}/otp failed`, `http://hub.example.com/sign/${token}?x=1`, `POST /api/sign/${token}`]) {
      const out = redact(line);
      expect(out).not.toContain(token);
      expect(out).toContain('[redacted]');
    }
    expect(redact('POST /api/sign/batch/otp')).toBe('POST /api/sign/batch/otp');
  });

  it('hides bearer tokens, codes, secrets and generated admin tokens', () => {
    const out = redact('authorization: Bearer abc.def-ghi {"otp":"123456","secret":"s3cr3t","page":2,"code":"778899","error":{"code":"source_failed"}} 您的签署验证码 654321，5 分钟内有效 ?token=tk_9 sf_admin_AbC-123');
    for (const secret of ['778899', 'abc.def-ghi', '123456', 's3cr3t', '654321', 'tk_9', 'AbC-123']) expect(out).not.toContain(secret);
    expect(out).toContain('"page":2');
    expect(out).toContain('"code":"source_failed"');
  });

  it('keeps a JSON log line JSON when a signing link sits in a JSON text inside it (an SMS gateway\'s refusal quoting the request)', () => {
    const token = 'Q2xhc3NpZmllZC1zaWduaW5nLXRva2VuLTEyMzQ1';
    const refusal = `HTTP 400 ${JSON.stringify({ error: 'rejected', request: { text: `请签署：http://hub.example.com/sign/${token}`, idempotencyKey: 'ct_1:supplier:invitation:2:sms', otp: '123456' } })}`;
    const lines: string[] = [];
    for (const format of ['json', 'plain'] as const) {
      createLogger({ format, write: (line) => void lines.push(line) }).warn({ reason: refusal, contractId: 'ct_1' }, 'notice skipped');
    }
    const [json, plain] = lines;
    expect(() => JSON.parse(json!)).not.toThrow();
    expect(JSON.parse(json!).reason).toContain('/sign/[redacted]');
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain('123456');
    }
    expect(plain).toMatch(/WARN \[ct_1\] notice skipped reason=HTTP 400/);
  });

  it('leaves ordinary lines alone', () => {
    expect(redact('[sealflow] REST API on http://localhost:3000 (GET /healthz, /openapi.json)')).toBe('[sealflow] REST API on http://localhost:3000 (GET /healthz, /openapi.json)');
  });

  it('redacts every console line once installed', () => {
    const lines: string[] = [];
    const push = (...args: unknown[]) => void lines.push(String(args[0]));
    const target = { log: push, info: push, warn: push, error: push, debug: push };
    redactConsole(target);
    target.error('[worker] failed on %s', '/api/sign/secret-token-0123456789');
    target.warn(new Error('POST /sign/another-token-0123456789 failed'));
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/secret-token|another-token/);
  });
});
