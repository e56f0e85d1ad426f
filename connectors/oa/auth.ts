// Settings of the OA connector (SOAP, see oa-workflow.wsdl). The password is secret.
import { Type, type Static } from '@sinclair/typebox';
import type { ValidationOutcome } from '../kit/define';
import { Secret, Url } from '../kit/settings';
import { fetchOutbound } from '../../config';

export const OaSettingsSchema = Type.Object(
  {
    endpoint: Url({ title: 'SOAP endpoint', description: 'address of the OaWorkflowService port' }),
    username: Type.Optional(Type.String({ minLength: 1, title: 'User (HTTP basic)' })),
    password: Type.Optional(Secret({ title: 'Password' })),
    requestWorkflowId: Type.Optional(Type.String({ minLength: 1, title: 'OA workflow whose requests start contracts (e.g. seal use)' })),
    approvalWorkflowId: Type.Optional(Type.String({ minLength: 1, title: 'OA workflow that takes delegated approvals' })),
    creatorId: Type.String({ minLength: 1, default: '1', title: 'OA user who creates delegated approval requests' }),
    pageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    timeoutMs: Type.Integer({ minimum: 1000, maximum: 300000, default: 30000 }),
  },
  { additionalProperties: false },
);

export type OaSettings = Static<typeof OaSettingsSchema>;

/** Fetches the service's WSDL (`?wsdl`): proves the address and the credentials. */
export async function checkOaSettings(settings: OaSettings): Promise<ValidationOutcome> {
  const headers: Record<string, string> = {};
  if (settings.username && settings.password) headers.authorization = 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64');
  try {
    const response = await fetchOutbound(`${settings.endpoint}?wsdl`, { headers, signal: AbortSignal.timeout(settings.timeoutMs ?? 30000) }, 'OA SOAP endpoint');
    if (!response.ok) return { valid: false, error: `OA answered ${response.status} for ?wsdl` };
    const wsdl = await response.text();
    if (!wsdl.includes('doCreateWorkflowRequest')) return { valid: false, error: 'the service has no doCreateWorkflowRequest operation' };
    return { valid: true };
  } catch (error) {
    return { valid: false, error: `cannot reach ${settings.endpoint}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
