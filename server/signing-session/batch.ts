// 批量签署 and single signing alike: every requirement of the flow, checked for every link
// before any is used.
import type { Seal, User } from '../../store';
import { contractOwner, requiredIdentity } from '../../flows';
import { maskMobile } from '../../notify';
import { AppError } from '../errors';
import { batchError, inBatch, rethrow } from './batch-errors';
import { checkOtp, useOtp } from './codes';
import type { SessionContext } from './context';
import { mustBeOpen, resolveLink, type Resolved } from './links';
import { unread } from './reads';
import { mustMayUseSeal, type SealCredentials, sealHolder } from './seals';

/** What the signer's page shows of real-name verification: the level asked, and the record that proves it (null until one does). */
export async function identityView(ctx: SessionContext, { contract, signer }: Resolved) {
  const level = requiredIdentity(signer);
  if (!level) return null;
  const record = await ctx.identity.recordFor(contract.id, signer, ctx.clock());
  return { level, verified: record !== null, record: record ? { level: record.level, method: record.method, provider: record.provider, name: record.subject.name, verifiedAt: record.verifiedAt, expiresAt: record.expiresAt } : null };
}

/**
 * A signer whose flow asks a level signs only with a bound record that proves it now (the one
 * their certificate will name); the retired verify 'face' asks level face. Returns the intent part.
 */
async function mustBeVerified(ctx: SessionContext, { contract, signer }: Resolved): Promise<string | null> {
  const level = requiredIdentity(signer);
  if (!level) return null;
  const record = await ctx.identity.recordFor(contract.id, signer, ctx.clock());
  if (!record) {
    throw new AppError('identity_required', `Verify your identity (实名认证, level ${level}) before signing`, { status: 409, details: [{ path: '/identity', message: `needs a verified identity at level ${level}` }] });
  }
  return `identity ${record.level} by ${record.method} via ${record.provider} (${record.id})`;
}

/** At most this many contracts in one batch. */
export const BATCH_MAX = 50;

/** What the signer sends to sign, one contract or a batch. */
export interface SignRequest extends SealCredentials {
  otp?: string;
}

/** The links of a batch, each resolved; an unknown, expired or repeated token is named by its path. */
export async function resolveBatch(ctx: SessionContext, tokens: string[]): Promise<Resolved[]> {
  const batch: Resolved[] = [];
  for (const [i, token] of tokens.entries()) {
    const first = tokens.indexOf(token);
    if (first !== i) throw new AppError('invalid_body', `/tokens/${i} repeats /tokens/${first}`, { details: [{ path: `/tokens/${i}`, message: `repeats /tokens/${first}` }] });
    try {
      batch.push(await resolveLink(ctx, token));
    } catch (error) {
      inBatch(i, error);
    }
  }
  return batch;
}

/**
 * Everything the flow asks of each signer, checked for every link before any is used:
 * open for signing and their turn, every page read, the seal and who applies it, then
 * the verified identity the level asks, then the one code (a wrong code counts against each link it was meant for).
 * Only when all of that holds are the codes used up. Returns each link's intent.
 */
export async function readyToSign(ctx: SessionContext, batch: Resolved[], request: SignRequest, { asBatch }: { asBatch: boolean }): Promise<string[]> {
  const blame = asBatch ? inBatch : rethrow;
  const intents = batch.map(() => (asBatch ? ['personal link', `batch of ${batch.length}`] : ['personal link']));
  let holder: User | undefined;
  const seals = new Map<string, Seal | null>();
  for (const [i, resolved] of batch.entries()) {
    const { signer } = resolved;
    try {
      mustBeOpen(resolved);
      if (signer.mustRead) {
        const missing = await unread(ctx, resolved);
        if (missing.length) throw new AppError('not_read', 'Read every page of every document before signing', { status: 409, details: missing });
        intents[i].push('read every page');
      }
      if (signer.seal) {
        holder ??= await sealHolder(ctx.store, request, signer.seal);
        // The contract's tenant's seal of that name; no other tenant's.
        const tenantId = contractOwner(resolved.contract).tenantId;
        const sealKey = `${tenantId}\n${signer.seal}`;
        if (!seals.has(sealKey)) seals.set(sealKey, await ctx.store.seals.get(tenantId, signer.seal));
        mustMayUseSeal(seals.get(sealKey)!, signer.seal, holder, signer);
        intents[i].push(`seal ${signer.seal} by ${holder.name} (${holder.id})`);
      }
      const identity = await mustBeVerified(ctx, resolved);
      if (identity) intents[i].push(identity);
    } catch (error) {
      blame(i, error);
    }
  }

  const wrong: [number, unknown][] = [];
  for (const [i, { signer, link }] of batch.entries()) {
    if (signer.verify !== 'sms-otp') continue;
    try {
      await checkOtp(ctx, link, request.otp);
      intents[i].push(`sms-otp to ${maskMobile(signer.mobile ?? '')}`);
    } catch (error) {
      wrong.push([i, error]);
    }
  }
  if (wrong.length && !asBatch) blame(...wrong[0]);
  // The same code was wrong for each link it was meant for: say so for all of them.
  if (wrong.length) throw batchError(wrong[0][0], wrong[0][1], wrong.slice(1).map(([i, e]) => ({ path: `/tokens/${i}`, message: (e as Error).message })));

  for (const { signer, link } of batch) if (signer.verify === 'sms-otp') await useOtp(ctx, link);
  return intents.map((parts) => parts.join(' + '));
}
