// The signing stage's work on the world: personal links and invitations, each signer's
// PAdES signature on their documents, the archive (document timestamps + sealed evidence
// report) and the parties' copies. Keys are unwrapped only inside applySignature, which
// the workflow calls only after the server has checked that signer's intent.
import { createHmac } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { contractName, contractSender, DEFAULT_LOCALE, requiredIdentity, type ContractDocument, type ContractState, type SignerState } from '../../flows';
import { NotifyError, renderNotice, type Notice, type Notifier, type PartyNoticeKind, type SignerNoticeKind } from '../../notify';
import {
  archiveTimestampExpiry,
  extendLongTermValidation,
  chainEvents,
  chainGenesis,
  companySealAppearance,
  createLocalSigner,
  enrollSigner,
  personSignatureAppearance,
  UNVERIFIED_DESCRIPTION,
  verifiedSubject,
  renderEvidenceReport,
  sealEvidenceReport,
  signPdf,
  SigningError,
  type CertificateSubject,
  type EvidenceEvent,
  type SigningPlatform,
} from '../../signing';
import { boundIdentity } from '../../identity';
import { evidenceEventsOf } from '../../evidence';
import type { Store } from '../../store';
import { FontLibrary } from '../../templates';
import type { HubMetrics } from '../../observability';
import { archiveRenewed, type ArchiveRenewedInput } from '../contract-flow.defs';

export interface SigningActivityOptions {
  store: Store;
  notifier: Notifier;
  signing: SigningPlatform;
  /**
   * The fonts evidence reports draw with, loaded once and shared (a library per report read and
   * parsed the 10 MB fonts and cut their common subsets for every archive: a third of a
   * contract's CPU in bench/throughput.bench.ts). Default: one library for these activities.
   */
  fonts?: FontLibrary;
  /** Base of the links in invitations, e.g. https://sign.example.com */
  publicUrl: string;
  /** Derives link tokens and the ID-number hash key; the master key. */
  secret: Uint8Array;
  /** How notices present the sender and how long links live (config `notices`). */
  notices?: NoticeSettings;
  /** Counts signatures and times the archive (observability/). */
  metrics?: HubMetrics;
}

export interface NoticeSettings {
  /** SEALFLOW_COMPANY_NAME: the sender named in every notice; null: each contract's own (see contractSender). */
  companyName?: string | null;
  /** SEALFLOW_LINK_DAYS: lifetime of a signing link when the flow sets no signing deadline. */
  linkDays?: number;
  /** IANA zone the notices write their dates in; default Asia/Shanghai. */
  timeZone?: string;
}

export type { PartyNoticeKind, SignerNoticeKind } from '../../notify';

/** Default of SEALFLOW_LINK_DAYS (config/ parses the setting; this is for callers that pass none). */
const DEFAULT_LINK_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

/**
 * A signer's link token. Derived, not drawn at random, so that a retried invitation sends
 * the same link; unguessable because it is an HMAC under the master key.
 */
export function signerLinkToken(secret: Uint8Array, contractId: string, signerId: string): string {
  return createHmac('sha256', secret).update(`sealflow/signer-link/v1\0${contractId}\0${signerId}`).digest('base64url');
}

/**
 * The same signer's link in a form short enough for one SMS segment: a second token (96 bits,
 * 16 characters) for the same signer, derived under its own label. The 43-character token of
 * the email link would leave an SMS no room for the sender's name or the title.
 */
export function signerSmsLinkToken(secret: Uint8Array, contractId: string, signerId: string): string {
  return createHmac('sha256', secret).update(`sealflow/signer-sms-link/v1\0${contractId}\0${signerId}`).digest().subarray(0, 12).toString('base64url');
}

/** A signer's download link for their signed copy: derived like the signing link, under its own label. */
export function signedCopyToken(secret: Uint8Array, contractId: string, signerId: string): string {
  return createHmac('sha256', secret).update(`sealflow/signed-copy/v1\0${contractId}\0${signerId}`).digest('base64url');
}

/** How long a signed copy's download link holds after completion. */
export const SIGNED_COPY_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Who the signer's certificate names (the CA gate of issue 13): the verified identity record
 * bound to this signer on their link — its name, ID-number HMAC or credit code, and how it
 * was verified — never the contract's data, which may have been edited since. A signer whose
 * flow asks a level and who has no record proving it gets no certificate (non-retryable: the
 * signing gate on the server refuses first, so this is the second lock). A signer whose flow
 * asks none and who verified nothing is named as the flow names them, marked unverified, with
 * no ID number or credit code the contract merely claims.
 */
async function subjectFor(store: Store, contractId: string, signer: SignerState): Promise<CertificateSubject> {
  const record = await boundIdentity(store.identities, contractId, signer, new Date());
  if (record) return verifiedSubject(record);
  const level = requiredIdentity(signer);
  if (level) {
    throw ApplicationFailure.create({
      type: 'identity_not_verified',
      message: `${signer.name} (${signer.id}) has no verified identity at level ${level} bound on their link: no certificate is issued`,
      nonRetryable: true,
    });
  }
  return { kind: 'service', commonName: signer.name, organization: signer.party === 'company' ? signer.name : undefined, description: UNVERIFIED_DESCRIPTION };
}

/** A signer's documents as notices list them: name and page count. */
function documentsOf(contract: ContractState | null, signer: SignerState) {
  return (contract?.documents ?? []).filter((d) => signer.documents.includes(d.id)).map((d) => ({ title: d.title ?? d.template, pages: d.pages }));
}

/** The end date an expiry reminder is about, as the timeline recorded it (workflows that did not pass `endsOn`). */
function endDateOnTimeline(contract: ContractState): string | null {
  const event = [...contract.timeline].reverse().find((e) => e.type === 'expiry_reminded');
  return /(\d{4}-\d{2}-\d{2})/.exec(event?.message ?? '')?.[1] ?? null;
}

/**
 * Runs `work` while telling Temporal the activity is alive: at each step it finishes, and
 * every few seconds while a step waits (an outside TSA, the database). With a heartbeat
 * timeout, a worker killed mid-archive has its activity retried within that timeout, not
 * after the whole start-to-close timeout. Outside a worker (a test of the activity alone) it just runs.
 */
async function heartbeating<T>(work: (beat: () => void) => Promise<T>): Promise<T> {
  const context = activityContext();
  const beat = () => context?.heartbeat();
  const timer = context ? setInterval(beat, HEARTBEAT_EVERY_MS) : undefined;
  try {
    return await work(beat);
  } finally {
    clearInterval(timer);
  }
}

/** Well inside the archive steps' heartbeat timeout (workflows/signing-stage.ts, archive-renewal.ts); the SDK throttles what it sends. */
const HEARTBEAT_EVERY_MS = 5_000;

const partiesOf = (signers: SignerState[]) => [...signers].sort((a, b) => a.order - b.order).map((s) => ({ name: s.name, signed: s.status === 'signed', declined: s.status === 'declined' }));

function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

export function createSigningActivities({ store, notifier: rawNotifier, signing, fonts = new FontLibrary(), publicUrl, secret, notices = {}, metrics }: SigningActivityOptions) {
  const linkDays = notices.linkDays ?? DEFAULT_LINK_DAYS;
  const base = publicUrl.replace(/\/$/, '');
  const senderFor = (contract: { signers: SignerState[]; flowName: string }, recipientId: string) => notices.companyName || contractSender(contract, recipientId);
  // A recipient that can never be reached (a malformed address) must not hold the contract up:
  // that channel is skipped and the others still go out; transient failures are retried.
  const notifier: Notifier = {
    async send(message, key) {
      try {
        await rawNotifier.send(message, key);
      } catch (error) {
        if (error instanceof NotifyError && !error.retryable) {
          log.warn('notice skipped: the recipient cannot be reached', { channel: message.channel, reason: error.message });
          return;
        }
        throw error;
      }
    },
  };

  /**
   * The renewal is due `archiveRenewalMarginMs` before the first of these TSA certificates
   * expires; never sooner than half the margin (at most a day) from now, so a TSA whose
   * certificate is not renewed in time (an outside one) cannot make renewals run back to back.
   */
  const renewalTime = (expiries: number[]) => {
    const due = Math.min(...expiries, Date.now() + 365 * DAY_MS) - signing.archiveRenewalMarginMs;
    return new Date(Math.max(due, Date.now() + Math.min(signing.archiveRenewalMarginMs / 2, DAY_MS))).toISOString();
  };

  /** Starts the contract's renewal workflow from inside the archive step (a retried step finds it started); `expiries`: the archive timestamps' TSA certificates'. */
  async function startArchiveRenewal(versions: ArchiveVersions, expiries: number[]): Promise<void> {
    const context = activityContext();
    if (!context) return; // called outside a worker (a test of the activity alone): no renewal to schedule
    try {
      await context.client.workflow.start('archiveRenewal', {
        workflowId: `archive-renewal:${versions.contractId}`,
        taskQueue: context.info.taskQueue,
        args: [{ ...versions, renewAt: renewalTime(expiries) }],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  /** Whether the contract's own workflow still runs (and so still owns its projection). */
  async function workflowRunning(contractId: string): Promise<boolean> {
    const context = activityContext();
    if (!context) return false;
    try {
      return (await context.client.workflow.getHandle(contractId).describe()).status.name === 'RUNNING';
    } catch {
      return false;
    }
  }

  /**
   * The contract an activity works on: as sent (contracts from before the slim-activity-payloads
   * patch), or read from the store, where the workflow's persist before the call wrote this
   * revision (or a later one: the workflow may have moved on while a retry waited).
   */
  async function contractOf(ref: ContractRef): Promise<ContractState> {
    if ('contract' in ref) return ref.contract;
    const stored = await store.contracts.get(ref.contractId);
    // Not yet there: the write is on its way (it cannot be, the workflow waited for it; but a retry costs nothing).
    if (!stored || stored.revision < ref.revision) throw ApplicationFailure.create({ type: 'projection_behind', message: `contract ${ref.contractId} is stored at revision ${stored?.revision ?? 'none'}, not yet ${ref.revision}` });
    return stored;
  }

  /**
   * Hands renewed archive versions to the contract's workflow when it still runs (it owns the
   * projection, and writes them itself); false when it has ended and the store is the caller's to write.
   */
  async function renewedInWorkflow(contractId: string, versions: ArchiveRenewedInput): Promise<boolean> {
    const context = activityContext();
    if (!context) return false;
    try {
      await context.client.workflow.getHandle(contractId).signal(archiveRenewed, versions);
      return true;
    } catch (error) {
      // Ended (or never ran under this id): the store is ours. Anything else: the activity is retried.
      if (!(await workflowRunning(contractId))) return false;
      throw error;
    }
  }

  /** archiveContract's work; `beat` after each step. */
  async function archive(contract: ContractState, beat: () => void): Promise<{ documents: { id: string; sha256: string; size: number }[]; evidenceSha256: string }> {
    const started = performance.now();
    const documents: { id: string; sha256: string; size: number }[] = [];
    // The renewal is due before the first of the archive timestamps' TSA certificates expires.
    const expiries: number[] = [];
    const noteExpiry = (pdf: Uint8Array) => {
      const expiry = archiveTimestampExpiry(pdf);
      if (expiry) expiries.push(expiry.getTime());
    };
    for (const doc of contract.documents) {
      const stored = await store.documents.get(doc.sha256);
      if (!stored) throw ApplicationFailure.create({ type: 'document_missing', message: `document ${doc.id} is not in the store`, nonRetryable: true });
      // PAdES B-LTA: validation data (certificates, CRLs) and a document timestamp after the last signature.
      const stamped = await extendLongTermValidation({ pdf: stored.content, ca: signing.ca, timestamps: signing.timestamps });
      documents.push({ id: doc.id, ...(await store.documents.put(stamped, 'application/pdf')) });
      noteExpiry(stamped);
      beat();
    }
    // The same events, hashed the same way, as the evidence package and the anchors (evidence/events.ts).
    const events: EvidenceEvent[] = evidenceEventsOf(contract);
    const report = await renderEvidenceReport({
      contract: {
        id: contract.id,
        title: contractName(contract),
        flowKey: contract.flowKey,
        flowVersion: contract.flowVersion,
        status: 'completed',
        createdAt: contract.createdAt,
        completedAt: contract.updatedAt,
        parties: contract.signers.map((s) => ({ name: s.name, role: s.id })),
      },
      documents: contract.documents.map((doc) => ({ id: doc.id, title: doc.title ?? doc.template, sha256: documents.find((d) => d.id === doc.id)!.sha256, pages: doc.pages })),
      events: chainEvents(events, { genesis: chainGenesis(contract.id) }),
      generatedAt: new Date(contract.updatedAt),
      fonts,
    });
    beat();
    const sealed = await sealEvidenceReport({ pdf: report, signer: signing.platformSigner, timestamp: signing.timestamps, fonts });
    const archivedReport = await extendLongTermValidation({ pdf: sealed, ca: signing.ca, timestamps: signing.timestamps });
    const { sha256 } = await store.documents.put(archivedReport, 'application/pdf');
    noteExpiry(archivedReport);
    beat();
    await startArchiveRenewal({ contractId: contract.id, documents: documents.map(({ id, sha256 }) => ({ id, sha256 })), evidenceSha256: sha256 }, expiries);
    const seconds = (performance.now() - started) / 1000;
    metrics?.stageEnded('archive', seconds, 'archived');
    log.info('archived', { documents: documents.map((d) => d.id), evidenceSha256: sha256, seconds });
    return { documents, evidenceSha256: sha256 };
  }

  /** renewArchive's work; `beat` after each step. */
  async function renew({ contractId, documents, evidenceSha256 }: ArchiveVersions, beat: () => void): Promise<ArchiveVersions & { renewAt: string }> {
    const renewOne = async (sha256: string) => {
      const stored = await store.documents.get(sha256);
      if (!stored) throw ApplicationFailure.create({ type: 'document_missing', message: `archived document ${sha256} of ${contractId} is not in the store`, nonRetryable: true });
      const renewed = await extendLongTermValidation({ pdf: stored.content, ca: signing.ca, timestamps: signing.timestamps });
      const put = await store.documents.put(renewed, 'application/pdf');
      beat();
      return { ...put, expiry: archiveTimestampExpiry(renewed) };
    };
    const renewedDocuments = [];
    const expiries: number[] = [];
    for (const doc of documents) {
      const renewed = await renewOne(doc.sha256);
      renewedDocuments.push({ id: doc.id, sha256: renewed.sha256, size: renewed.size });
      if (renewed.expiry) expiries.push(renewed.expiry.getTime());
    }
    let renewedEvidence = evidenceSha256;
    if (evidenceSha256) {
      const renewed = await renewOne(evidenceSha256);
      renewedEvidence = renewed.sha256;
      if (renewed.expiry) expiries.push(renewed.expiry.getTime());
    }
    const contract = await store.contracts.get(contractId);
    if (contract && !(await renewedInWorkflow(contractId, { documents: renewedDocuments, evidenceSha256: renewedEvidence }))) {
      for (const version of renewedDocuments) {
        const doc = contract.documents.find((d) => d.id === version.id);
        if (doc) Object.assign(doc, { sha256: version.sha256, size: version.size });
      }
      await store.contracts.save({ ...contract, evidenceSha256: renewedEvidence, revision: contract.revision + 1, updatedAt: new Date().toISOString() });
    }
    return { contractId, documents: renewedDocuments.map(({ id, sha256 }) => ({ id, sha256 })), evidenceSha256: renewedEvidence, renewAt: renewalTime(expiries) };
  }

  return {
    /**
     * Creates each signer's link (once) and sends it by email and SMS, and to the dev outbox.
     * Without a signing deadline a link lives `linkDays` from the first invitation; every
     * notice says until when. `expiresAt` is what workflows started before this passed (the
     * deadline, or a year from then): ignored, the deadline is read from the contract instead.
     */
    async inviteSigners({ contractId, title, signers, deadline, kind, round }: { contractId: string; title: string | null; signers: SignerState[]; deadline?: string | null; expiresAt?: string; kind: SignerNoticeKind; round: number }): Promise<void> {
      const contract = await store.contracts.get(contractId);
      const signingDeadline = deadline !== undefined ? deadline : (contract?.signingDeadline ?? null);
      const name = title ?? (contract ? contractName(contract) : contractId);
      for (const signer of signers) {
        const token = signerLinkToken(secret, contractId, signer.id);
        const smsToken = signerSmsLinkToken(secret, contractId, signer.id);
        const expiresAt = signingDeadline ?? new Date(Date.now() + linkDays * DAY_MS).toISOString();
        await store.signerLinks.ensure({ token, contractId, signerId: signer.id, expiresAt });
        if (signer.mobile) await store.signerLinks.ensure({ token: smsToken, contractId, signerId: signer.id, expiresAt });
        // A reminder quotes the lifetime the link got when it was made, not a new one.
        const linkExpiresAt = (await store.signerLinks.byToken(token))?.expiresAt ?? expiresAt;
        const notice: Notice = {
          kind,
          locale: signer.locale ?? DEFAULT_LOCALE,
          recipient: signer.name,
          sender: senderFor(contract ?? { signers, flowName: name }, signer.id),
          title: name,
          deadline: signingDeadline,
          link: { url: `${base}/sign/${token}`, smsUrl: `${base}/sign/${smsToken}`, expiresAt: linkExpiresAt },
          documents: documentsOf(contract, signer),
          parties: partiesOf(contract?.signers ?? signers),
          timeZone: notices.timeZone,
        };
        const { subject, text, html, sms } = renderNotice(notice);
        const key = `${contractId}:${signer.id}:${kind}:${round}`;
        if (signer.email) await notifier.send({ channel: 'email', to: signer.email, subject, body: text, html, contractId }, `${key}:email`);
        if (signer.mobile) await notifier.send({ channel: 'sms', to: signer.mobile, subject, body: sms, contractId }, `${key}:sms`);
        if (!signer.email && !signer.mobile) await notifier.send({ channel: 'inbox', to: `signer:${signer.id}`, subject, body: text, contractId }, `${key}:inbox`);
      }
    },

    /** Signs every document of this signer with their own key and stores the new versions. */
    async applySignature({ contractId, signer, documents, signingTime }: { contractId: string; signer: SignerState; documents: ContractDocument[]; signingTime: string }): Promise<{ id: string; sha256: string; size: number }[]> {
      const keyId = `signer:${contractId}:${signer.id}`;
      const subject = await subjectFor(store, contractId, signer);
      if (!(await signing.vault.hasKey(keyId))) {
        await enrollSigner({ vault: signing.vault, ca: signing.ca, tenantId: contractId, signerId: keyId, subject });
      } else if ((await signing.vault.certificateChain(keyId)).length === 0) {
        // A worker killed between enrollSigner's two writes (the key, then its certificate) left a
        // key without one, and every retry would fail on it: certify the key that is there.
        await signing.vault.setCertificateChain(keyId, await signing.ca.issue({ subject, publicKey: await signing.vault.publicKey(keyId), profile: 'signer' }));
      }
      const signerKey = await createLocalSigner({ vault: signing.vault, keyId });
      // The visible signature names whom the certificate names.
      const shownName = subject.kind === 'service' ? signer.name : subject.name;
      const appearance = signer.party === 'company' ? await companySealAppearance({ companyName: shownName, fonts }) : await personSignatureAppearance({ name: shownName, fonts });
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
            reason: `${shownName} 签署`,
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
      metrics?.signed(versions.length);
      log.info('signed', { signer: signer.id, documents: versions.map((v) => v.id) });
      return versions;
    },

    /** Final timestamps on every document and the sealed evidence report; returns the new versions. */
    async archiveContract(ref: ContractRef): Promise<{ documents: { id: string; sha256: string; size: number }[]; evidenceSha256: string }> {
      const contract = await contractOf(ref);
      return heartbeating((beat) => archive(contract, beat));
    },

    /**
     * Renews an archive (PAdES B-LTA): fresh validation data and a new document timestamp on
     * every document and the evidence report, before the last timestamp's TSA certificate
     * expires. The projection then names the renewed versions: written here once the contract's
     * workflow has ended, else sent to that workflow (it owns the projection; a write here would be
     * undone by its next persist), which writes them.
     */
    async renewArchive(versions: ArchiveVersions): Promise<ArchiveVersions & { renewAt: string }> {
      return heartbeating((beat) => renew(versions, beat));
    },

    /**
     * Tells the parties how the contract stands or ended, by email (else in-app) and SMS; on
     * completion their copies go along by email. A decline, expiry or cancellation reaches only
     * those who were invited: the others never heard of the contract. `by` and `reason`: who
     * cancelled and why (a decline's come from the declining signer).
     */
    async notifyParties({ kind, by = null, reason = null, endsOn = null, ...ref }: ContractRef & { kind: PartyNoticeKind; by?: string | null; reason?: string | null; endsOn?: string | null }): Promise<void> {
      const contract = await contractOf(ref);
      const title = contractName(contract);
      const attachments = [];
      if (kind === 'completed') {
        for (const doc of contract.documents) {
          const stored = await store.documents.get(doc.sha256);
          if (stored) attachments.push({ filename: `${doc.title ?? doc.template}.pdf`, content: stored.content, contentType: 'application/pdf' });
        }
      }
      const decliner = contract.signers.find((s) => s.status === 'declined');
      const told = kind === 'completed' || kind === 'expiry_reminder' ? contract.signers : contract.signers.filter((s) => s.invitedAt !== null);
      for (const signer of told) {
        let link: Notice['link'] = null;
        if (kind === 'completed') {
          // The signing link is dead now; the signed copy has its own link, which expires.
          const token = signedCopyToken(secret, contract.id, signer.id);
          const expiresAt = new Date(Date.parse(contract.updatedAt) + SIGNED_COPY_TTL_MS).toISOString();
          await store.signerLinks.ensureCopy({ token, contractId: contract.id, signerId: signer.id, expiresAt });
          link = { url: `${base}/api/copies/${token}`, expiresAt };
        }
        const { subject, text, html, sms } = renderNotice({
          kind,
          locale: signer.locale ?? DEFAULT_LOCALE,
          recipient: signer.name,
          sender: senderFor(contract, signer.id),
          title,
          deadline: contract.signingDeadline,
          link,
          documents: documentsOf(contract, signer),
          parties: partiesOf(contract.signers),
          at: contract.updatedAt,
          by: kind === 'declined' ? (decliner?.name ?? null) : by,
          reason: kind === 'declined' ? (decliner?.declineReason ?? null) : reason,
          endsOn: kind === 'expiry_reminder' ? (endsOn ?? endDateOnTimeline(contract)) : null,
          timeZone: notices.timeZone,
        });
        const key = `${contract.id}:${kind}:${signer.id}`;
        if (signer.email) await notifier.send({ channel: 'email', to: signer.email, subject, body: text, html, contractId: contract.id, attachments }, `${key}:email`);
        else await notifier.send({ channel: 'inbox', to: `signer:${signer.id}`, subject, body: text, contractId: contract.id }, `${key}:inbox`);
        if (signer.mobile) await notifier.send({ channel: 'sms', to: signer.mobile, subject, body: sms, contractId: contract.id }, `${key}:sms`);
      }
    },
  };
}

export type SigningActivities = ReturnType<typeof createSigningActivities>;

/** The contract an activity works on: its id and the revision the workflow persisted (before: the whole state). */
export type ContractRef = { contract: ContractState } | { contractId: string; revision: number };

/** What an archive renewal works on: the newest version of each document and of the evidence report. */
export interface ArchiveVersions {
  contractId: string;
  documents: { id: string; sha256: string }[];
  evidenceSha256: string | null;
}
