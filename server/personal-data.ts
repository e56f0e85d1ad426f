// Signers' ID numbers and mobiles are shown masked to everyone who does not need them
// (server/access.ts seesPersonalData): enough to recognise a person, not to reuse the number.
import type { ContractState } from '../flows';

/** 138****5678: the operator prefix and the last four. */
export function maskMobile(mobile: string): string {
  return mobile.length <= 7 ? '*'.repeat(mobile.length) : `${mobile.slice(0, 3)}${'*'.repeat(mobile.length - 7)}${mobile.slice(-4)}`;
}

/** 1101**********123X: the region's first four and the last four. */
export function maskIdNumber(id: string): string {
  return id.length <= 8 ? '*'.repeat(id.length) : `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/** Values that are a mainland mobile or a resident ID number whoever they belong to (before signing, signers are not known yet). */
const MOBILE = /^(?:\+?86)?1[3-9]\d{9}$/;
const ID_NUMBER = /^\d{17}[\dXx]$/;

function replaceDeep(value: unknown, masks: Map<string, string>): unknown {
  if (typeof value === 'string') return masks.get(value) ?? (MOBILE.test(value) ? maskMobile(value) : ID_NUMBER.test(value) ? maskIdNumber(value) : value);
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item, masks));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceDeep(item, masks)]));
  return value;
}

/**
 * The contract with every signer's ID number and mobile masked, wherever they appear: in the
 * signers and in the contract data they were taken from (any field holding the same value,
 * or any value shaped like a mobile or an ID number).
 */
export function maskContract(contract: ContractState): ContractState {
  const masks = new Map<string, string>();
  for (const signer of contract.signers) {
    if (signer.mobile) masks.set(signer.mobile, maskMobile(signer.mobile));
    if (signer.idNumber) masks.set(signer.idNumber, maskIdNumber(signer.idNumber));
  }
  return {
    ...contract,
    data: replaceDeep(contract.data, masks) as Record<string, unknown>,
    signers: contract.signers.map((s) => ({ ...s, mobile: s.mobile && maskMobile(s.mobile), idNumber: s.idNumber && maskIdNumber(s.idNumber) })),
    timeline: contract.timeline.map((event) => {
      let message = event.message;
      for (const [value, masked] of masks) message = message.split(value).join(masked);
      return message === event.message ? event : { ...event, message };
    }),
  };
}
