// The local development provider: NOT FOR PRODUCTION. It checks nobody against any
// authority — it checks the GB 11643 / GB 32100 check characters, then answers from a fixture
// list (fixtures.json), accepts one fixed SMS code and one fixed transfer amount. It exists so
// that the hub, its tests and a trial install can walk every verification without a vendor
// contract, and it can only be built by saying so (`notForProduction: true`), which the hub
// does only when SEALFLOW_IDENTITY_PROVIDERS names "local".
//
// It keeps no flow anywhere: a flow's id carries what its next step needs (the capability, which
// fixture it is about, or the outcome it failed with at its start), so any server — or the same
// one after a restart — continues a flow another started, as a vendor's API would (issue 12).
// Tries and windows are the identity service's, on the stored flow (identity_flows), not this one's.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isValidCreditCode, isValidIdNumber, normalizeIdNumber } from '../../flows';
import { IdentityError } from '../errors';
import { FLOWS, COMPARISONS, IdentityProviderError, type CompanyFacts, type Comparison, type FlowCapability, type FlowRequest, type FlowState, type FlowStep, type IdentityProvider, type PersonFacts } from '../provider';

export const LOCAL_PROVIDER_ID = 'local';
/** The SMS code the local provider "sends" and accepts. */
export const LOCAL_SMS_CODE = '123456';
/** The amount the local provider "transfers" to a company account: ¥0.37. */
export const LOCAL_TRANSFER_FEN = 37;
/** What the local provider asks a company to pay in a reverse payment: ¥0.19. */
export const LOCAL_REVERSE_PAYMENT_FEN = 19;

export interface LocalPerson {
  name: string;
  idNumber: string;
  mobile: string;
  bankCard: string;
  /** What a face check of this person ends with. */
  face: 'pass' | 'fail';
}

export interface LocalCompany {
  name: string;
  creditCode: string;
  legalRepresentative: string;
  legalRepresentativeIdNumber: string;
  account: { number: string; bank: string };
  /** Whether polling a reverse payment finds the money arrived. */
  reversePayment: 'paid' | 'unpaid';
  /** What the legal representative does on the authorisation page. */
  authorisation: 'signed' | 'declined';
}

export interface LocalFixtures {
  people: LocalPerson[];
  companies: LocalCompany[];
}

export function loadLocalFixtures(): LocalFixtures {
  const raw = JSON.parse(readFileSync(new URL('./fixtures.json', import.meta.url), 'utf8')) as LocalFixtures;
  for (const person of raw.people) if (!isValidIdNumber(person.idNumber)) throw new Error(`fixtures.json: ${person.name}'s ID number fails its GB 11643 check digit`);
  for (const company of raw.companies) if (!isValidCreditCode(company.creditCode)) throw new Error(`fixtures.json: ${company.name}'s credit code fails its GB 32100 check character`);
  return { people: raw.people, companies: raw.companies };
}

/**
 * What a local flow's id carries. `subject`: for a person, a digest of the fixture's ID number
 * (never the number: the id is stored and shown in records); for a company, its credit code.
 * `failed`: the outcome of a flow that failed at its start. Never the return URL (it names the
 * signer's link, which is their credential).
 */
type FlowRef = { capability: FlowCapability; subject: string; failed?: FlowState['outcome'] };

const FLOW_PREFIX = 'local-flow-';
/** The step each capability waits at while pending. */
const PENDING_STEP: Record<FlowCapability, FlowStep> = {
  'person.telecom': 'sms_code',
  'person.bank': 'sms_code',
  'person.face': 'face',
  'company.transfer': 'transfer_amount',
  'company.reverse_payment': 'reverse_payment',
  'company.authorisation': 'authorisation',
};
const idDigest = (idNumber: string) => createHash('sha256').update(`sealflow-local:${normalizeIdNumber(idNumber)}`).digest('hex').slice(0, 32);
const flowIdOf = (ref: FlowRef) => `${FLOW_PREFIX}${randomUUID()}.${Buffer.from(JSON.stringify(ref)).toString('base64url')}`;
function refOf(flowId: string): FlowRef {
  const encoded = flowId.startsWith(FLOW_PREFIX) ? flowId.slice(flowId.indexOf('.') + 1) : '';
  try {
    const ref = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as FlowRef;
    if ((FLOWS as readonly string[]).includes(ref.capability) && typeof ref.subject === 'string') return ref;
  } catch {
    // not one of ours: answered below
  }
  throw new IdentityProviderError('unknown_flow', `no local verification ${flowId}`);
}

export function createLocalIdentityProvider(options: {
  /** Required, and only true: this provider checks nobody. */
  notForProduction: true;
  fixtures?: LocalFixtures;
  /** Where `face` and `authorisation` flows send the person (the hub's own dev page, next step). */
  pageUrl?: string;
}): IdentityProvider {
  if (options?.notForProduction !== true) {
    throw new IdentityError('LOCAL_PROVIDER_REFUSED', 'the local identity provider checks nobody; build it only with notForProduction: true (SEALFLOW_IDENTITY_PROVIDERS=local)');
  }
  const fixtures = options.fixtures ?? loadLocalFixtures();
  const pageUrl = options.pageUrl ?? 'http://localhost/identity/local';

  const person = (facts: PersonFacts) => {
    if (!isValidIdNumber(facts.idNumber)) throw new IdentityProviderError('rejected', 'the ID number fails its GB 11643 check digit');
    const id = normalizeIdNumber(facts.idNumber);
    return fixtures.people.find((p) => p.idNumber === id) ?? null;
  };
  const personOutcome = (facts: PersonFacts, extra: (p: LocalPerson) => boolean = () => true): Comparison => {
    const found = person(facts);
    if (!found) return 'no_record';
    return found.name === facts.name.trim() && extra(found) ? 'match' : 'mismatch';
  };
  const companyOutcome = (facts: CompanyFacts, fourFactors: boolean): { outcome: Comparison; company: LocalCompany | null } => {
    if (!isValidCreditCode(facts.creditCode.trim().toUpperCase())) throw new IdentityProviderError('rejected', 'the credit code fails its GB 32100 check character');
    const company = fixtures.companies.find((c) => c.creditCode === facts.creditCode.trim().toUpperCase()) ?? null;
    if (!company) return { outcome: 'no_record', company };
    const same =
      company.name === facts.name.trim() &&
      company.legalRepresentative === facts.legalRepresentative.trim() &&
      (!fourFactors || (facts.legalRepresentativeIdNumber !== undefined && company.legalRepresentativeIdNumber === normalizeIdNumber(facts.legalRepresentativeIdNumber)));
    return { outcome: same ? 'match' : 'mismatch', company };
  };
  const evidence = (what: unknown) => JSON.stringify({ provider: LOCAL_PROVIDER_ID, notForProduction: true, ...(what as object) });
  const reply = (state: Omit<FlowState, 'evidence'>): FlowState => ({ ...state, evidence: evidence({ flowId: state.flowId, step: state.step, status: state.status, outcome: state.outcome }) });
  const subjectOf = (request: FlowRequest) => ('person' in request ? idDigest(request.person.idNumber) : request.company.creditCode.trim().toUpperCase());
  const open = (request: FlowRequest, state: Omit<FlowState, 'evidence' | 'flowId'>): FlowState => {
    // A failed flow needs no subject, and a number typed by someone outside the fixtures never goes into an id.
    const ref: FlowRef = state.status === 'failed' ? { capability: request.capability, subject: '', failed: state.outcome } : { capability: request.capability, subject: subjectOf(request) };
    return reply({ flowId: flowIdOf(ref), ...state });
  };
  const payTo = { accountName: 'Sealflow 本地开发(不收款)', accountNumber: '0000000000000000', bank: 'local development', amountFen: LOCAL_REVERSE_PAYMENT_FEN };
  const failed = (outcome: FlowState['outcome']): Omit<FlowState, 'evidence' | 'flowId'> => ({ step: 'done', status: 'failed', outcome });

  return {
    id: LOCAL_PROVIDER_ID,
    production: false,
    capabilities: [...COMPARISONS, ...FLOWS],
    prices: {},
    async compare(request) {
      const reference = `local-verify-${randomUUID()}`;
      let outcome: Comparison;
      if (request.capability === 'person.two_factors') outcome = personOutcome(request.person);
      else outcome = companyOutcome(request.company, request.capability === 'company.four_factors').outcome;
      return { outcome, reference, evidence: evidence({ reference, capability: request.capability, outcome }) };
    },
    async start(request) {
      switch (request.capability) {
        case 'person.telecom': {
          const outcome = personOutcome(request.person, (p) => p.mobile === request.person.mobile.trim());
          return outcome === 'match' ? open(request, { step: 'sms_code', status: 'pending' }) : open(request, failed(outcome));
        }
        case 'person.bank': {
          const outcome = personOutcome(request.person, (p) => p.mobile === request.person.mobile.trim() && p.bankCard === request.person.bankCard.replace(/\s/g, ''));
          return outcome === 'match' ? open(request, { step: 'sms_code', status: 'pending' }) : open(request, failed(outcome));
        }
        case 'person.face': {
          const outcome = personOutcome(request.person);
          if (outcome !== 'match') return open(request, failed(outcome));
          const state = open(request, { step: 'face', status: 'pending' });
          return { ...state, redirectUrl: `${pageUrl}/face?flow=${encodeURIComponent(state.flowId)}&return=${encodeURIComponent(request.returnUrl)}` };
        }
        case 'company.transfer': {
          const { outcome, company } = companyOutcome(request.company, false);
          if (outcome !== 'match') return open(request, failed(outcome));
          if (company!.account.number !== request.account.number.replace(/\s/g, '')) return open(request, failed('mismatch'));
          return open(request, { step: 'transfer_amount', status: 'pending' });
        }
        case 'company.reverse_payment': {
          const { outcome } = companyOutcome(request.company, false);
          if (outcome !== 'match') return open(request, failed(outcome));
          return open(request, { step: 'reverse_payment', status: 'pending', payTo });
        }
        case 'company.authorisation': {
          const { outcome } = companyOutcome(request.company, true);
          if (outcome !== 'match') return open(request, failed(outcome));
          const state = open(request, { step: 'authorisation', status: 'pending' });
          return { ...state, redirectUrl: `${pageUrl}/authorisation?flow=${encodeURIComponent(state.flowId)}&return=${encodeURIComponent(request.returnUrl)}` };
        }
      }
    },
    async advance(flowId, input) {
      const ref = refOf(flowId);
      // A flow that failed at its start stays failed, whoever asks.
      if (ref.failed !== undefined) return reply({ flowId, step: 'done', status: 'failed', outcome: ref.failed });
      const pending = { flowId, step: PENDING_STEP[ref.capability], status: 'pending' as const, ...(ref.capability === 'company.reverse_payment' ? { payTo } : {}) };
      const done = (passed: boolean, outcome: FlowState['outcome']) => reply({ flowId, step: 'done', status: passed ? 'passed' : 'failed', outcome });
      const company = () => fixtures.companies.find((c) => c.creditCode === ref.subject);
      if (pending.step === 'sms_code' && input.kind === 'sms_code') {
        return input.code.trim() === LOCAL_SMS_CODE ? done(true, 'match') : reply({ ...pending, outcome: 'wrong_input' });
      }
      if (pending.step === 'transfer_amount' && input.kind === 'transfer_amount') {
        return input.amountFen === LOCAL_TRANSFER_FEN ? done(true, 'match') : reply({ ...pending, outcome: 'wrong_input' });
      }
      if (input.kind === 'poll' && ref.capability === 'person.face') {
        const pass = fixtures.people.find((p) => idDigest(p.idNumber) === ref.subject)?.face === 'pass';
        return done(pass, pass ? 'match' : 'mismatch');
      }
      if (input.kind === 'poll' && ref.capability === 'company.reverse_payment') return company()?.reversePayment === 'paid' ? done(true, 'match') : reply(pending);
      if (input.kind === 'poll' && ref.capability === 'company.authorisation') {
        const signed = company()?.authorisation === 'signed';
        return done(signed, signed ? 'match' : 'declined');
      }
      if (input.kind !== 'poll') throw new IdentityProviderError('rejected', `this verification waits for ${pending.step}, not ${input.kind}`);
      return reply(pending);
    },
  };
}

