// The local development provider: NOT FOR PRODUCTION. It checks nobody against any
// authority — it checks the GB 11643 / GB 32100 check characters, then answers from a fixture
// list (fixtures.json), accepts one fixed SMS code and one fixed transfer amount. It exists so
// that the hub, its tests and a trial install can walk every verification without a vendor
// contract, and it can only be built by saying so (`notForProduction: true`), which the hub
// does only when SEALFLOW_IDENTITY_PROVIDERS names "local".
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isValidCreditCode, isValidIdNumber, normalizeIdNumber } from '../../flows';
import { IdentityError } from '../errors';
import { FLOWS, COMPARISONS, IdentityProviderError, type CompanyFacts, type Comparison, type FlowRequest, type FlowState, type IdentityProvider, type PersonFacts } from '../provider';

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

type LocalFlow = { request: FlowRequest; state: Omit<FlowState, 'evidence'> };

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
  const flows = new Map<string, LocalFlow>();
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
  const reply = (flow: LocalFlow): FlowState => ({ ...flow.state, evidence: evidence({ flowId: flow.state.flowId, step: flow.state.step, status: flow.state.status, outcome: flow.state.outcome }) });
  const open = (request: FlowRequest, state: Omit<FlowState, 'evidence' | 'flowId'>): FlowState => {
    const flow: LocalFlow = { request, state: { flowId: `local-flow-${randomUUID()}`, ...state } };
    flows.set(flow.state.flowId, flow);
    return reply(flow);
  };
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
          flows.get(state.flowId)!.state.redirectUrl = `${pageUrl}/face?flow=${encodeURIComponent(state.flowId)}&return=${encodeURIComponent(request.returnUrl)}`;
          return reply(flows.get(state.flowId)!);
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
          return open(request, { step: 'reverse_payment', status: 'pending', payTo: { accountName: 'Sealflow 本地开发(不收款)', accountNumber: '0000000000000000', bank: 'local development', amountFen: LOCAL_REVERSE_PAYMENT_FEN } });
        }
        case 'company.authorisation': {
          const { outcome } = companyOutcome(request.company, true);
          if (outcome !== 'match') return open(request, failed(outcome));
          const state = open(request, { step: 'authorisation', status: 'pending' });
          flows.get(state.flowId)!.state.redirectUrl = `${pageUrl}/authorisation?flow=${encodeURIComponent(state.flowId)}&return=${encodeURIComponent(request.returnUrl)}`;
          return reply(flows.get(state.flowId)!);
        }
      }
    },
    async advance(flowId, input) {
      const flow = flows.get(flowId);
      if (!flow) throw new IdentityProviderError('unknown_flow', `no local verification ${flowId}`);
      const { state, request } = flow;
      if (state.status !== 'pending') return reply(flow);
      if (state.step === 'sms_code' && input.kind === 'sms_code') {
        Object.assign(state, input.code.trim() === LOCAL_SMS_CODE ? { step: 'done', status: 'passed', outcome: 'match' } : { outcome: 'wrong_input' });
      } else if (state.step === 'transfer_amount' && input.kind === 'transfer_amount') {
        Object.assign(state, input.amountFen === LOCAL_TRANSFER_FEN ? { step: 'done', status: 'passed', outcome: 'match' } : { outcome: 'wrong_input' });
      } else if (input.kind === 'poll' && request.capability === 'person.face') {
        const pass = person(request.person)?.face === 'pass';
        Object.assign(state, { step: 'done', status: pass ? 'passed' : 'failed', outcome: pass ? 'match' : 'mismatch' });
      } else if (input.kind === 'poll' && request.capability === 'company.reverse_payment') {
        const company = fixtures.companies.find((c) => c.creditCode === request.company.creditCode.trim().toUpperCase());
        if (company?.reversePayment === 'paid') Object.assign(state, { step: 'done', status: 'passed', outcome: 'match' });
      } else if (input.kind === 'poll' && request.capability === 'company.authorisation') {
        const company = fixtures.companies.find((c) => c.creditCode === request.company.creditCode.trim().toUpperCase());
        const signed = company?.authorisation === 'signed';
        Object.assign(state, { step: 'done', status: signed ? 'passed' : 'failed', outcome: signed ? 'match' : 'declined' });
      } else if (input.kind !== 'poll') {
        throw new IdentityProviderError('rejected', `this verification waits for ${state.step}, not ${input.kind}`);
      }
      return reply(flow);
    },
  };
}

