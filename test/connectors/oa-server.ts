// A real SOAP server for the OA workflow service, built from connectors/oa/oa-workflow.wsdl
// with `soap.listen` on loopback, backed by an in-memory OA. Tests decide requests with
// `decide()`, as an OA approver would.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import * as soap from 'soap';
import { OA_WSDL_PATH, type OaStatus } from '../../connectors/oa';

interface StoredRequest {
  requestId: string; workflowId: string; requestName: string; creatorId: string; externalKey: string;
  status: OaStatus; createdAt: string; decidedBy?: string; decidedAt?: string; remark?: string;
  field: Array<{ fieldName: string; fieldValue: string }>;
}

export async function startOaServer(port = 0) {
  const requests = new Map<string, StoredRequest>();
  const outcomes = new Map<string, { requestId: string; outcome: string; contractId: string }>();
  let nextId = 1000;
  const wsdl = readFileSync(OA_WSDL_PATH, 'utf8');
  const asList = <T>(v: T | T[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

  const add = (r: Omit<StoredRequest, 'requestId' | 'createdAt' | 'status'>) => {
    const existing = [...requests.values()].find((x) => x.externalKey === r.externalKey);
    if (existing) return existing.requestId; // idempotent by externalKey, as the WSDL documents
    const requestId = String(nextId++);
    requests.set(requestId, { ...r, requestId, status: 'pending', createdAt: new Date().toISOString() });
    return requestId;
  };
  const view = ({ externalKey: _k, ...r }: StoredRequest) => r;
  const service = {
    OaWorkflowService: {
      OaWorkflowPort: {
        doCreateWorkflowRequest({ request }: { request: Omit<StoredRequest, 'requestId' | 'createdAt' | 'status' | 'field'> & { field?: StoredRequest['field'] | StoredRequest['field'][number] } }) {
          return { requestId: add({ ...request, field: asList(request.field) }) };
        },
        getWorkflowRequest({ requestId }: { requestId: string }) {
          const found = requests.get(requestId);
          if (!found) throw { Fault: { faultcode: 'soap:Client', faultstring: `no request ${requestId}` } };
          return { request: view(found) };
        },
        listWorkflowRequests({ workflowId, afterRequestId, pageSize }: { workflowId: string; afterRequestId?: string; pageSize: number }) {
          const list = [...requests.values()].filter((r) => r.workflowId === workflowId && Number(r.requestId) > Number(afterRequestId ?? 0)).slice(0, Number(pageSize));
          return { request: list.map(view) };
        },
        submitContractOutcome(input: { requestId: string; contractId: string; outcome: string; idempotencyKey: string }) {
          const duplicate = outcomes.has(input.idempotencyKey);
          if (!duplicate) outcomes.set(input.idempotencyKey, input);
          return { accepted: requests.has(input.requestId), duplicate };
        },
      },
    },
  };

  const http: Server = createServer((_req, res) => { res.statusCode = 404; res.end(); });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  soap.listen(http, '/services/OaWorkflowService', service, wsdl);
  const actualPort = (http.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${actualPort}/services/OaWorkflowService`,
    port: actualPort,
    requests,
    outcomes,
    /** An OA user opens a request in OA (e.g. a seal-use request). */
    open: (r: { workflowId: string; requestName: string; creatorId: string; fields: Record<string, string> }) =>
      add({ workflowId: r.workflowId, requestName: r.requestName, creatorId: r.creatorId, externalKey: `oa-ui-${nextId}`, field: Object.entries(r.fields).map(([fieldName, fieldValue]) => ({ fieldName, fieldValue })) }),
    decide(requestId: string, status: OaStatus, by: string, remark?: string) {
      const r = requests.get(requestId)!;
      Object.assign(r, { status, decidedBy: by, remark, decidedAt: new Date().toISOString() });
    },
    stop: () => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }),
  };
}
