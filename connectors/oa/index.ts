// OA (e.g. Weaver e-cology) over SOAP. In: each new request of a chosen OA workflow (a
// seal-use or contract request) starts a contract. Out: an approval step can be delegated
// to OA — a workflow request is created there and its decision read back by poll or
// callback — and a contract's outcome is reported on the OA request it came from.
import { defineConnector, type ApprovalDecision } from '../kit/define';
import { ConnectorError } from '../kit/errors';
import { checkOaSettings, OaSettingsSchema } from './auth';
import { createWorkflowRequest, getWorkflowRequest, listWorkflowRequests, submitContractOutcome, type OaWorkflowRequest } from './client';

export { OaSettingsSchema, type OaSettings } from './auth';
export { OA_WSDL_PATH, type OaWorkflowRequest, type OaStatus } from './client';

/** An OA request as a mapping sees it: fields as an object by name. */
export function toOaRecord(request: OaWorkflowRequest) {
  const fields: Record<string, string> = {};
  for (const field of request.field ?? []) fields[field.fieldName] = field.fieldValue;
  const { field: _ignored, ...rest } = request;
  return { ...rest, fields };
}

function decisionOf(request: { requestId: string; status: string; decidedBy?: string; remark?: string; decidedAt?: string }): ApprovalDecision {
  if (request.status === 'approved' || request.status === 'rejected') {
    return { status: request.status, requestId: request.requestId, decidedBy: request.decidedBy, comment: request.remark, decidedAt: request.decidedAt };
  }
  // A withdrawn request is a "no" for the contract: nobody will approve it any more.
  if (request.status === 'withdrawn') return { status: 'rejected', requestId: request.requestId, decidedBy: request.decidedBy, comment: request.remark ?? 'withdrawn in OA', decidedAt: request.decidedAt };
  return { status: 'pending', requestId: request.requestId };
}

export const oaWorkflow = defineConnector({
  id: 'oa_workflow',
  displayName: 'OA workflow (SOAP)',
  description: 'Starts contracts from OA requests, delegates approval steps to OA workflows and reports outcomes back, over the SOAP service in oa-workflow.wsdl.',
  auth: { schema: OaSettingsSchema, check: checkOaSettings },
  triggers: {
    poll: {
      kind: 'poll',
      defaultEveryMinutes: 5,
      async fetchSince({ settings }, cursor) {
        if (!settings.requestWorkflowId) throw new ConnectorError('invalid_settings', 'requestWorkflowId is required to read OA requests', { retryable: false });
        const requests = await listWorkflowRequests(settings, { workflowId: settings.requestWorkflowId, afterRequestId: cursor ?? undefined, pageSize: settings.pageSize });
        const items = requests.map((request) => ({ sourceKey: request.requestId, record: toOaRecord(request), version: request.createdAt, cursor: request.requestId }));
        return { items, nextCursor: items.at(-1)?.cursor ?? cursor, hasMore: requests.length >= settings.pageSize };
      },
    },
    webhook: {
      kind: 'webhook',
      // OA's workflow exit action posts { requestId } (or the request itself); we read the request by id.
      async itemsFromPayload({ settings }, payload) {
        const requestId = (payload as { requestId?: unknown }).requestId;
        if (typeof requestId !== 'string' || !requestId) throw new ConnectorError('invalid_payload', 'requestId is required', { retryable: false });
        const request = await getWorkflowRequest(settings, requestId);
        return [{ sourceKey: request.requestId, record: toOaRecord(request), version: request.createdAt }];
      },
    },
  },
  actions: {
    async delegateApproval({ settings }, request) {
      if (!settings.approvalWorkflowId) throw new ConnectorError('invalid_settings', 'approvalWorkflowId is required to delegate approvals', { retryable: false });
      const fields = Object.entries({ contractId: request.contractId, ...(request.amount !== undefined ? { amount: String(request.amount) } : {}), ...request.fields }).map(([fieldName, fieldValue]) => ({ fieldName, fieldValue }));
      const requestId = await createWorkflowRequest(settings, {
        workflowId: settings.approvalWorkflowId,
        requestName: request.title,
        creatorId: request.requester ?? settings.creatorId,
        externalKey: request.idempotencyKey,
        callbackUrl: request.callbackUrl,
        fields,
      });
      return { requestId };
    },
    async approvalDecision({ settings }, requestId) {
      return decisionOf(await getWorkflowRequest(settings, requestId));
    },
    parseApprovalCallback(payload) {
      const body = payload as { requestId?: unknown; status?: unknown; operator?: unknown; remark?: unknown; decidedAt?: unknown };
      if (typeof body?.requestId !== 'string' || typeof body.status !== 'string' || !['pending', 'approved', 'rejected', 'withdrawn'].includes(body.status)) {
        return new ConnectorError('invalid_payload', 'an OA callback needs requestId and status (pending, approved, rejected or withdrawn)', { retryable: false });
      }
      return decisionOf({
        requestId: body.requestId,
        status: body.status,
        decidedBy: typeof body.operator === 'string' ? body.operator : undefined,
        remark: typeof body.remark === 'string' ? body.remark : undefined,
        decidedAt: typeof body.decidedAt === 'string' ? body.decidedAt : undefined,
      });
    },
    async writeBack({ settings }, request) {
      const result = await submitContractOutcome(settings, {
        requestId: request.sourceKey,
        contractId: request.contractId,
        outcome: request.outcome,
        message: request.message,
        idempotencyKey: request.idempotencyKey,
      });
      if (!result.accepted) throw new ConnectorError('source_rejected', `OA did not accept the outcome of request ${request.sourceKey}`, { retryable: false });
      return { written: !result.duplicate, reference: request.sourceKey };
    },
  },
  defaultMapping: `{
  "title": requestName,
  "requester": creatorId,
  "sealType": fields.sealType,
  "purpose": fields.purpose,
  "amount": $number(fields.amount)
}`,
});
