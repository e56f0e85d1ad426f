// SMS behind a provider interface. The one provider here POSTs to an HTTP webhook, which
// an operator points at their SMS gateway (or a small adapter for Aliyun, Tencent Cloud, …).
import { fetchOutbound, OutboundRefusedError } from '../config';
import { NotifyError } from './errors';
import { maskMobile, normalizeMobile } from './recipients';

export interface SmsRequest {
  /** E.164 or a mainland 11-digit number; providers refuse anything else before sending. */
  to: string;
  text: string;
  /** The same key twice is the same SMS; providers pass it on so the gateway can dedupe. */
  idempotencyKey: string;
}

export interface SmsProvider {
  /** Resolves once the provider accepted the message; throws NotifyError. */
  send(request: SmsRequest): Promise<{ id: string }>;
}

export interface WebhookSmsProviderOptions {
  /** http(s) URL that receives `POST {to, text, idempotencyKey}` as JSON. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * POSTs `{to, text, idempotencyKey}` with `Idempotency-Key` (and `Authorization: Bearer`)
 * headers. A 2xx answer is success; its JSON `id` (or `messageId`) becomes the result's id,
 * else the idempotency key. Non-2xx, no answer in time, or no connection → NotifyError
 * (retryable for 408, 429, 5xx and network failures).
 */
export function createWebhookSmsProvider(options: WebhookSmsProviderOptions): SmsProvider {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new NotifyError('invalid_settings', 'SMS webhook URL is not a URL', { retryable: false });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new NotifyError('invalid_settings', `SMS webhook URL must be http(s), got "${target.protocol}//"`, { retryable: false });
  }
  const token = options.token?.trim() || null;
  if (token !== null && /[\s\u0000-\u001f]/.test(token)) {
    throw new NotifyError('invalid_settings', 'SMS webhook token must not contain whitespace', { retryable: false });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Never the query string or credentials in messages: some gateways take the key there.
  const label = `${target.origin}${target.pathname}`;

  return {
    async send({ to, text, idempotencyKey }) {
      const mobile = normalizeMobile(to);
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        accept: 'application/json',
        'idempotency-key': idempotencyKey,
      };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let response: Response;
      try {
        // Held to SEALFLOW_OUTBOUND_ALLOW, and no redirect is followed: the body carries one-time codes, which
        // a 307 would re-send to wherever the gateway (or whoever took it over) points.
        response = await fetchOutbound(target, {
          method: 'POST',
          headers,
          body: JSON.stringify({ to: mobile, text, idempotencyKey }),
          signal: AbortSignal.timeout(timeoutMs),
        }, 'SMS webhook', { maxRedirects: 0 });
      } catch (error) {
        if (error instanceof OutboundRefusedError) throw new NotifyError('invalid_settings', error.message, { retryable: false });
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        const reason = timedOut ? `no answer within ${timeoutMs} ms` : networkReason(error);
        throw new NotifyError('sms_failed', `sending SMS to ${maskMobile(mobile)} through webhook ${label} failed: ${reason}`, { retryable: true, cause: error });
      }
      const answer = await response.text().catch(() => '');
      if (!response.ok) {
        const status = response.status;
        throw new NotifyError(
          'sms_failed',
          `sending SMS to ${maskMobile(mobile)} through webhook ${label} failed: HTTP ${status}${answer ? ` ${answer.slice(0, 200)}` : ''}`,
          { retryable: status === 408 || status === 429 || status >= 500, status },
        );
      }
      return { id: providerId(answer) ?? idempotencyKey };
    },
  };
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is in its cause. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return [(cause as NodeJS.ErrnoException).code, cause.message].filter(Boolean).join(' ');
  return error instanceof Error ? error.message : String(error);
}

function providerId(answer: string): string | null {
  try {
    const body: unknown = JSON.parse(answer);
    if (body && typeof body === 'object') {
      for (const field of ['id', 'messageId'] as const) {
        const value = (body as Record<string, unknown>)[field];
        if (typeof value === 'string' && value) return value;
        if (typeof value === 'number') return String(value);
      }
    }
  } catch {
    // Not JSON: the provider accepted the message without telling us its id.
  }
  return null;
}
