// Resolving a personal link to its signer and contract, and what the link may still do.
import type { ContractState, SignerState } from '../../flows';
import type { SignerLink } from '../../store';
import { AppError } from '../errors';
import type { SessionContext } from './context';

export interface Resolved {
  link: SignerLink;
  contract: ContractState;
  signer: SignerState;
}

/** What the signer's page shows: whose turn it is, in the signer's words. */
export function pageStatus({ contract, signer }: Resolved): 'pending' | 'waiting' | 'signed' | 'declined' | 'closed' {
  if (signer.status === 'signed') return 'signed';
  if (signer.status === 'declined') return 'declined';
  if (contract.status !== 'signing') return 'closed';
  return signer.status === 'waiting' ? 'waiting' : 'pending';
}

export const signerDocuments = ({ contract, signer }: Resolved) => contract.documents.filter((d) => signer.documents.includes(d.id));

const CLOSED: Partial<Record<ContractState['status'], string>> = {
  completed: 'This contract has been signed by everyone; the signing link no longer works. Your signed copy was sent to you with its own download link.',
  cancelled: 'The sender cancelled this contract; the signing link no longer works.',
  declined: 'This contract was declined; the signing link no longer works.',
  expired: 'The signing deadline of this contract passed; the signing link no longer works.',
};

/** The link behind a token, with its contract and signer; unknown → 404, past its expiry → 410. */
export async function resolveLink({ store, clock }: SessionContext, token: string): Promise<Resolved> {
  const link = await store.signerLinks.byToken(token);
  if (!link) throw new AppError('link_not_found', 'This signing link does not exist', { status: 404 });
  const contract = await store.contracts.get(link.contractId);
  const signer = contract?.signers.find((s) => s.id === link.signerId);
  if (!contract || !signer) throw new AppError('link_not_found', 'This signing link does not exist', { status: 404 });
  // A link dies with its contract's signing stage: it serves nothing and accepts nothing after.
  if (contract.status !== 'signing') {
    // The detail names why (completed, cancelled, declined, expired): the signer's page words each case.
    throw new AppError('link_closed', CLOSED[contract.status] ?? `This contract is ${contract.status}; the signing link no longer works`, { status: 410, details: [{ path: '/contract/status', message: contract.status }] });
  }
  if (Date.parse(link.expiresAt) < clock().getTime()) throw new AppError('link_expired', `This signing link expired at ${link.expiresAt}`, { status: 410 });
  return { link, contract, signer };
}

/** Open for signing (resolveLink already refused a contract past signing), and this signer's turn. */
export function mustBeOpen(resolved: Resolved) {
  const status = pageStatus(resolved);
  if (status === 'signed') throw new AppError('already_signed', 'You have already signed this contract', { status: 409 });
  if (status === 'declined') throw new AppError('not_signing', 'You declined this contract', { status: 409 });
  if (status === 'closed') throw new AppError('not_signing', `This contract is ${resolved.contract.status} and no longer open for signing`, { status: 409 });
  if (status === 'waiting') throw new AppError('not_your_turn', 'Others sign before you; you will be told when it is your turn', { status: 409 });
}
