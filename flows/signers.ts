// Who signs a contract, evaluated from its data: names, contacts and identities come
// from the flow's expressions. Pure, so the workflow can plan its signing rounds itself.
import { evaluate } from './expression';
import { requiredIdentity } from './identity-levels';
import type { SignerState } from './contract';
import { DEFAULT_LOCALE, type FlowDefinition } from './schema';

const text = (value: unknown): string | null => (value === undefined || value === null || value === '' ? null : String(value));

export async function planSigners(flow: FlowDefinition, data: Record<string, unknown>, includedDocuments: string[]): Promise<SignerState[]> {
  const signers: SignerState[] = [];
  for (const [i, signer] of (flow.signers ?? []).entries()) {
    const at = (field: string) => `/signers/${i}/${field}`;
    signers.push({
      id: signer.id,
      party: signer.party,
      name: text(await evaluate(signer.name, data, at('name'))) ?? signer.id,
      order: signer.order ?? 1,
      documents: signer.documents.filter((d) => includedDocuments.includes(d)),
      email: signer.contact?.email ? text(await evaluate(signer.contact.email, data, at('contact/email'))) : null,
      mobile: signer.contact?.mobile ? text(await evaluate(signer.contact.mobile, data, at('contact/mobile'))) : null,
      creditCode: signer.creditCode ? text(await evaluate(signer.creditCode, data, at('creditCode'))) : null,
      idNumber: signer.idNumber ? text(await evaluate(signer.idNumber, data, at('idNumber'))) : null,
      seal: signer.seal ?? null,
      locale: signer.locale ?? DEFAULT_LOCALE,
      // The retired verify 'face' becomes level face; the signer then confirms like any other.
      verify: signer.verify === 'face' ? 'none' : (signer.verify ?? 'none'),
      identity: requiredIdentity(signer),
      mustRead: signer.mustRead ?? false,
      prompt: signer.prompt ?? null,
      status: 'waiting',
      invitedAt: null,
      signedAt: null,
      declineReason: null,
      reminders: 0,
      lastNudgeAt: null,
    });
  }
  // A signer with nothing to sign (every document dropped by `when`) has no part in this contract.
  return signers.filter((s) => s.documents.length > 0);
}

/** What the signing stage needs from the flow's expressions, evaluated at once before anyone is invited. */
export interface SigningPlan {
  signers: SignerState[];
  /** `archive.folder` evaluated; null when the flow names none (or it gives nothing). */
  archiveFolder: string | null;
  /** `archive.expiry.date` evaluated, as the text it gave; null when the flow has no expiry. */
  expiryDate: string | null;
}

export async function planSigning(flow: FlowDefinition, data: Record<string, unknown>, includedDocuments: string[]): Promise<SigningPlan> {
  const signers = await planSigners(flow, data, includedDocuments);
  const archiveFolder = flow.archive?.folder ? text(await evaluate(flow.archive.folder, data, '/archive/folder')) : null;
  const expiryDate = flow.archive?.expiry ? text(await evaluate(flow.archive.expiry.date, data, '/archive/expiry/date')) : null;
  return { signers, archiveFolder, expiryDate };
}

/**
 * The parties' names as the flow's signers name them, known from the start so that the ledger
 * finds a contract by its supplier while it is still in approval. A name that cannot be
 * computed yet is left out: signing will name the problem where it matters.
 */
export async function partyNames(flow: FlowDefinition, data: Record<string, unknown>): Promise<string[]> {
  const names: string[] = [];
  for (const [i, signer] of (flow.signers ?? []).entries()) {
    const name = await evaluate(signer.name, data, `/signers/${i}/name`).then(text, () => null);
    if (name) names.push(name);
  }
  return [...new Set(names)];
}

/** Signing rounds: same order signs in parallel, lower orders first. */
export function signingRounds(signers: SignerState[]): number[] {
  return [...new Set(signers.map((s) => s.order))].sort((a, b) => a - b);
}
