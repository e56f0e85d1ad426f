// Real-name verification of a contract's signer, on their personal link. The signer proves
// who they are (the facts they type must be the party the contract names), and the record
// that proves it is bound to (contract, signer): the CA issues their certificate from that
// record, never from contract data that may change after. A flow started on one link can be
// advanced only from that link.
import { isCompanyLevel, levelsSatisfying, normalizeIdNumber, requiredIdentity, type IdentityLevel } from '../flows';
import type { IdentityRecord, IdentityRepository } from '../store';
import { IdentityError } from './errors';
import type { BankAccount, Capability, CompanyFacts, FlowRequest, IdentityProvider } from './provider';
import type { IdentityFlowView, IdentityService, VerifyResult } from './service';

/** How each level is proved (the inverse of LEVEL_OF): a one-shot comparison or a flow. */
export const CAPABILITY_OF: Record<IdentityLevel, Capability> = {
  'two-factor': 'person.two_factors',
  telecom: 'person.telecom',
  bank: 'person.bank',
  face: 'person.face',
  'company-three-factor': 'company.three_factors',
  'company-four-factor': 'company.four_factors',
  'company-transfer': 'company.transfer',
  'company-reverse-payment': 'company.reverse_payment',
  'company-authorisation': 'company.authorisation',
};

/** The levels some configured provider can prove: what a flow may ask for on this hub. */
export function offeredLevels(providers: readonly IdentityProvider[]): IdentityLevel[] {
  return (Object.keys(CAPABILITY_OF) as IdentityLevel[]).filter((level) => providers.some((p) => p.capabilities.includes(CAPABILITY_OF[level])));
}

/** The signer as the contract names them (only what identifies them). */
export interface ContractSigner {
  id: string;
  party: 'company' | 'person';
  name: string;
  idNumber: string | null;
  creditCode: string | null;
  identity?: IdentityLevel | null;
  verify?: string;
}

export interface SignerOnContract {
  contractId: string;
  signer: ContractSigner;
}

/** What a signer types to start a flow; which parts are needed follows from the level. */
export interface SignerFlowInput {
  person?: { name: string; idNumber: string; mobile?: string; bankCard?: string };
  company?: CompanyFacts;
  account?: BankAccount;
  legalRepresentativeMobile?: string;
}

export type SignerVerifyResult = (VerifyResult & { outcome: 'match'; bound: boolean }) | Exclude<VerifyResult, { outcome: 'match' }>;
export type SignerFlowView = IdentityFlowView & { reused?: boolean; bound: boolean };

export interface SignerIdentity {
  /** The level asked of the signer and the bound record that proves it now (null when none does). */
  status(on: SignerOnContract): Promise<{ level: IdentityLevel | null; record: IdentityRecord | null }>;
  verifyPerson(on: SignerOnContract, person: { name: string; idNumber: string }, context: { idempotencyKey: string }): Promise<SignerVerifyResult>;
  verifyCompany(on: SignerOnContract, company: CompanyFacts, context: { idempotencyKey: string }): Promise<SignerVerifyResult>;
  /** Starts the flow the signer's level asks for (or reuses a still-valid record at that level). */
  startFlow(on: SignerOnContract, input: SignerFlowInput, context: { idempotencyKey: string; returnUrl: string }): Promise<SignerFlowView>;
  advanceFlow(on: SignerOnContract, flowId: string, input: { kind: 'sms_code'; code: string } | { kind: 'transfer_amount'; amountFen: number } | { kind: 'poll' }, context: { idempotencyKey: string }): Promise<SignerFlowView>;
  /**
   * The record a certificate for this signer is issued from: bound on their link, valid at
   * `at`, and proving the level the contract asks (any bound record when it asks none).
   */
  recordFor(contractId: string, signer: Pick<ContractSigner, 'id' | 'identity' | 'verify'>, at: Date): Promise<IdentityRecord | null>;
}

type Detail = { path: string; message: string };
const notTheSigner = (details: Detail[]) =>
  new IdentityError('NOT_THE_SIGNER', `These are not the details of the party this contract names: ${details.map((d) => d.path).join(', ')}`, { details });
const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? '').trim() === (b ?? '').trim();

const proves = (record: IdentityRecord, level: IdentityLevel | null) => level === null || levelsSatisfying(level).includes(record.level as IdentityLevel);

/**
 * The record a certificate for this contract's signer is issued from: bound on their link,
 * valid at `at`, proving the level the contract asks (any bound record when it asks none).
 * The CA (workflows' signing activity) and the signing gate read this one function.
 */
export async function boundIdentity(store: Pick<IdentityRepository, 'signerRecord'>, contractId: string, signer: { id: string; identity?: IdentityLevel | null; verify?: string }, at: Date): Promise<IdentityRecord | null> {
  const bound = await store.signerRecord(contractId, signer.id);
  if (!bound || bound.expiresAt <= at.toISOString()) return null;
  if (!proves(bound, requiredIdentity(signer))) return null;
  const { boundAt: _boundAt, ...record } = bound;
  return record;
}

/** The identity rules of a signer's link, over the service and the records it keeps. */
export function createSignerIdentity(options: { service: IdentityService; store: IdentityRepository; now?: () => Date }): SignerIdentity {
  const { service, store } = options;
  const now = options.now ?? (() => new Date());
  const ownerOf = (on: SignerOnContract) => `contract:${on.contractId}:${on.signer.id}`;

  function levelOf(on: SignerOnContract, kind: 'person' | 'company'): IdentityLevel {
    const level = requiredIdentity(on.signer);
    if (!level) throw new IdentityError('INVALID_INPUT', 'This contract asks no real-name verification of you', { details: [{ path: '/', message: 'no verification is asked of this signer' }] });
    if (isCompanyLevel(level) !== (kind === 'company')) {
      throw new IdentityError('INVALID_INPUT', `This contract asks you to verify as a ${isCompanyLevel(level) ? 'company' : 'person'}`, { details: [{ path: `/${kind}`, message: `the signer verifies as a ${isCompanyLevel(level) ? 'company' : 'person'}` }] });
    }
    return level;
  }

  // The facts must be those of the party the contract names: a forwarded link does not certify someone else.
  function mustBePerson(on: SignerOnContract, person: { name?: string; idNumber?: string } | undefined, base: string) {
    const details: Detail[] = [];
    if (typeof person?.name === 'string' && !same(person.name, on.signer.name)) details.push({ path: `${base}/name`, message: 'is not the name this contract gives the signer' });
    if (on.signer.idNumber && typeof person?.idNumber === 'string' && normalizeIdNumber(person.idNumber) !== normalizeIdNumber(on.signer.idNumber)) {
      details.push({ path: `${base}/idNumber`, message: 'is not the ID number this contract gives the signer' });
    }
    if (details.length) throw notTheSigner(details);
  }
  function mustBeCompany(on: SignerOnContract, company: Partial<CompanyFacts> | undefined, base: string) {
    const details: Detail[] = [];
    if (typeof company?.name === 'string' && !same(company.name, on.signer.name)) details.push({ path: `${base}/name`, message: 'is not the company this contract names' });
    if (on.signer.creditCode && typeof company?.creditCode === 'string' && company.creditCode.trim().toUpperCase() !== on.signer.creditCode.trim().toUpperCase()) {
      details.push({ path: `${base}/creditCode`, message: 'is not the credit code this contract gives the company' });
    }
    if (details.length) throw notTheSigner(details);
  }

  async function bindIfProves(on: SignerOnContract, record: IdentityRecord | undefined, level: IdentityLevel): Promise<boolean> {
    if (!record || !proves(record, level)) return false;
    await store.bindSigner(on.contractId, on.signer.id, record.id, now().toISOString());
    return true;
  }

  const recordFor = (contractId: string, signer: Pick<ContractSigner, 'id' | 'identity' | 'verify'>, at: Date) => boundIdentity(store, contractId, signer, at);

  async function mustOwn(on: SignerOnContract, flowId: string) {
    const flow = await store.getFlow(flowId);
    // Another link's flow is not this link's business: as unknown as a flow that does not exist.
    if (!flow || flow.owner !== ownerOf(on)) throw new IdentityError('FLOW_NOT_FOUND', `no identity verification ${flowId} on this link`);
  }

  return {
    async status(on) {
      return { level: requiredIdentity(on.signer), record: await recordFor(on.contractId, on.signer, now()) };
    },

    async verifyPerson(on, person, context) {
      const level = levelOf(on, 'person');
      mustBePerson(on, person, '');
      const result = await service.verifyPerson(person, context);
      if (result.outcome !== 'match') return result;
      // Two factors passed; a higher level is bound only from a still-valid record at that level.
      const record = proves(result.record, level) ? result.record : await service.findVerifiedIdentity({ kind: 'person', ...person }, level);
      return { ...result, bound: await bindIfProves(on, record ?? undefined, level) };
    },

    async verifyCompany(on, company, context) {
      const level = levelOf(on, 'company');
      mustBeCompany(on, company, '');
      if (level === 'company-four-factor' && company?.legalRepresentativeIdNumber === undefined) {
        throw new IdentityError('INVALID_INPUT', 'Four factors need the legal representative’s ID number', { details: [{ path: '/legalRepresentativeIdNumber', message: 'is required for company four factors' }] });
      }
      const result = await service.verifyCompany(company, context);
      if (result.outcome !== 'match') return result;
      const record = proves(result.record, level) ? result.record : await service.findVerifiedIdentity({ kind: 'company', name: company.name, creditCode: company.creditCode }, level);
      return { ...result, bound: await bindIfProves(on, record ?? undefined, level) };
    },

    async startFlow(on, input, context) {
      const kind = input.company ? 'company' : 'person';
      const level = levelOf(on, kind);
      const capability = CAPABILITY_OF[level];
      let request: FlowRequest;
      switch (capability) {
        case 'person.telecom':
          request = { capability, person: { name: input.person?.name as string, idNumber: input.person?.idNumber as string, mobile: input.person?.mobile as string } };
          break;
        case 'person.bank':
          request = { capability, person: { name: input.person?.name as string, idNumber: input.person?.idNumber as string, mobile: input.person?.mobile as string, bankCard: input.person?.bankCard as string } };
          break;
        case 'person.face':
          request = { capability, person: { name: input.person?.name as string, idNumber: input.person?.idNumber as string }, returnUrl: context.returnUrl };
          break;
        case 'company.transfer':
          request = { capability, company: input.company!, account: input.account as BankAccount };
          break;
        case 'company.reverse_payment':
          request = { capability, company: input.company! };
          break;
        case 'company.authorisation':
          request = {
            capability,
            company: { ...input.company!, legalRepresentativeIdNumber: input.company?.legalRepresentativeIdNumber as string },
            legalRepresentativeMobile: input.legalRepresentativeMobile as string,
            returnUrl: context.returnUrl,
          };
          break;
        default:
          throw new IdentityError('INVALID_INPUT', `Level ${level} is verified in one step, not a flow`, { details: [{ path: '/', message: `use /identity/${kind} for ${level}` }] });
      }
      if (kind === 'person') mustBePerson(on, input.person, '/person');
      else mustBeCompany(on, input.company, '/company');
      // Reused while valid: a signer verified at this level lately is not asked (or charged) again.
      const subject = kind === 'person' ? { kind: 'person' as const, name: input.person?.name ?? '', idNumber: input.person?.idNumber ?? '' } : { kind: 'company' as const, name: input.company?.name ?? '', creditCode: input.company?.creditCode ?? '' };
      const valid = (kind === 'person' ? typeof input.person?.idNumber === 'string' : typeof input.company?.creditCode === 'string') ? await service.findVerifiedIdentity(subject, level).catch(() => null) : null;
      if (valid) {
        await bindIfProves(on, valid, level);
        return { id: valid.id, level, status: 'passed', step: 'done', triesLeft: 0, windowEndsAt: valid.expiresAt, record: valid, reused: true, bound: true };
      }
      const view = await service.startFlow(request, { idempotencyKey: context.idempotencyKey, owner: ownerOf(on) });
      return { ...view, bound: view.status === 'passed' ? await bindIfProves(on, view.record, level) : false };
    },

    async advanceFlow(on, flowId, input, context) {
      const level = requiredIdentity(on.signer);
      if (!level) throw new IdentityError('FLOW_NOT_FOUND', `no identity verification ${flowId} on this link`);
      await mustOwn(on, flowId);
      const view = await service.advanceFlow(flowId, input, context);
      return { ...view, bound: view.status === 'passed' ? await bindIfProves(on, view.record, level) : false };
    },

    recordFor,
  };
}
