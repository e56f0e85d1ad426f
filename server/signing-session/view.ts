// What the signer's page shows of their link: who sends the contract, the parties and
// where they stand, the signer's own signature areas. Pure over a resolved link.
import { contractSender, type ContractState, type SignerState } from '../../flows';
import type { Resolved } from './links';

/** A party's place in signing as the page words it: done, refused, or still to sign. */
export type PartyState = 'signed' | 'declined' | 'waiting';

const partyState = (signer: SignerState): PartyState => (signer.status === 'signed' ? 'signed' : signer.status === 'declined' ? 'declined' : 'waiting');

/** Every party in signing order: names and states only (no contact details of the others). */
export const partiesOf = (contract: ContractState, you: SignerState) =>
  [...contract.signers]
    .sort((a, b) => a.order - b.order)
    .map((s) => ({ name: s.name, party: s.party, order: s.order, state: partyState(s), you: s.id === you.id }));

/** Where this signer's seal or signature goes in a document: page from 1 (as the page counts), PDF points from the bottom-left. */
export const areasOf = (document: ContractState['documents'][number], you: SignerState) =>
  (document.signatureAreas ?? []).filter((a) => a.signerId === you.id).map(({ page, x, y, width, height }) => ({ page: page + 1, x, y, width, height }));

/**
 * The facts the page adds to the link: the sender (as the notices name them: the hub's own
 * name if it has one, else contractSender), parties, and per document this signer's areas.
 */
export function linkFacts({ contract, signer }: Resolved, companyName: string | null) {
  return {
    sender: companyName || contractSender(contract, signer.id),
    parties: partiesOf(contract, signer),
    areas: new Map(contract.documents.map((d) => [d.id, areasOf(d, signer)])),
  };
}
