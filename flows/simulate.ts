// What a flow would do with given data, without starting anything: the designer's
// "try it" and `POST /api/flows/:key/simulate` both answer from here.
import { DEFAULT_LOCALE, type FlowDefinition, type Locale } from './schema';
import { defaultContractTitle } from './contract';
import { evaluate } from './expression';
import { requiredIdentity, type IdentityLevel } from './identity-levels';
import { planApproval, type ApprovalPlan } from './routing';

export interface SimulatedDocument {
  id: string;
  template: string;
  title: string | null;
  included: boolean;
}

export interface SimulatedSigner {
  id: string;
  party: 'company' | 'person';
  name: string;
  order: number;
  /** The language of this signer's notices and page. */
  locale: Locale;
  documents: string[];
  /** The real-name verification level the signer must pass before signing; null when none. */
  identity: IdentityLevel | null;
}

export interface Simulation extends ApprovalPlan {
  title: string | null;
  documents: SimulatedDocument[];
  signers: SimulatedSigner[];
  /** Whether the user who starts the contract may approve its steps (`approval.allowInitiator`; maker-checker by default). */
  initiatorMayApprove: boolean;
}

function text(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

/** The flow's `title` on this data, else `<flow name> · <source key>` (see defaultContractTitle). */
export async function contractTitle(flow: FlowDefinition, data: Record<string, unknown>, sourceKey: string | null = null): Promise<string> {
  const given = flow.title ? text(await evaluate(flow.title, data, '/title')) : null;
  return given?.trim() ? given : defaultContractTitle(flow.name, sourceKey);
}

export async function simulateFlow(flow: FlowDefinition, data: Record<string, unknown>, sourceKey: string | null = null): Promise<Simulation> {
  const plan = await planApproval(flow, data);
  const documents: SimulatedDocument[] = [];
  for (const [i, doc] of (flow.documents ?? []).entries()) {
    documents.push({
      id: doc.id,
      template: doc.template,
      title: doc.title ? text(await evaluate(doc.title, data, `/documents/${i}/title`)) : null,
      included: doc.when ? Boolean(await evaluate(doc.when, data, `/documents/${i}/when`)) : true,
    });
  }
  const included = new Set(documents.filter((d) => d.included).map((d) => d.id));
  const signers: SimulatedSigner[] = [];
  for (const [i, signer] of (flow.signers ?? []).entries()) {
    signers.push({
      id: signer.id,
      party: signer.party,
      name: text(await evaluate(signer.name, data, `/signers/${i}/name`)) ?? '',
      order: signer.order ?? 1,
      locale: signer.locale ?? DEFAULT_LOCALE,
      documents: signer.documents.filter((d) => included.has(d)),
      identity: requiredIdentity(signer),
    });
  }
  signers.sort((a, b) => a.order - b.order);
  return { ...plan, title: await contractTitle(flow, data, sourceKey), documents, signers, initiatorMayApprove: flow.approval.allowInitiator === true };
}
