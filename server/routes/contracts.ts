import type { Static } from '@sinclair/typebox';
import { approverSlots, decodeCursor, type ContractFilter, type Store } from '../../store';
import type { DocumentService } from '../../workflows';
import type { ContractService } from '../contracts';
import { contractScope, seesPersonalData, type Principal } from '../access';
import { AppError, notFound } from '../errors';
import { maskContract } from '../personal-data';
import { contractOwner, type ContractState, type TimelineEvent } from '../../flows';
import { templateFailure } from './templates';
import { defineRoute } from '../route';
import { ApprovalBody, CancelBody, ContractCountsQuery, ContractCountsSchema, ContractListQuery, ContractListSchema, ContractSchema, ContractWaitQuery, DEFAULT_WAIT_SECONDS, StartContractBody } from '../schemas';

/** What the caller gets to see of a contract: personal data masked unless their role needs it. */
export const contractView = (contract: ContractState, principal: Principal) => (seesPersonalData(principal) ? contract : maskContract(contract));

/**
 * The contract page's view: contractView, each signer with when they first opened their page,
 * how many pages they have read and, once every page of their documents is read, when; and
 * the roles with which the caller fills this contract's approver slots (nearest holders only),
 * so that the page offers a decision only to whom the hub will take it from.
 */
async function contractDetail(store: Store, contracts: ContractService, contract: ContractState, principal: Principal) {
  const view = { ...contractView(contract, principal), caller: { approverRoles: await contracts.approverRoles(principal, contract) } };
  if (view.signers.length === 0) return view;
  const progress = new Map((await store.signerLinks.progress(contract.id)).map((p) => [p.signerId, p]));
  const pagesOf = new Map(contract.documents.map((d) => [d.id, d.pages]));
  const signers = view.signers.map((signer) => {
    const p = progress.get(signer.id);
    const pagesRead = p ? Object.values(p.pagesRead).reduce((a, b) => a + b, 0) : 0;
    const everyPage = signer.documents.length > 0 && signer.documents.every((doc) => (p?.pagesRead[doc] ?? 0) >= (pagesOf.get(doc) ?? Infinity));
    return { ...signer, openedAt: p?.openedAt ?? null, pagesRead, readAt: everyPage ? p!.lastReadAt : null };
  });
  // Views and reading go on the timeline too, where the sender looks for who holds the contract up.
  const seen: TimelineEvent[] = signers.flatMap((s) => [
    ...(s.openedAt ? [{ at: s.openedAt, type: 'opened' as const, actor: `signer:${s.id}`, signer: s.id, message: `${s.name} opened the signing page` }] : []),
    ...(s.readAt ? [{ at: s.readAt, type: 'read' as const, actor: `signer:${s.id}`, signer: s.id, message: `${s.name} read all ${s.pagesRead} pages` }] : []),
  ]);
  const timeline = seen.length ? [...view.timeline, ...seen].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)) : view.timeline;
  return { ...view, signers, timeline };
}

const invalidQuery = (path: string, message: string) => new AppError('invalid_query', `The query string is not valid: ${path}: ${message}`, { details: [{ path, message }] });

/**
 * A time of the query as the store keeps times (ISO-8601 UTC), so that an offset such as
 * +08:00 compares right. A bare date is that day's start, or for `to` its end (UTC).
 */
export function instant(value: string | undefined, edge: 'start' | 'end', path: string): string | undefined {
  if (value === undefined) return undefined;
  const day = value.slice(0, 10);
  // The schema's pattern lets 2026-02-31 through, and Date would roll it over to March.
  const midnight = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day) throw invalidQuery(path, 'is not a real date');
  const time = new Date(value.length === 10 ? `${day}T${edge === 'end' ? '23:59:59.999' : '00:00:00.000'}Z` : value);
  if (Number.isNaN(time.getTime())) throw invalidQuery(path, 'is not a real time');
  return time.toISOString();
}

export type LedgerQuery = Static<typeof ContractCountsQuery> & Partial<Pick<Static<typeof ContractListQuery>, 'status'>>;

/**
 * The store filter for the ledger's query parameters, within the caller's scope: "mine" is
 * the caller as initiator, "team" the caller's unit subtree, "waitingOn" the slots that user
 * fills. Values that pass the schema but mean nothing (a range upside down, a user of no
 * tenant of the caller's) are 400s with the parameter's path. The list, counts and exports
 * all take their filter from here.
 */
export async function ledgerFilter(store: Store, query: LedgerQuery, principal: Principal): Promise<ContractFilter> {
  const from = instant(query.from, 'start', '/from');
  const to = instant(query.to, 'end', '/to');
  if (from && to && from > to) throw invalidQuery('/to', 'is before from');
  if (query.amountMin !== undefined && query.amountMax !== undefined && query.amountMin > query.amountMax) throw invalidQuery('/amountMax', 'is below amountMin');
  let waitingOn: ContractFilter['waitingOn'];
  if (query.waitingOn !== undefined) {
    waitingOn = (await approverSlots(store, principal.tenantId, query.waitingOn)) ?? undefined;
    if (!waitingOn) throw invalidQuery('/waitingOn', 'names no user of your tenant');
  }
  return {
    scope: contractScope(principal),
    status: query.status,
    flow: query.flow,
    q: query.q,
    party: query.party,
    amountMin: query.amountMin,
    amountMax: query.amountMax,
    from,
    to,
    initiator: query.mine ? principal.id : undefined,
    // A caller at the tenant's top has the whole tenant as their team: no narrowing.
    unitPath: query.team ? principal.unit?.path : undefined,
    waitingOn,
  };
}

export function contractRoutes(store: Store, contracts: ContractService, documents: DocumentService) {
  return [
    defineRoute({
      method: 'post', path: '/api/contracts', tag: 'contracts', access: 'contracts.start', body: StartContractBody,
      summary: 'Start a contract on a published flow; the same flow + sourceKey returns the existing contract',
      responses: {
        201: { description: 'started', schema: ContractSchema },
        200: { description: 'this flow + sourceKey already has this contract', schema: ContractSchema },
        404: { description: 'no such flow' },
        409: { description: 'the flow has no published version' },
      },
      handler: async ({ body, actor }) => {
        const { contract, created } = await contracts.start(body, actor!);
        return { status: created ? 201 : 200, body: contractView(contract, actor!) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/contracts', tag: 'contracts', access: 'contracts.read', query: ContractListQuery,
      summary: 'The ledger (合同台账): contracts the caller may see, filtered, searched (Chinese substrings of any length), sorted, paged by cursor (or page number)',
      responses: {
        200: { description: 'a page of contracts, each with who it waits on; nextCursor fetches the next page', schema: ContractListSchema },
        400: { description: 'a filter value that is not valid (details name the parameter), a cursor of another sort or list, page with a cursor' },
      },
      handler: async ({ query, actor }) => {
        const sort = query.sort ?? '-created';
        if (query.cursor !== undefined && !decodeCursor(query.cursor, sort)) throw invalidQuery('/cursor', `is not a cursor this list gave out for sort ${sort}`);
        if (query.cursor !== undefined && query.page !== undefined) throw invalidQuery('/page', 'goes without cursor');
        const filter = await ledgerFilter(store, query, actor!);
        return { body: await store.contracts.list({ ...filter, sort, cursor: query.cursor, limit: query.limit ?? query.pageSize, page: query.page }) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/contracts/counts', tag: 'contracts', access: 'contracts.read', query: ContractCountsQuery,
      summary: 'Contracts per status for the ledger filters (the tabs of the ledger): every status present, with the total',
      responses: { 200: { description: 'counts per status', schema: ContractCountsSchema }, 400: { description: 'a filter value that is not valid' } },
      handler: async ({ query, actor }) => ({ body: await store.contracts.counts(await ledgerFilter(store, query, actor!)) }),
    }),
    defineRoute({
      method: 'get', path: '/api/contracts/:id', tag: 'contracts', access: 'contracts.read', query: ContractWaitQuery,
      summary: 'A contract: status, chosen tier, each step with who decided what and when, signers, timeline. With ?wait=<status>, the answer waits until the contract gets there (long poll)',
      responses: {
        200: { description: 'the contract; after a wait, header x-sealflow-wait says "reached", "settled" (it ended in another status) or "timeout"', schema: ContractSchema },
        400: { description: 'wait names no status, signer goes without wait=signing or names none of the signers, timeout out of range' },
        404: { description: 'no such contract' },
      },
      handler: async ({ params, query, req, actor }) => {
        await contracts.readable(params.id, actor!);
        if (query.wait === undefined && query.signer === undefined) return { body: await contractDetail(store, contracts, await contracts.get(params.id), actor!) };
        // The rendering, the invitations, the signatures and the archive happen after the calls that cause them: a script waits here instead of polling.
        let gone = false;
        req.res?.once('close', () => (gone = true));
        const { contract, outcome } = await contracts.waitFor(params.id, { status: query.wait, signer: query.signer }, { timeoutMs: (query.timeout ?? DEFAULT_WAIT_SECONDS) * 1000, gone: () => gone });
        return { body: await contractDetail(store, contracts, contract, actor!), headers: { 'x-sealflow-wait': outcome } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/contracts/:id/documents/:doc.pdf', tag: 'contracts', access: 'contracts.read',
      summary: 'A contract document as PDF: the generated one once approval passed, before that a preview from the current data',
      responses: { 200: { description: 'the PDF; header x-sealflow-document says "generated" (with its SHA-256) or "preview"', contentType: 'application/pdf' }, 404: { description: 'no such contract or document' } },
      handler: async ({ params, actor }) => {
        const contract = await contracts.readable(params.id, actor!);
        const headers = { 'content-disposition': `inline; filename="${contract.id}-${params.doc}.pdf"` };
        const generated = contract.documents.find((d) => d.id === params.doc);
        if (generated) {
          const stored = await store.documents.get(generated.sha256);
          if (!stored) throw notFound(`The bytes of document "${params.doc}" (${generated.sha256})`);
          return { body: stored.content, contentType: 'application/pdf', headers: { ...headers, 'x-sealflow-document': 'generated', 'x-sealflow-sha256': generated.sha256, etag: `"${generated.sha256}"` } };
        }
        const { tenantId } = contractOwner(contract);
        const flow = await store.flows.get(tenantId, contract.flowKey, contract.flowVersion);
        const preview = contract.status === 'in_approval' && flow ? await documents.previewContractDocument(tenantId, flow.definition, contract.data, params.doc).catch(templateFailure) : null;
        if (!preview) throw notFound(`Document "${params.doc}" of contract ${contract.id}`);
        return { body: preview.pdf, contentType: 'application/pdf', headers: { ...headers, 'x-sealflow-document': 'preview' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/:id/approvals', tag: 'contracts', access: 'contracts.approve', body: ApprovalBody,
      summary: "The calling user's decision on the contract's current approval step",
      responses: {
        200: { description: 'the contract after the decision', schema: ContractSchema },
        403: { description: 'the user holds none of the roles the step waits for' },
        404: { description: 'no such contract' },
        409: { description: 'the contract waits for no decision, or this user already decided' },
      },
      handler: async ({ params, body, actor, req }) => ({
        body: contractView(await contracts.decide(params.id, actor!, { decision: body.decision, comment: body.comment ?? null, origin: { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null } }), actor!),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/:id/cancel', tag: 'contracts', access: 'contracts.act', body: CancelBody,
      summary: 'Cancel a contract in flight (its initiator or an admin)',
      responses: { 200: { description: 'the cancelled contract', schema: ContractSchema }, 403: { description: 'neither initiator nor admin' }, 409: { description: 'already finished' } },
      handler: async ({ params, body, actor }) => ({ body: contractView(await contracts.cancel(params.id, actor!, body.reason), actor!) }),
    }),
  ];
}
