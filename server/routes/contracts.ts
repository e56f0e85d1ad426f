import type { Store } from '../../store';
import type { DocumentService } from '../../workflows';
import type { ContractService } from '../contracts';
import { notFound } from '../errors';
import { templateFailure } from './templates';
import { defineRoute } from '../route';
import { ApprovalBody, CancelBody, ContractListQuery, ContractSchema, ContractWaitQuery, DEFAULT_WAIT_SECONDS, StartContractBody } from '../schemas';

/** A bare date as `to` means the whole of that day. */
const endOf = (to: string | undefined) => (to && /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : to);

export function contractRoutes(store: Store, contracts: ContractService, documents: DocumentService) {
  return [
    defineRoute({
      method: 'post', path: '/api/contracts', tag: 'contracts', access: 'user', body: StartContractBody,
      summary: 'Start a contract on a published flow; the same flow + sourceKey returns the existing contract',
      responses: {
        201: { description: 'started', schema: ContractSchema },
        200: { description: 'this flow + sourceKey already has this contract', schema: ContractSchema },
        404: { description: 'no such flow' },
        409: { description: 'the flow has no published version' },
      },
      handler: async ({ body, actor }) => {
        const { contract, created } = await contracts.start(body, actor!);
        return { status: created ? 201 : 200, body: contract };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/contracts', tag: 'contracts', access: 'user', query: ContractListQuery,
      summary: 'Track contracts: filter by status, flow, text, creation time; newest first',
      responses: { 200: { description: 'a page of contracts, each with who it waits on' } },
      handler: async ({ query }) => ({ body: await store.contracts.list({ ...query, to: endOf(query.to) }) }),
    }),
    defineRoute({
      method: 'get', path: '/api/contracts/:id', tag: 'contracts', access: 'user', query: ContractWaitQuery,
      summary: 'A contract: status, chosen tier, each step with who decided what and when, signers, timeline. With ?wait=<status>, the answer waits until the contract gets there (long poll)',
      responses: {
        200: { description: 'the contract; after a wait, header x-sealflow-wait says "reached", "settled" (it ended in another status) or "timeout"', schema: ContractSchema },
        400: { description: 'wait names no status, signer goes without wait=signing or names none of the signers, timeout out of range' },
        404: { description: 'no such contract' },
      },
      handler: async ({ params, query, req }) => {
        if (query.wait === undefined && query.signer === undefined) return { body: await contracts.get(params.id) };
        // The rendering, the invitations, the signatures and the archive happen after the calls that cause them: a script waits here instead of polling.
        let gone = false;
        req.res?.once('close', () => (gone = true));
        const { contract, outcome } = await contracts.waitFor(params.id, { status: query.wait, signer: query.signer }, { timeoutMs: (query.timeout ?? DEFAULT_WAIT_SECONDS) * 1000, gone: () => gone });
        return { body: contract, headers: { 'x-sealflow-wait': outcome } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/contracts/:id/documents/:doc.pdf', tag: 'contracts', access: 'user',
      summary: 'A contract document as PDF: the generated one once approval passed, before that a preview from the current data',
      responses: { 200: { description: 'the PDF; header x-sealflow-document says "generated" (with its SHA-256) or "preview"', contentType: 'application/pdf' }, 404: { description: 'no such contract or document' } },
      handler: async ({ params }) => {
        const contract = await contracts.get(params.id);
        const headers = { 'content-disposition': `inline; filename="${contract.id}-${params.doc}.pdf"` };
        const generated = contract.documents.find((d) => d.id === params.doc);
        if (generated) {
          const stored = await store.documents.get(generated.sha256);
          if (!stored) throw notFound(`The bytes of document "${params.doc}" (${generated.sha256})`);
          return { body: stored.content, contentType: 'application/pdf', headers: { ...headers, 'x-sealflow-document': 'generated', 'x-sealflow-sha256': generated.sha256, etag: `"${generated.sha256}"` } };
        }
        const flow = await store.flows.get(contract.flowKey, contract.flowVersion);
        const preview = contract.status === 'in_approval' && flow ? await documents.previewContractDocument(flow.definition, contract.data, params.doc).catch(templateFailure) : null;
        if (!preview) throw notFound(`Document "${params.doc}" of contract ${contract.id}`);
        return { body: preview.pdf, contentType: 'application/pdf', headers: { ...headers, 'x-sealflow-document': 'preview' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/:id/approvals', tag: 'contracts', access: 'user', body: ApprovalBody,
      summary: "The calling user's decision on the contract's current approval step",
      responses: {
        200: { description: 'the contract after the decision', schema: ContractSchema },
        403: { description: 'the user holds none of the roles the step waits for' },
        404: { description: 'no such contract' },
        409: { description: 'the contract waits for no decision, or this user already decided' },
      },
      handler: async ({ params, body, actor, req }) => ({
        body: await contracts.decide(params.id, { actor: actor!, decision: body.decision, comment: body.comment ?? null, origin: { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null } }),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/:id/cancel', tag: 'contracts', access: 'user', body: CancelBody,
      summary: 'Cancel a contract in flight (its initiator or an admin)',
      responses: { 200: { description: 'the cancelled contract', schema: ContractSchema }, 403: { description: 'neither initiator nor admin' }, 409: { description: 'already finished' } },
      handler: async ({ params, body, actor }) => ({ body: await contracts.cancel(params.id, actor!, body.reason) }),
    }),
  ];
}
