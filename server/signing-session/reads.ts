// mustRead: the pages a signer has scrolled through, and which are still unread.
import type { ErrorDetail } from '../errors';
import { AppError } from '../errors';
import type { SessionContext } from './context';
import { signerDocuments, type Resolved } from './links';

export async function unread({ store }: SessionContext, resolved: Resolved): Promise<ErrorDetail[]> {
  const read = await store.signerLinks.pagesRead(resolved.link.tokenHash);
  return signerDocuments(resolved).flatMap((doc) => {
    const missing = Array.from({ length: doc.pages }, (_, i) => i + 1).filter((page) => !read[doc.id]?.includes(page));
    return missing.length ? [{ path: `/documents/${doc.id}`, message: `pages ${missing.join(', ')} not read yet` }] : [];
  });
}

/** Records one page read; the document must be the signer's and the page within it. */
export async function markRead(ctx: SessionContext, resolved: Resolved, { document, page }: { document: string; page: number }) {
  const doc = signerDocuments(resolved).find((d) => d.id === document);
  if (!doc) throw new AppError('invalid_body', `"${document}" is not one of your documents`, { details: [{ path: '/document', message: 'names none of your documents' }] });
  if (page > doc.pages) throw new AppError('invalid_body', `"${document}" has ${doc.pages} pages`, { details: [{ path: '/page', message: `must be at most ${doc.pages}` }] });
  await ctx.store.signerLinks.markRead(resolved.link.tokenHash, doc.id, page);
  return { read: await ctx.store.signerLinks.pagesRead(resolved.link.tokenHash), complete: (await unread(ctx, resolved)).length === 0 };
}
