// What a real-name verification provider (实名认证服务商) does for Sealflow, in the shapes the
// market's public APIs share, so that an adapter for either of the two big vendors is a thin
// translation:
// - e签宝 (open.esign.cn, identity service v2): one-shot "信息比对" endpoints
//   (`/v2/identity/verify/individual/base`, `.../telecom3Factors`, `.../organization/...`) answer
//   code 0 (consistent) or a mismatch code, plus a `verifyId`; multi-step "认证" endpoints
//   (`/v2/identity/auth/api/individual/telecom3Factors`, `.../bankCard4Factors`, `.../face`,
//   `/organization/enterprise/fourFactors`, `transferRandomAmount`, `verifyRandomAmount`,
//   reverse payment, `legalRepSignAuth`) return a `flowId`, and the next call names it.
// - 法大大 (FASC): the same split — 核验 calls answer consistent / inconsistent / no record
//   with a transaction number, and 认证 calls return a transaction id and a URL to open
//   (face, legal-representative authorisation) or a code to submit.
// So: comparisons answer `match | mismatch | no_record` with the provider's reference, and
// flows are `{ flowId, step, status }` advanced by `advance(flowId, input)`. Every call carries
// our idempotency key (e签宝 `contextId`, 法大大 `transactionId`-style client ids).

/** One-shot comparisons: an answer in one call. */
export const COMPARISONS = ['person.two_factors', 'company.three_factors', 'company.four_factors'] as const;
export type ComparisonCapability = (typeof COMPARISONS)[number];

/** Multi-step verifications: started, then advanced until passed or failed. */
export const FLOWS = ['person.telecom', 'person.bank', 'person.face', 'company.transfer', 'company.reverse_payment', 'company.authorisation'] as const;
export type FlowCapability = (typeof FLOWS)[number];

export type Capability = ComparisonCapability | FlowCapability;

export type Comparison = 'match' | 'mismatch' | 'no_record';

/** A person as they say they are; the ID number is a GB 11643 resident ID number. */
export interface PersonFacts {
  name: string;
  idNumber: string;
}

/** A company as its representative says it is; the credit code is a GB 32100 统一社会信用代码. */
export interface CompanyFacts {
  name: string;
  creditCode: string;
  legalRepresentative: string;
  /** Only for four factors (and the authorisation flow): the legal representative's ID number. */
  legalRepresentativeIdNumber?: string;
}

export type ComparisonRequest =
  | { capability: 'person.two_factors'; person: PersonFacts }
  | { capability: 'company.three_factors'; company: CompanyFacts }
  | { capability: 'company.four_factors'; company: CompanyFacts & { legalRepresentativeIdNumber: string } };

export type FlowRequest =
  /** 运营商三要素: name + ID + mobile registered to them; the provider sends an SMS code. */
  | { capability: 'person.telecom'; person: PersonFacts & { mobile: string } }
  /** 银行卡四要素: name + ID + bank card + the card's reserved mobile; the bank sends an SMS code. */
  | { capability: 'person.bank'; person: PersonFacts & { mobile: string; bankCard: string } }
  /** 刷脸: the signer is sent to the provider's page and comes back to returnUrl. */
  | { capability: 'person.face'; person: PersonFacts; returnUrl: string }
  /** 对公打款: a small random amount is paid into the company's account; the company reports it. */
  | { capability: 'company.transfer'; company: CompanyFacts; account: BankAccount }
  /** 反向打款: the company pays a given small amount from its account to the provider's. */
  | { capability: 'company.reverse_payment'; company: CompanyFacts }
  /** 法定代表人授权: the legal representative signs an authorisation on the provider's page. */
  | { capability: 'company.authorisation'; company: CompanyFacts & { legalRepresentativeIdNumber: string }; legalRepresentativeMobile: string; returnUrl: string };

export interface BankAccount {
  /** Account number of the company's basic or general account. */
  number: string;
  /** Bank branch (开户行) as the provider's branch search names it. */
  bank: string;
}

export type FlowInput =
  | { kind: 'sms_code'; code: string }
  /** The amount the company saw arrive, in fen (分). */
  | { kind: 'transfer_amount'; amountFen: number }
  /** Ask whether an outside step (face, reverse payment, authorisation) has finished. */
  | { kind: 'poll' };

/** What the flow waits for next. `done` once it has passed or failed. */
export type FlowStep = 'sms_code' | 'face' | 'transfer_amount' | 'reverse_payment' | 'authorisation' | 'done';

export type FlowStatus = 'pending' | 'passed' | 'failed';

export interface FlowState {
  /** The provider's id of the flow (e签宝 flowId). */
  flowId: string;
  step: FlowStep;
  status: FlowStatus;
  /** Why a flow failed, or why the last input was not accepted (a wrong code leaves the flow pending). */
  outcome?: Comparison | 'wrong_input' | 'declined' | 'expired';
  /** Where to send the person for `face` and `authorisation`. */
  redirectUrl?: string;
  /** For `reverse_payment`: what to pay, where. */
  payTo?: { accountName: string; accountNumber: string; bank: string; amountFen: number };
  /** Raw provider answer of this call, kept (as a digest) as evidence. */
  evidence: string;
}

export interface ComparisonResult {
  outcome: Comparison;
  /** The provider's id of this comparison (e签宝 verifyId), for their records and ours. */
  reference: string;
  /** Raw provider answer, kept (as a digest) as evidence. */
  evidence: string;
}

/** Passed with every call. */
export interface CallContext {
  /** Ours, stable across retries of the same attempt, so a provider bills and acts once. */
  idempotencyKey: string;
  /** Aborted when the router's time limit passes. */
  signal: AbortSignal;
}

export interface IdentityProvider {
  /** Stable id, e.g. "esign", "fadada", "local". */
  readonly id: string;
  /** False for providers that check nobody (local development). */
  readonly production: boolean;
  readonly capabilities: readonly Capability[];
  /** Price per call in fen, per capability, as the contract with the provider says; for counting costs. */
  readonly prices?: Partial<Record<Capability, number>>;
  compare(request: ComparisonRequest, context: CallContext): Promise<ComparisonResult>;
  start(request: FlowRequest, context: CallContext): Promise<FlowState>;
  advance(flowId: string, input: FlowInput, context: CallContext): Promise<FlowState>;
}

/**
 * Why a provider call failed, as a router must know it. `transport` (no answer, timeout),
 * `server` (5xx) and `balance` (the prepaid account is exhausted) are the provider's trouble:
 * another provider may answer. `rejected` (the provider refused our input, a 4xx) and
 * `unknown_flow` are not: asking elsewhere would give the same answer or start over.
 * A mismatch is not an error at all — it is an answer, and is never asked again elsewhere.
 */
export type ProviderFailure = 'transport' | 'server' | 'balance' | 'rejected' | 'unknown_flow';

export class IdentityProviderError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IdentityProviderError';
  }

  /** Whether the next provider may be asked instead. */
  get failsOver(): boolean {
    return this.failure === 'transport' || this.failure === 'server' || this.failure === 'balance';
  }
}
