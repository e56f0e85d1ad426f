// Write-back for REST systems: POST the outcome to the instance's callback URL with an
// Idempotency-Key header (and an HMAC signature when a secret is set, so the receiver can
// trust it). Errors come back classified for retry by kit/http.
import { Type } from '@sinclair/typebox';
import type { WriteBackRequest, WriteBackResult } from '../kit/define';
import { authorizationHeader, requestJson } from '../kit/http';
import { Secret, Url } from '../kit/settings';
import { signWebhookBody, SIGNATURE_HEADER } from '../kit/webhook';

/** Settings every REST connector shares; each system adds its own. */
export const RestCallbackSettings = {
  callbackUrl: Type.Optional(Url({ title: 'Callback URL for contract outcomes' })),
  callbackSecret: Type.Optional(Secret({ title: 'Secret to sign callbacks with (HMAC-SHA256)' })),
  token: Type.Optional(Secret({ title: 'Bearer token for calls to the system' })),
  timeoutMs: Type.Integer({ minimum: 1000, maximum: 300000, default: 15000 }),
};

export interface RestCallbackConfig { callbackUrl?: string; callbackSecret?: string; token?: string; timeoutMs?: number }

export async function postOutcome(settings: RestCallbackConfig, request: WriteBackRequest, signal?: AbortSignal): Promise<WriteBackResult> {
  if (!settings.callbackUrl) return { written: false };
  const body = { sourceKey: request.sourceKey, contractId: request.contractId, outcome: request.outcome, message: request.message, at: request.at };
  const headers: Record<string, string> = { 'idempotency-key': request.idempotencyKey, ...authorizationHeader(settings) };
  if (settings.callbackSecret) headers[SIGNATURE_HEADER] = signWebhookBody(JSON.stringify(body), settings.callbackSecret);
  const response = await requestJson({ method: 'POST', url: settings.callbackUrl, headers, body, timeoutMs: settings.timeoutMs, signal });
  // 200 with { duplicate: true } or 409 handled by requestJson as rejected; a receiver that dedupes answers 200.
  const duplicate = (response.body as { duplicate?: unknown } | undefined)?.duplicate === true;
  return { written: !duplicate, reference: request.sourceKey };
}
