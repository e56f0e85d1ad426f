// A signer's signed copy of a completed contract, through its own download link (sent with
// the completion notice) that expires; the signing link itself is dead by then.
import { contractName } from '../../flows';
import { AppError, notFound } from '../errors';
import type { SessionContext } from './context';

const noCopy = () => new AppError('copy_not_found', 'This download link does not exist', { status: 404 });

export async function resolveCopy({ store, clock }: SessionContext, token: string) {
  const link = await store.signerLinks.copyByToken(token);
  if (!link) throw noCopy();
  if (Date.parse(link.expiresAt) < clock().getTime()) {
    throw new AppError('copy_expired', `This download link expired at ${link.expiresAt}; ask the sender for your signed copy`, { status: 410 });
  }
  const contract = await store.contracts.get(link.contractId);
  const signer = contract?.signers.find((s) => s.id === link.signerId);
  if (!contract || !signer) throw noCopy();
  if (contract.status !== 'completed') throw new AppError('copy_not_ready', `This contract is ${contract.status}; there is no signed copy`, { status: 409 });
  const documents = contract.documents.filter((d) => signer.documents.includes(d.id));
  return { link, contract, signer, documents };
}

export async function copyView(ctx: SessionContext, token: string) {
  const { link, contract, documents } = await resolveCopy(ctx, token);
  return {
    contract: { id: contract.id, title: contractName(contract), status: contract.status },
    expiresAt: link.expiresAt,
    documents: documents.map((d) => ({ id: d.id, title: d.title, sha256: d.sha256, url: `/api/copies/${token}/${d.id}.pdf` })),
  };
}

export async function copyDocument(ctx: SessionContext, token: string, documentId: string): Promise<{ content: Uint8Array; sha256: string }> {
  const { documents } = await resolveCopy(ctx, token);
  const doc = documents.find((d) => d.id === documentId);
  const stored = doc ? await ctx.store.documents.get(doc.sha256) : null;
  if (!doc || !stored) throw notFound(`Document "${documentId}"`);
  return { content: stored.content, sha256: doc.sha256 };
}
