// The signing stage's work on the world: personal links and invitations, each signer's
// PAdES signature on their documents, the archive (document timestamps + sealed evidence
// report) and the parties' copies. Keys are unwrapped only inside applySignature, which
// the workflow calls only after the server has checked that signer's intent.
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { ContractDocument, ContractState, SignerState } from '../../flows';
import { NotifyError, type Notifier } from '../../notify';
import {
  addDocumentTimestamp,
  chainEvents,
  chainGenesis,
  companySealAppearance,
  companySubject,
  createLocalSigner,
  enrollSigner,
  isValidCreditCode,
  loadNotoSansSc,
  personSignatureAppearance,
  personSubject,
  renderEvidenceReport,
  sealEvidenceReport,
  signPdf,
  SigningError,
  type CertificateSubject,
  type EvidenceEvent,
  type SigningPlatform,
} from '../../signing';
import type { Store } from '../../store';

export interface SigningActivityOptions {
  store: Store;
  notifier: Notifier;
  signing: SigningPlatform;
  /** Base of the links in invitations, e.g. https://sign.example.com */
  publicUrl: string;
  /** Derives link tokens and the ID-number hash key; the master key. */
  secret: Uint8Array;
}

export type SignerNoticeKind = 'invitation' | 'reminder' | 'nudge';
export type PartyNoticeKind = 'completed' | 'declined' | 'expired' | 'cancelled' | 'expiry_reminder';

/**
 * A signer's link token. Derived, not drawn at random, so that a retried invitation sends
 * the same link; unguessable because it is an HMAC under the master key.
 */
export function signerLinkToken(secret: Uint8Array, contractId: string, signerId: string): string {
  return createHmac('sha256', secret).update(`sealflow/signer-link/v1\0${contractId}\0${signerId}`).digest('base64url');
}

/** A signer's download link for their signed copy: derived like the signing link, under its own label. */
export function signedCopyToken(secret: Uint8Array, contractId: string, signerId: string): string {
  return createHmac('sha256', secret).update(`sealflow/signed-copy/v1\0${contractId}\0${signerId}`).digest('base64url');
}

/** How long a signed copy's download link holds after completion. */
export const SIGNED_COPY_TTL_MS = 30 * 24 * 3600 * 1000;

function subjectOf(signer: SignerState, secret: Uint8Array): CertificateSubject {
  if (signer.party === 'company' && signer.creditCode && isValidCreditCode(signer.creditCode)) return companySubject({ name: signer.name, creditCode: signer.creditCode });
  if (signer.party === 'person' && signer.idNumber) {
    return personSubject({ name: signer.name, idNumber: signer.idNumber, idHashKey: createHmac('sha256', secret).update('sealflow/id-number-hash/v1').digest() });
  }
  // Without a registered identity the certificate names the signer as the flow does.
  return { kind: 'service', commonName: signer.name, organization: signer.party === 'company' ? signer.name : undefined };
}

const NOTICE_TEXT: Record<SignerNoticeKind, string> = { invitation: '请签署', reminder: '签署提醒', nudge: '催办：请尽快签署' };
const PARTY_TEXT: Record<PartyNoticeKind, string> = { completed: '已完成签署', declined: '已被拒签', expired: '已过签署截止时间', cancelled: '已取消', expiry_reminder: '即将到期' };

export function createSigningActivities({ store, notifier: rawNotifier, signing, publicUrl, secret }: SigningActivityOptions) {
  // A recipient that can never be reached (a malformed address) must not hold the contract up:
  // that channel is skipped and the others still go out; transient failures are retried.
  const notifier: Notifier = {
    async send(message, key) {
      try {
        await rawNotifier.send(message, key);
      } catch (error) {
        if (error instanceof NotifyError && !error.retryable) {
          console.warn(`[signing] ${message.channel} to a signer of ${message.contractId} skipped: ${error.message}`);
          return;
        }
        throw error;
      }
    },
  };
  let font: Promise<Uint8Array> | undefined;
  const cjkFont = () => (font ??= loadNotoSansSc());

  return {
    /** Creates each signer's link (once) and sends it by email and SMS, and to the dev outbox. */
    async inviteSigners({ contractId, title, signers, expiresAt, kind, round }: { contractId: string; title: string | null; signers: SignerState[]; expiresAt: string; kind: SignerNoticeKind; round: number }): Promise<void> {
      for (const signer of signers) {
        const token = signerLinkToken(secret, contractId, signer.id);
        await store.signerLinks.ensure({ token, contractId, signerId: signer.id, expiresAt });
        const url = `${publicUrl.replace(/\/$/, '')}/sign/${token}`;
        const subject = `${NOTICE_TEXT[kind]}: ${title ?? contractId}`;
        const body = `${signer.name}，您好：\n\n《${title ?? contractId}》等待您签署。请打开您的专属签署链接：\n${url}\n\n链接仅限您本人使用，${expiresAt.slice(0, 10)} 前有效。`;
        const key = `${contractId}:${signer.id}:${kind}:${round}`;
        if (signer.email) await notifier.send({ channel: 'email', to: signer.email, subject, body, contractId }, `${key}:email`);
        if (signer.mobile) await notifier.send({ channel: 'sms', to: signer.mobile, subject, body: `【Sealflow】${subject}，请点击 ${url} 签署。`, contractId }, `${key}:sms`);
        if (!signer.email && !signer.mobile) await notifier.send({ channel: 'inbox', to: `signer:${signer.id}`, subject, body, contractId }, `${key}:inbox`);
      }
    },

    /** Signs every document of this signer with their own key and stores the new versions. */
    async applySignature({ contractId, signer, documents, signingTime }: { contractId: string; signer: SignerState; documents: ContractDocument[]; signingTime: string }): Promise<{ id: string; sha256: string; size: number }[]> {
      const keyId = `signer:${contractId}:${signer.id}`;
      if (!(await signing.vault.hasKey(keyId))) {
        await enrollSigner({ vault: signing.vault, ca: signing.ca, tenantId: contractId, signerId: keyId, subject: subjectOf(signer, secret) });
      }
      const signerKey = await createLocalSigner({ vault: signing.vault, keyId });
      const appearance = signer.party === 'company' ? await companySealAppearance({ companyName: signer.name, font: await cjkFont() }) : await personSignatureAppearance({ name: signer.name, font: await cjkFont() });
      const versions = [];
      for (const doc of documents) {
        const stored = await store.documents.get(doc.sha256);
        if (!stored) throw ApplicationFailure.create({ type: 'document_missing', message: `document ${doc.id} (${doc.sha256}) is not in the store`, nonRetryable: true });
        const area = doc.signatureAreas.find((a) => a.signerId === signer.id);
        try {
          const signed = await signPdf({
            pdf: stored.content,
            signer: signerKey,
            // The documents stage counts pages from 0; PDF signing from 1.
            field: { name: `sealflow-${signer.id}`, page: (area?.page ?? 0) + 1, rect: area ? { x: area.x, y: area.y, width: area.width, height: area.height } : undefined, appearance: area ? appearance : undefined },
            timestamp: signing.timestamps,
            reason: `${signer.name} 签署`,
            signingTime: new Date(signingTime),
          });
          const { sha256, size } = await store.documents.put(signed, 'application/pdf');
          versions.push({ id: doc.id, sha256, size });
        } catch (error) {
          // A TSA that cannot be reached is worth retrying; anything else about this PDF will fail again.
          if (error instanceof SigningError && error.code !== 'TSA_UNAVAILABLE') throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true });
          throw error;
        }
      }
      return versions;
    },

    /** Final timestamps on every document and the sealed evidence report; returns the new versions. */
    async archiveContract({ contract }: { contract: ContractState }): Promise<{ documents: { id: string; sha256: string; size: number }[]; evidenceSha256: string }> {
      const documents: { id: string; sha256: string; size: number }[] = [];
      for (const doc of contract.documents) {
        const stored = await store.documents.get(doc.sha256);
        if (!stored) throw ApplicationFailure.create({ type: 'document_missing', message: `document ${doc.id} is not in the store`, nonRetryable: true });
        const stamped = await addDocumentTimestamp(stored.content, signing.timestamps);
        documents.push({ id: doc.id, ...(await store.documents.put(stamped, 'application/pdf')) });
      }
      const events: EvidenceEvent[] = contract.timeline.map((event, index) => ({
        seq: index + 1,
        at: event.at,
        actor: event.actor,
        action: event.type,
        ip: event.ip ?? null,
        userAgent: event.userAgent ?? null,
        intent: event.intent ?? null,
        detail: { message: event.message },
      }));
      const report = await renderEvidenceReport({
        contract: {
          id: contract.id,
          title: contract.title ?? contract.id,
          flowKey: contract.flowKey,
          flowVersion: contract.flowVersion,
          status: 'completed',
          createdAt: contract.createdAt,
          completedAt: contract.updatedAt,
          parties: contract.signers.map((s) => ({ name: s.name, role: s.id })),
        },
        documents: contract.documents.map((doc) => ({ id: doc.id, title: doc.title ?? doc.id, sha256: documents.find((d) => d.id === doc.id)!.sha256, pages: doc.pages })),
        events: chainEvents(events, { genesis: chainGenesis(contract.id) }),
        generatedAt: new Date(contract.updatedAt),
      });
      const sealed = await sealEvidenceReport({ pdf: report, signer: signing.platformSigner, timestamp: signing.timestamps });
      const { sha256 } = await store.documents.put(sealed, 'application/pdf');
      return { documents, evidenceSha256: sha256 };
    },

    /** Tells every party how the contract ended; on completion their copies go along by email. */
    async notifyParties({ contract, kind }: { contract: ContractState; kind: PartyNoticeKind }): Promise<void> {
      const subject = `《${contract.title ?? contract.id}》${PARTY_TEXT[kind]}`;
      const attachments = [];
      if (kind === 'completed') {
        for (const doc of contract.documents) {
          const stored = await store.documents.get(doc.sha256);
          if (stored) attachments.push({ filename: `${doc.title ?? doc.id}.pdf`, content: stored.content, contentType: 'application/pdf' });
        }
      }
      for (const signer of contract.signers) {
        let body = `${signer.name}，您好：\n\n${subject}。${kind === 'completed' ? '签署完成的合同见附件，可用 sealflow verify 独立验证签名。' : ''}`;
        if (kind === 'completed') {
          // The signing link is dead now; the signed copy has its own link, which expires.
          const token = signedCopyToken(secret, contract.id, signer.id);
          const expiresAt = new Date(Date.parse(contract.updatedAt) + SIGNED_COPY_TTL_MS).toISOString();
          await store.signerLinks.ensureCopy({ token, contractId: contract.id, signerId: signer.id, expiresAt });
          body += `\n\n下载您的签署副本：${publicUrl.replace(/\/$/, '')}/api/copies/${token}\n（${expiresAt.slice(0, 10)} 前有效）`;
        }
        const key = `${contract.id}:${kind}:${signer.id}`;
        if (signer.email) await notifier.send({ channel: 'email', to: signer.email, subject, body, contractId: contract.id, attachments }, `${key}:email`);
        else await notifier.send({ channel: 'inbox', to: `signer:${signer.id}`, subject, body, contractId: contract.id }, `${key}:inbox`);
      }
    },
  };
}

export type SigningActivities = ReturnType<typeof createSigningActivities>;
