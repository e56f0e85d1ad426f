// SOAP calls to the OA workflow service. `soap` is imported on first use; the client is
// built from the WSDL shipped beside this file and pointed at the configured endpoint,
// so a connector works even where the OA server does not publish its WSDL.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from 'soap';
import { ConnectorError, isRetryableStatus, messageOf, networkErrorCode } from '../kit/errors';
import type { OaSettings } from './auth';
import { assertOutbound } from '../kit/http';

export const OA_WSDL_PATH = join(dirname(fileURLToPath(import.meta.url)), 'oa-workflow.wsdl');

export type OaStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';

export interface OaField { fieldName: string; fieldValue: string }

export interface OaWorkflowRequest {
  requestId: string;
  workflowId: string;
  requestName: string;
  creatorId: string;
  status: OaStatus;
  createdAt: string;
  decidedBy?: string;
  decidedAt?: string;
  remark?: string;
  field?: OaField[];
}

const clients = new Map<string, Promise<Client>>();

async function oaClient(settings: OaSettings): Promise<Client> {
  assertOutbound(settings.endpoint, 'OA SOAP endpoint');
  const key = JSON.stringify([settings.endpoint, settings.username, settings.password]);
  let client = clients.get(key);
  if (!client) {
    client = (async () => {
      const soap = await import('soap');
      const created = await soap.createClientAsync(OA_WSDL_PATH, {}, settings.endpoint);
      if (settings.username && settings.password) created.setSecurity(new soap.BasicAuthSecurity(settings.username, settings.password));
      return created;
    })();
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

interface SoapFailure { response?: { status?: number }; root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } } }

/** Network trouble, timeouts, 5xx and soap:Server faults may pass; soap:Client faults and 4xx will not. */
export function oaError(error: unknown, operation: string): ConnectorError {
  const failure = error as SoapFailure;
  const fault = failure?.root?.Envelope?.Body?.Fault;
  if (fault) {
    const serverSide = /Server$/i.test(fault.faultcode ?? '');
    // The fault code only: the fault string is the OA system's own text, and this message reaches contract timelines.
    return new ConnectorError(serverSide ? 'source_failed' : 'source_rejected', `OA ${operation} fault ${fault.faultcode}`, { retryable: serverSide, status: failure.response?.status, cause: error });
  }
  const status = failure?.response?.status;
  if (status !== undefined) {
    const redirect = status >= 300 && status < 400 ? ' (a redirect, not followed: configure the final address)' : '';
    return new ConnectorError(isRetryableStatus(status) ? 'source_failed' : 'source_rejected', `OA ${operation} answered ${status}${redirect}`, { retryable: isRetryableStatus(status), status, cause: error });
  }
  const code = networkErrorCode(error) ?? (error as { code?: string })?.code;
  return new ConnectorError('source_unreachable', `OA ${operation} failed${code ? ` (${code})` : ''}: ${messageOf(error)}`, { retryable: true, cause: error });
}

async function call<T>(settings: OaSettings, operation: string, args: Record<string, unknown>): Promise<T> {
  try {
    const client = await oaClient(settings);
    const method = (client as unknown as Record<string, (args: unknown, options: unknown) => Promise<[T]>>)[`${operation}Async`];
    // Passed to soap's axios: a redirect is not followed but fails (oaError names it), so a listed OA host cannot
    // send the call and its basic credentials on to a host SEALFLOW_OUTBOUND_ALLOW does not name. 4xx/5xx still
    // reach soap, which reads the SOAP fault in them.
    const [result] = await method.call(client, args, { timeout: settings.timeoutMs, maxRedirects: 0, validateStatus: (status: number) => status < 300 || status >= 400 });
    return result;
  } catch (error) {
    throw oaError(error, operation);
  }
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export async function createWorkflowRequest(settings: OaSettings, request: { workflowId: string; requestName: string; creatorId: string; externalKey: string; callbackUrl?: string; fields: OaField[] }): Promise<string> {
  const { callbackUrl, fields, ...rest } = request;
  const result = await call<{ requestId: string }>(settings, 'doCreateWorkflowRequest', { request: { ...rest, ...(callbackUrl ? { callbackUrl } : {}), field: fields } });
  return result.requestId;
}

export async function getWorkflowRequest(settings: OaSettings, requestId: string): Promise<OaWorkflowRequest> {
  const result = await call<{ request: OaWorkflowRequest }>(settings, 'getWorkflowRequest', { requestId });
  return { ...result.request, field: asList(result.request.field) };
}

export async function listWorkflowRequests(settings: OaSettings, query: { workflowId: string; afterRequestId?: string; pageSize: number }): Promise<OaWorkflowRequest[]> {
  const result = await call<{ request?: OaWorkflowRequest | OaWorkflowRequest[] } | null>(settings, 'listWorkflowRequests', query);
  return asList(result?.request).map((r) => ({ ...r, field: asList(r.field) }));
}

export async function submitContractOutcome(settings: OaSettings, outcome: { requestId: string; contractId: string; outcome: string; message: string; idempotencyKey: string }): Promise<{ accepted: boolean; duplicate: boolean }> {
  return call(settings, 'submitContractOutcome', outcome);
}
