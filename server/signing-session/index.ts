// A signer's session on their personal link: what the link shows, reading, codes, seals,
// face and batches. The rules live here, behind one options object with an injected clock,
// so that each is tested without HTTP; server/routes/signing.ts only parses and shapes.
import { contractName } from '../../flows';
import { maskMobile } from '../../notify';
import { AppError, notFound } from '../errors';
import { boundIdentity, type SignerOnContract } from '../../identity';
import { identityView, readyToSign, resolveBatch, type SignRequest } from './batch';
import { sendCode } from './codes';
import type { SessionContext, SigningSessionOptions } from './context';
import { mustBeOpen, pageStatus, resolveLink, signerDocuments } from './links';
import { markRead } from './reads';
import { copyDocument, copyView } from './copies';
import { linkFacts } from './view';
import type { NudgeInput } from '../../workflows';

export { BATCH_MAX, type SignRequest } from './batch';
export { chinaDay, OTP_DAILY_MAX, OTP_MAX_FAILURES, OTP_MAX_LOCKOUTS, OTP_RESEND_MS, OTP_TTL_MS, otpHash } from './codes';
export type { Clock, SigningSessionOptions } from './context';

/** Who did it, from where: recorded with the signer's intent. */
export interface RequestEvidence {
  ip: string | null;
  userAgent: string | null;
}

export function createSigningSession(options: SigningSessionOptions) {
  const ctx: SessionContext = {
    ...options,
    clock: options.clock ?? (() => new Date()),
    companyName: options.companyName ?? null,
    identity: options.identity ?? { recordFor: (contractId, signer, at) => boundIdentity(options.store.identities, contractId, signer, at) },
  };
  const { store, contracts } = ctx;

  return {
    /** Throws unless the link may open the signer's page (exists, not expired, contract still signing). */
    async checkLink(token: string): Promise<void> {
      await resolveLink(ctx, token);
    },

    /** The signer's view of their link: contract, their documents, requirements, what has been read. */
    async view(token: string) {
      const resolved = await resolveLink(ctx, token);
      const { contract, signer, link } = resolved;
      const facts = linkFacts(resolved, ctx.companyName);
      // The sender's console shows the signer as having opened the contract from now on.
      await store.signerLinks.markOpened(link.tokenHash);
      return {
        contract: { id: contract.id, title: contractName(contract), status: contract.status, deadline: contract.signingDeadline, sender: facts.sender },
        signer: { id: signer.id, name: signer.name, party: signer.party, prompt: signer.prompt, mustRead: signer.mustRead, verify: signer.verify, seal: signer.seal, mobile: signer.mobile ? maskMobile(signer.mobile) : null },
        identity: await identityView(ctx, resolved),
        parties: facts.parties,
        documents: signerDocuments(resolved).map((d) => ({ id: d.id, title: d.title, pages: d.pages, url: `/api/sign/${token}/documents/${d.id}.pdf`, signatureAreas: facts.areas.get(d.id) ?? [] })),
        status: pageStatus(resolved),
        read: await store.signerLinks.pagesRead(link.tokenHash),
      };
    },

    /** The link's contract and signer for real-name verification, while the signer may still sign. */
    async signerOn(token: string): Promise<SignerOnContract> {
      const resolved = await resolveLink(ctx, token);
      mustBeOpen(resolved);
      return { contractId: resolved.contract.id, signer: resolved.signer };
    },

    /** Every word of the link's own data that its page shows: the page serves a font holding exactly these characters. */
    async pageText(token: string): Promise<string> {
      const resolved = await resolveLink(ctx, token);
      const { contract, signer } = resolved;
      return [contract.title, linkFacts(resolved, ctx.companyName).sender, signer.prompt, ...contract.signers.map((s) => s.name), ...signerDocuments(resolved).map((d) => d.title)].filter(Boolean).join('\n');
    },

    /** One of the signer's documents as it stands now. */
    async document(token: string, documentId: string): Promise<Uint8Array> {
      const resolved = await resolveLink(ctx, token);
      const doc = signerDocuments(resolved).find((d) => d.id === documentId);
      const stored = doc ? await store.documents.get(doc.sha256) : null;
      if (!doc || !stored) throw notFound(`Document "${documentId}"`);
      return stored.content;
    },

    async read(token: string, page: { document: string; page: number }) {
      return markRead(ctx, await resolveLink(ctx, token), page);
    },

    async sendCode(token: string) {
      return sendCode(ctx, [await resolveLink(ctx, token)], { asBatch: false });
    },

    async sendBatchCode(tokens: string[]) {
      const batch = await resolveBatch(ctx, tokens);
      return { ...(await sendCode(ctx, batch, { asBatch: true })), tokens: batch.length };
    },

    async sign(token: string, request: SignRequest, evidence: RequestEvidence) {
      const resolved = await resolveLink(ctx, token);
      const [intent] = await readyToSign(ctx, [resolved], request, { asBatch: false });
      const signed = await contracts.sign(resolved.contract.id, { signerId: resolved.signer.id, evidence: { ...evidence, intent } });
      return { status: 'signed' as const, contract: { status: signed.status } };
    },

    /** Checks every link as a whole, then signs each contract; a contract that still fails after the checks is reported, the rest go on. */
    async signBatch(tokens: string[], request: SignRequest, evidence: RequestEvidence) {
      const batch = await resolveBatch(ctx, tokens);
      const intents = await readyToSign(ctx, batch, request, { asBatch: true });
      const results = [];
      for (const [index, { contract, signer }] of batch.entries()) {
        try {
          const signed = await contracts.sign(contract.id, { signerId: signer.id, evidence: { ...evidence, intent: intents[index] } });
          results.push({ index, contractId: contract.id, status: 'signed' as const, contract: { status: signed.status } });
        } catch (error) {
          // Checked a moment ago: a signature that still fails (a race, the signing engine) is reported, the rest go on.
          if (!(error instanceof AppError)) throw error;
          results.push({ index, contractId: contract.id, status: 'failed' as const, error: { code: error.code, message: error.message } });
        }
      }
      return { results };
    },

    async decline(token: string, reason: string, evidence: RequestEvidence) {
      const resolved = await resolveLink(ctx, token);
      mustBeOpen(resolved);
      await contracts.decline(resolved.contract.id, { signerId: resolved.signer.id, reason, evidence: { ...evidence, intent: 'personal link' } });
      return { status: 'declined' as const };
    },

    /**
     * 催办, which is also how a sender re-invites: the nudged signers get their link again,
     * and a link locked by wrong codes (OTP_MAX_LOCKOUTS) opens again with a clean count.
     */
    async nudge(contractId: string, input: NudgeInput) {
      const result = await contracts.nudge(contractId, input);
      for (const signerId of result.nudged) await store.signerLinks.unlock(contractId, signerId);
      return { nudged: result.nudged };
    },

    /** The signed copy's download link: what it holds and until when. */
    copy: (token: string) => copyView(ctx, token),
    copyDocument: (token: string, documentId: string) => copyDocument(ctx, token, documentId),
  };
}

export type SigningSession = ReturnType<typeof createSigningSession>;
