// How sure the hub must be of who a signer is (实名认证 level). Pure data on the ground floor:
// the flow language will name a level per signer (`identity: "telecom"`), and identity/ keeps
// the records that prove one; both read this single list.

export const PERSON_IDENTITY_LEVELS = ['two-factor', 'telecom', 'bank', 'face'] as const;
export const COMPANY_IDENTITY_LEVELS = ['company-three-factor', 'company-four-factor', 'company-transfer', 'company-reverse-payment', 'company-authorisation'] as const;
export const IDENTITY_LEVELS = [...PERSON_IDENTITY_LEVELS, ...COMPANY_IDENTITY_LEVELS] as const;
export type PersonIdentityLevel = (typeof PERSON_IDENTITY_LEVELS)[number];
export type CompanyIdentityLevel = (typeof COMPANY_IDENTITY_LEVELS)[number];
export type IdentityLevel = (typeof IDENTITY_LEVELS)[number];

/**
 * What a verification at each level also proves. Every person level starts from name + ID
 * (two factors); telecom, bank and face are different proofs, none stronger than another for
 * our purposes, so none stands in for another. Company four factors include the three; a
 * transfer, a reverse payment and an authorisation are each preceded by the three-factor check
 * (the authorisation by four).
 */
const ALSO_PROVES: Record<IdentityLevel, readonly IdentityLevel[]> = {
  'two-factor': [],
  telecom: ['two-factor'],
  bank: ['two-factor'],
  face: ['two-factor'],
  'company-three-factor': [],
  'company-four-factor': ['company-three-factor'],
  'company-transfer': ['company-three-factor'],
  'company-reverse-payment': ['company-three-factor'],
  'company-authorisation': ['company-four-factor', 'company-three-factor'],
};

/** The levels whose records satisfy a requirement of `required`: itself and every level that also proves it. */
export function levelsSatisfying(required: IdentityLevel): IdentityLevel[] {
  return IDENTITY_LEVELS.filter((level) => level === required || ALSO_PROVES[level].includes(required));
}

export const isPersonLevel = (level: IdentityLevel): level is PersonIdentityLevel => (PERSON_IDENTITY_LEVELS as readonly string[]).includes(level);

export const isCompanyLevel = (level: IdentityLevel): level is CompanyIdentityLevel => (COMPANY_IDENTITY_LEVELS as readonly string[]).includes(level);

/**
 * The level a signer must be verified at, or null. The one reader of the retired
 * `verify: 'face'`: flows and contracts from before levels keep loading, and their face
 * signers need level `face` (the old SEALFLOW_FACE_PROVIDER path is gone).
 */
export function requiredIdentity(signer: { identity?: IdentityLevel | null; verify?: string }): IdentityLevel | null {
  if (signer.identity) return signer.identity;
  return signer.verify === 'face' ? 'face' : null;
}
