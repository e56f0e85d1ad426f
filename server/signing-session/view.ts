// What the signer's page shows of their link: who sends the contract, the parties and
// where they stand, the signer's own signature areas. Pure over a resolved link.
import type { ContractState, SignerState } from '../../flows';
import type { Resolved } from './links';

/** A party's place in signing as the page words it: done, refused, or still to sign. */
export type PartyState = 'signed' | 'declined' | 'waiting';

const partyState = (signer: SignerState): PartyState => (signer.status === 'signed' ? 'signed' : signer.status === 'declined' ? 'declined' : 'waiting');

/**
 * Who sends the contract: the company that signs with a seal managed in this hub (the
 * hub's own side), else the first company among the other parties; null when neither.
 */
export function senderOf(contract: ContractState, you: SignerState): string | null {
  const others = [...contract.signers].filter((s) => s.id !== you.id).sort((a, b) => a.order - b.order);
  return (others.find((s) => s.seal !== null) ?? others.find((s) => s.party === 'company'))?.name ?? null;
}

/** Every party in signing order: names and states only (no contact details of the others). */
export const partiesOf = (contract: ContractState, you: SignerState) =>
  [...contract.signers]
    .sort((a, b) => a.order - b.order)
    .map((s) => ({ name: s.name, party: s.party, order: s.order, state: partyState(s), you: s.id === you.id }));

/** Where this signer's seal or signature goes in a document: page from 1 (as the page counts), PDF points from the bottom-left. */
export const areasOf = (document: ContractState['documents'][number], you: SignerState) =>
  (document.signatureAreas ?? []).filter((a) => a.signerId === you.id).map(({ page, x, y, width, height }) => ({ page: page + 1, x, y, width, height }));

/** The facts the page adds to the link: sender, parties, and per document this signer's areas. */
export function linkFacts({ contract, signer }: Resolved) {
  return {
    sender: senderOf(contract, signer),
    parties: partiesOf(contract, signer),
    areas: new Map(contract.documents.map((d) => [d.id, areasOf(d, signer)])),
  };
}
