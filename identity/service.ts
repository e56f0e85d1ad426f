// The identity service: validates what a person typed, reuses a still-valid record, asks the
// router otherwise, and turns a match (or a passed flow) into a verified identity record. The
// rules a vendor might not enforce for us — how many tries a 对公打款 amount gets, how long its
// window stays open — are enforced here, on the stored flow, with the injected clock.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { isValidCreditCode, isValidIdNumber, levelsSatisfying, normalizeIdNumber, type IdentityLevel } from '../flows';
import type { IdentityFlowRecord, IdentityRecord, IdentityRepository, IdentitySubjectFacts } from '../store';
import { IdentityError } from './errors';
import type { BankAccount, CompanyFacts, Comparison, ComparisonRequest, FlowCapability, FlowInput, FlowRequest, FlowState, PersonFacts } from './provider';
import type { IdentityRouter } from './router';

/** Which level each way of verifying proves. */
export const LEVEL_OF: Record<ComparisonRequest['capability'] | FlowCapability, IdentityLevel> = {
  'person.two_factors': 'two-factor',
  'person.telecom': 'telecom',
  'person.bank': 'bank',
  'person.face': 'face',
  'company.three_factors': 'company-three-factor',
  'company.four_factors': 'company-four-factor',
  'company.transfer': 'company-transfer',
  'company.reverse_payment': 'company-reverse-payment',
  'company.authorisation': 'company-authorisation',
};

const DAY = 86_400_000;
const MINUTE = 60_000;

/**
 * How long a flow accepts input and how many inputs it takes. 对公打款: the amount may be
 * reported within 7 days, at most 3 times (e签宝 and 法大大 both work this way). SMS codes
 * live minutes; a face check is done in one sitting; a reverse payment or an authorisation may
 * take the company days.
 */
export const FLOW_RULES: Record<FlowCapability, { windowMs: number; maxTries: number }> = {
  'person.telecom': { windowMs: 15 * MINUTE, maxTries: 5 },
  'person.bank': { windowMs: 15 * MINUTE, maxTries: 5 },
  'person.face': { windowMs: 30 * MINUTE, maxTries: 1 },
  'company.transfer': { windowMs: 7 * DAY, maxTries: 3 },
  'company.reverse_payment': { windowMs: 7 * DAY, maxTries: 1 },
  'company.authorisation': { windowMs: 7 * DAY, maxTries: 1 },
};

/** How long a verified identity is reused (default: a year; a face check 90 days, as it ages fastest). */
export const DEFAULT_VALIDITY_DAYS: Record<IdentityLevel, number> = {
  'two-factor': 365,
  telecom: 365,
  bank: 365,
  face: 90,
  'company-three-factor': 365,
  'company-four-factor': 365,
  'company-transfer': 365,
  'company-reverse-payment': 365,
  'company-authorisation': 365,
};

export interface IdentityServiceOptions {
  store: IdentityRepository;
  router: IdentityRouter;
  /**
   * Key of the ID-number HMAC. Pass the key the CA uses for certificate subjects (signing's
   * hashIdNumber), so that a record and a certificate name the same person the same way.
   */
  idHashKey: Uint8Array;
  now?: () => Date;
  validityDays?: Partial<Record<IdentityLevel, number>>;
}

export type VerifyResult = { outcome: 'match'; record: IdentityRecord; reused: boolean } | { outcome: Exclude<Comparison, 'match'>; provider: string };

/** A flow as a caller (the signer page) sees it. */
export interface IdentityFlowView {
  id: string;
  level: IdentityLevel;
  status: IdentityFlowRecord['status'];
  step: string;
  triesLeft: number;
  windowEndsAt: string;
  /** Why the last input was not accepted, or why the flow failed. */
  outcome?: FlowState['outcome'];
  redirectUrl?: string;
  payTo?: FlowState['payTo'];
  record?: IdentityRecord;
}

export type PersonSubject = { kind: 'person'; name: string; idNumber: string };
export type CompanySubject = { kind: 'company'; name: string; creditCode: string };

export interface IdentityService {
  /** Two factors (name + ID); reuses a valid record of the same name at that level. */
  verifyPerson(person: PersonFacts, context: { idempotencyKey: string }): Promise<VerifyResult>;
  /** Three factors, or four when the legal representative's ID number is given. */
  verifyCompany(company: CompanyFacts, context: { idempotencyKey: string }): Promise<VerifyResult>;
  /** `owner` names who started it (a signer's link), so that only they advance it. */
  startFlow(request: FlowRequest, context: { idempotencyKey: string; owner?: string }): Promise<IdentityFlowView>;
  advanceFlow(flowId: string, input: FlowInput, context: { idempotencyKey: string }): Promise<IdentityFlowView>;
  /** 对公打款: pays a small amount into the company's account. */
  startTransfer(company: CompanyFacts, account: BankAccount, context: { idempotencyKey: string }): Promise<IdentityFlowView>;
  /** The amount the company saw, in fen; at most 3 tries within 7 days. */
  submitTransferAmount(flowId: string, amountFen: number, context: { idempotencyKey: string }): Promise<IdentityFlowView>;
  submitSmsCode(flowId: string, code: string, context: { idempotencyKey: string }): Promise<IdentityFlowView>;
  getFlow(flowId: string): Promise<IdentityFlowView>;
  /** A valid record proving `level` for this subject, under this name; null when none. */
  findVerifiedIdentity(subject: PersonSubject | CompanySubject, level: IdentityLevel): Promise<IdentityRecord | null>;
  /** "person:<HMAC>" / "company:<code>": how records are keyed. */
  subjectKey(subject: PersonSubject | CompanySubject): string;
}

type Detail = { path: string; message: string };

const invalid = (details: Detail[]) => new IdentityError('INVALID_INPUT', details.map((d) => `${d.path} ${d.message}`).join('; '), { details });

function checkName(value: unknown, path: string, details: Detail[]) {
  if (typeof value !== 'string' || !value.trim() || value.trim().length > 100) details.push({ path, message: 'must be a name of 1-100 characters' });
}
function checkIdNumber(value: unknown, path: string, details: Detail[]) {
  if (typeof value !== 'string' || !isValidIdNumber(value)) details.push({ path, message: 'must be an 18-character resident ID number with a valid check digit (GB 11643)' });
}
function checkCreditCode(value: unknown, path: string, details: Detail[]) {
  if (typeof value !== 'string' || !isValidCreditCode(value.trim().toUpperCase())) details.push({ path, message: 'must be an 18-character unified social credit code with a valid check character (GB 32100)' });
}
function checkMobile(value: unknown, path: string, details: Detail[]) {
  if (typeof value !== 'string' || !/^1\d{10}$/.test(value.trim())) details.push({ path, message: 'must be an 11-digit mainland mobile number' });
}
function checkUrl(value: unknown, path: string, details: Detail[]) {
  if (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value)) details.push({ path, message: 'must be an http(s) URL' });
}
function checkPerson(person: PersonFacts | undefined, base: string, details: Detail[]) {
  checkName(person?.name, `${base}/name`, details);
  checkIdNumber(person?.idNumber, `${base}/idNumber`, details);
}
function checkCompany(company: CompanyFacts | undefined, base: string, details: Detail[], fourFactors: boolean) {
  checkName(company?.name, `${base}/name`, details);
  checkCreditCode(company?.creditCode, `${base}/creditCode`, details);
  checkName(company?.legalRepresentative, `${base}/legalRepresentative`, details);
  if (fourFactors || company?.legalRepresentativeIdNumber !== undefined) checkIdNumber(company?.legalRepresentativeIdNumber, `${base}/legalRepresentativeIdNumber`, details);
}

function validateFlowRequest(request: FlowRequest): void {
  const details: Detail[] = [];
  switch (request.capability) {
    case 'person.telecom':
      checkPerson(request.person, '/person', details);
      checkMobile(request.person?.mobile, '/person/mobile', details);
      break;
    case 'person.bank':
      checkPerson(request.person, '/person', details);
      checkMobile(request.person?.mobile, '/person/mobile', details);
      if (typeof request.person?.bankCard !== 'string' || !/^\d{12,19}$/.test(request.person.bankCard.replace(/\s/g, ''))) details.push({ path: '/person/bankCard', message: 'must be a bank card number of 12-19 digits' });
      break;
    case 'person.face':
      checkPerson(request.person, '/person', details);
      checkUrl(request.returnUrl, '/returnUrl', details);
      break;
    case 'company.transfer':
      checkCompany(request.company, '/company', details, false);
      if (typeof request.account?.number !== 'string' || !/^\d{6,32}$/.test(request.account.number.replace(/\s/g, ''))) details.push({ path: '/account/number', message: 'must be a bank account number of 6-32 digits' });
      checkName(request.account?.bank, '/account/bank', details);
      break;
    case 'company.reverse_payment':
      checkCompany(request.company, '/company', details, false);
      break;
    case 'company.authorisation':
      checkCompany(request.company, '/company', details, true);
      checkMobile(request.legalRepresentativeMobile, '/legalRepresentativeMobile', details);
      checkUrl(request.returnUrl, '/returnUrl', details);
      break;
    default:
      details.push({ path: '/capability', message: 'is not a kind of verification' });
  }
  if (details.length) throw invalid(details);
}

/** 138****8000: enough for a person to recognise their number, not enough to call it. */
export const maskMobile = (mobile: string): string => {
  const m = mobile.trim();
  return `${m.slice(0, 3)}****${m.slice(-4)}`;
};

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function createIdentityService(options: IdentityServiceOptions): IdentityService {
  const { store, router } = options;
  const now = options.now ?? (() => new Date());
  const validity = { ...DEFAULT_VALIDITY_DAYS, ...options.validityDays };
  // Same form as signing's hashIdNumber: HMAC-SHA256 over the normalised number, hex.
  const idHmac = (idNumber: string) => createHmac('sha256', options.idHashKey).update(normalizeIdNumber(idNumber), 'utf8').digest('hex');

  const subjectKey = (subject: PersonSubject | CompanySubject) => (subject.kind === 'person' ? `person:${idHmac(subject.idNumber)}` : `company:${subject.creditCode.trim().toUpperCase()}`);
  const personFacts = (person: PersonFacts & { mobile?: string }): IdentitySubjectFacts => ({
    kind: 'person',
    name: person.name.trim(),
    idNumberHmac: idHmac(person.idNumber),
    mobileMasked: person.mobile ? maskMobile(person.mobile) : null,
    creditCode: null,
    legalRepresentative: null,
  });
  const companyFacts = (company: CompanyFacts): IdentitySubjectFacts => ({
    kind: 'company',
    name: company.name.trim(),
    idNumberHmac: null,
    mobileMasked: null,
    creditCode: company.creditCode.trim().toUpperCase(),
    legalRepresentative: company.legalRepresentative.trim(),
  });
  const keyOf = (facts: IdentitySubjectFacts) => (facts.kind === 'person' ? `person:${facts.idNumberHmac}` : `company:${facts.creditCode}`);

  async function findVerifiedIdentity(subject: PersonSubject | CompanySubject, level: IdentityLevel): Promise<IdentityRecord | null> {
    const record = await store.findValidRecord(subjectKey(subject), levelsSatisfying(level), now().toISOString());
    // A record proves a name with a number; under another name it proves nothing.
    return record && record.subject.name === subject.name.trim() ? record : null;
  }

  const newRecord = (fields: { level: IdentityLevel; method: string; provider: string; providerReference: string; subject: IdentitySubjectFacts; evidenceDigest: string; idempotencyKey: string }): IdentityRecord => {
    const at = now();
    return {
      id: `idr_${randomUUID()}`,
      subjectKey: keyOf(fields.subject),
      level: fields.level,
      method: fields.method,
      provider: fields.provider,
      providerReference: fields.providerReference,
      subject: fields.subject,
      verifiedAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + validity[fields.level] * DAY).toISOString(),
      evidenceDigest: fields.evidenceDigest,
      idempotencyKey: fields.idempotencyKey,
    };
  };

  async function compare(request: ComparisonRequest, subject: PersonSubject | CompanySubject, facts: IdentitySubjectFacts, idempotencyKey: string): Promise<VerifyResult> {
    const level = LEVEL_OF[request.capability];
    const existing = await findVerifiedIdentity(subject, level);
    if (existing) return { outcome: 'match', record: existing, reused: true };
    const { provider, result } = await router.compare(request, { idempotencyKey });
    if (result.outcome !== 'match') return { outcome: result.outcome, provider };
    const record = await store.saveRecord(newRecord({ level, method: request.capability, provider, providerReference: result.reference, subject: facts, evidenceDigest: sha256(result.evidence), idempotencyKey }));
    return { outcome: 'match', record, reused: false };
  }

  async function view(flow: IdentityFlowRecord, outcome?: FlowState['outcome']): Promise<IdentityFlowView> {
    const details = (flow.details ?? {}) as { outcome?: FlowState['outcome']; redirectUrl?: string; payTo?: FlowState['payTo'] };
    const record = flow.recordId ? await store.getRecord(flow.recordId) : null;
    return {
      id: flow.id,
      level: flow.level as IdentityLevel,
      status: flow.status,
      step: flow.step,
      triesLeft: Math.max(0, flow.maxTries - flow.tries),
      windowEndsAt: flow.windowEndsAt,
      ...(outcome ?? details.outcome ? { outcome: outcome ?? details.outcome } : {}),
      ...(details.redirectUrl && flow.status === 'pending' ? { redirectUrl: details.redirectUrl } : {}),
      ...(details.payTo && flow.status === 'pending' ? { payTo: details.payTo } : {}),
      ...(record ? { record } : {}),
    };
  }

  const stateDetails = (state: FlowState) => ({
    ...(state.outcome ? { outcome: state.outcome } : {}),
    ...(state.redirectUrl ? { redirectUrl: state.redirectUrl } : {}),
    ...(state.payTo ? { payTo: state.payTo } : {}),
  });

  async function getStoredFlow(flowId: string): Promise<IdentityFlowRecord> {
    const flow = await store.getFlow(flowId);
    if (!flow) throw new IdentityError('FLOW_NOT_FOUND', `no identity verification ${flowId}`);
    return flow;
  }

  const closed = (flow: IdentityFlowRecord, why: string) =>
    new IdentityError('FLOW_CLOSED', `this verification ${why}`, { details: [{ path: '/status', message: flow.status }] });

  async function advanceFlow(flowId: string, input: FlowInput, context: { idempotencyKey: string }): Promise<IdentityFlowView> {
    let flow = await getStoredFlow(flowId);
    const at = now().toISOString();
    if (flow.status !== 'pending') {
      if (input.kind === 'poll' || flow.lastInputKey === context.idempotencyKey) return view(flow);
      throw closed(flow, flow.status === 'passed' ? 'has already passed' : flow.status === 'expired' ? 'has expired' : 'has failed; start a new one');
    }
    if (at >= flow.windowEndsAt) {
      flow = (await store.updateFlow(flow.id, { status: 'expired', step: 'done', details: { ...flow.details, outcome: 'expired' } }, at))!;
      if (input.kind === 'poll') return view(flow);
      throw closed(flow, 'has expired; start a new one');
    }
    if (input.kind !== 'poll') {
      const details: Detail[] = [];
      if (input.kind === 'transfer_amount' && (!Number.isInteger(input.amountFen) || input.amountFen < 1 || input.amountFen > 99_999)) details.push({ path: '/amountFen', message: 'must be a whole number of fen from 1 to 99999' });
      if (input.kind === 'sms_code' && (typeof input.code !== 'string' || !/^\d{4,8}$/.test(input.code.trim()))) details.push({ path: '/code', message: 'must be the 4-8 digit code from the SMS' });
      if (details.length) throw invalid(details);
      // The try is taken before the provider is asked, in one statement: concurrent guesses cannot exceed the limit.
      const claim = await store.claimTry(flow.id, at, context.idempotencyKey);
      // The same input again (a double click, a retried request): answer what the flow says now.
      if (claim === 'replayed') return view(await getStoredFlow(flowId));
      if (claim === 'refused') {
        flow = (await store.updateFlow(flow.id, { status: 'failed', step: 'done', details: { ...flow.details, outcome: 'wrong_input' } }, at))!;
        throw closed(flow, 'has no tries left; start a new one');
      }
      flow = await getStoredFlow(flowId);
    }
    let state: FlowState;
    try {
      state = await router.advance(flow.provider, flow.providerFlowId, input, { idempotencyKey: context.idempotencyKey, capability: flow.method as FlowCapability });
    } catch (error) {
      // The provider never answered: the input was not judged, so it costs no try.
      if (input.kind !== 'poll' && error instanceof IdentityError && error.code === 'PROVIDERS_UNAVAILABLE') await store.releaseTry(flow.id, at);
      throw error;
    }
    return settle(flow, state, at);
  }

  async function settle(flow: IdentityFlowRecord, state: FlowState, at: string): Promise<IdentityFlowView> {
    const evidenceDigest = sha256(state.evidence);
    if (state.status === 'passed') {
      const evidence = sha256([...flow.evidenceDigests, evidenceDigest].join('\n'));
      const record = await store.saveRecord(
        newRecord({ level: flow.level as IdentityLevel, method: flow.method, provider: flow.provider, providerReference: state.flowId, subject: flow.subject, evidenceDigest: evidence, idempotencyKey: `flow:${flow.id}` }),
      );
      const updated = await store.updateFlow(flow.id, { status: 'passed', step: 'done', details: stateDetails(state), evidenceDigest, recordId: record.id }, at);
      return view(updated!);
    }
    const usedUp = state.status === 'pending' && state.outcome === 'wrong_input' && flow.tries >= flow.maxTries;
    const status = state.status === 'failed' || usedUp ? 'failed' : 'pending';
    const updated = await store.updateFlow(flow.id, { status, step: status === 'failed' ? 'done' : state.step, details: stateDetails(state), evidenceDigest }, at);
    return view(updated!, state.outcome);
  }

  async function startFlow(request: FlowRequest, context: { idempotencyKey: string; owner?: string }): Promise<IdentityFlowView> {
    validateFlowRequest(request);
    const facts = 'person' in request ? personFacts(request.person) : companyFacts(request.company);
    const { provider, result } = await router.start(request, context);
    const at = now();
    const rules = FLOW_RULES[request.capability];
    const flow = await store.createFlow({
      id: `idf_${randomUUID()}`,
      provider,
      providerFlowId: result.flowId,
      method: request.capability,
      level: LEVEL_OF[request.capability],
      subjectKey: keyOf(facts),
      subject: facts,
      status: 'pending',
      step: result.step,
      maxTries: rules.maxTries,
      windowEndsAt: new Date(at.getTime() + rules.windowMs).toISOString(),
      details: null,
      evidenceDigests: [],
      idempotencyKey: context.idempotencyKey,
      createdAt: at.toISOString(),
      owner: context.owner ?? null,
    });
    if (flow.evidenceDigests.length > 0 || flow.status !== 'pending') return view(flow); // a retried start
    return settle(flow, result, at.toISOString());
  }

  return {
    async verifyPerson(person, context) {
      const details: Detail[] = [];
      checkPerson(person, '', details);
      if (details.length) throw invalid(details);
      return compare({ capability: 'person.two_factors', person }, { kind: 'person', name: person.name, idNumber: person.idNumber }, personFacts(person), context.idempotencyKey);
    },
    async verifyCompany(company, context) {
      const details: Detail[] = [];
      checkCompany(company, '', details, false);
      if (details.length) throw invalid(details);
      const request: ComparisonRequest =
        company.legalRepresentativeIdNumber !== undefined
          ? { capability: 'company.four_factors', company: { ...company, legalRepresentativeIdNumber: company.legalRepresentativeIdNumber } }
          : { capability: 'company.three_factors', company };
      return compare(request, { kind: 'company', name: company.name, creditCode: company.creditCode }, companyFacts(company), context.idempotencyKey);
    },
    startFlow,
    advanceFlow,
    startTransfer: (company, account, context) => startFlow({ capability: 'company.transfer', company, account }, context),
    submitTransferAmount: (flowId, amountFen, context) => advanceFlow(flowId, { kind: 'transfer_amount', amountFen }, context),
    submitSmsCode: (flowId, code, context) => advanceFlow(flowId, { kind: 'sms_code', code }, context),
    getFlow: async (flowId) => view(await getStoredFlow(flowId)),
    findVerifiedIdentity,
    subjectKey,
  };
}
