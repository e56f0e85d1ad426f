// Real-name verification (实名认证): the provider interface, the local development provider,
// routing with failover, and the service that keeps verified identity records. The public
// surface of identity/; see README.md for what is wired where.
import type { IdentityProviderName } from '../config';
import { createLocalIdentityProvider } from './local/provider';
import type { IdentityProvider } from './provider';

export { IdentityError, type IdentityErrorCode } from './errors';
export {
  COMPARISONS,
  FLOWS,
  IdentityProviderError,
  type BankAccount,
  type CallContext,
  type Capability,
  type CompanyFacts,
  type Comparison,
  type ComparisonCapability,
  type ComparisonRequest,
  type ComparisonResult,
  type FlowCapability,
  type FlowInput,
  type FlowRequest,
  type FlowState,
  type FlowStatus,
  type FlowStep,
  type IdentityProvider,
  type PersonFacts,
  type ProviderFailure,
} from './provider';
export { costsByProvider, memoryCostCounter, type CostCounter } from './costs';
export { createIdentityRouter, type IdentityRouter, type ProviderCosts, type ProviderHealth, type Routed, type RouterOptions } from './router';
export {
  createIdentityService,
  DEFAULT_VALIDITY_DAYS,
  FLOW_RULES,
  LEVEL_OF,
  maskMobile,
  type CompanySubject,
  type IdentityFlowView,
  type IdentityService,
  type IdentityServiceOptions,
  type PersonSubject,
  type VerifyResult,
} from './service';
export { boundIdentity, CAPABILITY_OF, createSignerIdentity, offeredLevels, type ContractSigner, type SignerFlowInput, type SignerFlowView, type SignerIdentity, type SignerOnContract, type SignerVerifyResult } from './signers';
export { createLocalIdentityProvider, loadLocalFixtures, LOCAL_PROVIDER_ID, LOCAL_REVERSE_PAYMENT_FEN, LOCAL_SMS_CODE, LOCAL_TRANSFER_FEN, type LocalFixtures } from './local/provider';

/**
 * The providers SEALFLOW_IDENTITY_PROVIDERS names, in its order, followed by any given in code
 * (a vendor's adapter). The local provider exists only when the setting names it.
 */
export function identityProvidersFor(names: readonly IdentityProviderName[], options: { vendors?: IdentityProvider[]; localPageUrl?: string } = {}): IdentityProvider[] {
  const named = names.map((name) => {
    switch (name) {
      case 'local':
        return createLocalIdentityProvider({ notForProduction: true, pageUrl: options.localPageUrl });
    }
  });
  return [...named, ...(options.vendors ?? [])];
}
