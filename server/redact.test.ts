import { describe, expect, it } from 'vitest';
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
