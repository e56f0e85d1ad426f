// Bulk actions on a ledger selection: nudge every contract's pending signers (each contract
// gets its own outcome; one refusal never stops the batch), and download the signed PDFs
// of the selection as one zip, streamed. Contracts the caller may not see are treated as
// contracts that do not exist.
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { ZipFile } from 'yazl';
import { contractName, type ContractState } from '../../flows';
import type { Store } from '../../store';
import type { ContractService } from '../contracts';
import { AppError } from '../errors';
import { recordAct } from '../audit';
import { defineRoute } from '../route';
import type { SigningSession } from '../signing-session';

/** A selection is at most this many contracts (a ledger page at its largest). */
export const MAX_SELECTION = 200;

const Selection = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: MAX_SELECTION, uniqueItems: true, description: `contract ids, at most ${MAX_SELECTION}` });
export const BulkNudgeBody = Type.Object({ ids: Selection }, { additionalProperties: false });
export const BulkZipBody = Type.Object({ ids: Selection }, { additionalProperties: false });

export type NudgeOutcome =
  | { id: string; outcome: 'nudged'; signers: string[] }
  | { id: string; outcome: 'not_found' | 'nothing_to_nudge' | 'rate_limited' | 'failed'; code: string; message: string };

/** How many contracts are nudged at once: each is a Temporal update. */
const NUDGE_CONCURRENCY = 4;

/** What a refusal of one contract's nudge means for the batch. */
function outcomeOf(id: string, error: unknown): NudgeOutcome {
  if (!(error instanceof AppError)) return { id, outcome: 'failed', code: 'internal', message: 'Something went wrong on our side; it has been logged.' };
  const outcome = error.status === 404 ? 'not_found' : error.status === 429 ? 'rate_limited' : error.status === 409 ? 'nothing_to_nudge' : 'failed';
  return { id, outcome, code: error.code, message: error.message };
}

/** A title as a zip folder name: no path separators, no control characters, not empty. (The evidence package names its folders so too.) */
export const safeName = (name: string) => name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').replace(/^\.+/, '_').trim().slice(0, 120) || '_';

/** The signed versions of a contract's documents: those that carry at least one signature. */
const signedDocuments = (contract: ContractState) => contract.documents.filter((d) => (d.signedBy?.length ?? 0) > 0);

export function bulkRoutes({ store, contracts, session, log = console.error }: { store: Store; contracts: ContractService; session: SigningSession; log?: (message: string) => void }) {
  return [
    defineRoute({
      method: 'post', path: '/api/contracts/bulk/nudge', tag: 'contracts', access: 'contracts.act', body: BulkNudgeBody,
      summary: `催办 for a selection (at most ${MAX_SELECTION}): each contract's pending signers are reminded; each id gets its own outcome (nudged, not_found, nothing_to_nudge, rate_limited, failed)`,
      responses: { 200: { description: '{results: [{id, outcome, signers | code, message}], counts}' }, 400: { description: `no ids, repeated ids, or more than ${MAX_SELECTION}` } },
      handler: async ({ body, actor, req }) => {
        const results: NudgeOutcome[] = new Array(body.ids.length);
        let next = 0;
        const worker = async () => {
          for (let i = next++; i < body.ids.length; i = next++) {
            const id = body.ids[i];
            try {
              await contracts.readable(id, actor!);
              const { nudged } = await session.nudge(id, { actor: actor!, signerId: null });
              results[i] = { id, outcome: 'nudged', signers: nudged };
              // The contract's own trail entry, so that searching the trail for this contract finds the bulk nudge.
              await recordAct(store, { actor: actor!, req, action: 'post /api/contracts/bulk/nudge', target: { type: 'contract', id }, details: { signers: nudged } }, log);
            } catch (error) {
              if (!(error instanceof AppError)) log(`[bulk nudge] ${id}: ${(error as Error)?.stack ?? String(error)}`);
              results[i] = outcomeOf(id, error);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(NUDGE_CONCURRENCY, body.ids.length) }, worker));
        const counts: Record<string, number> = { nudged: 0, not_found: 0, nothing_to_nudge: 0, rate_limited: 0, failed: 0 };
        for (const result of results) counts[result.outcome]++;
        return { body: { results, counts } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/bulk/signed.zip', tag: 'contracts', access: 'contracts.read', body: BulkZipBody,
      summary: `The signed PDFs of a selection (at most ${MAX_SELECTION}) as one zip, streamed: <contract title>/<document>.pdf (UTF-8 names). Ids the caller cannot see, or without signed documents, are listed in missing.txt`,
      responses: {
        200: { description: 'the zip; header x-sealflow-contracts says how many contracts it holds', contentType: 'application/zip' },
        400: { description: `no ids, repeated ids, or more than ${MAX_SELECTION}` },
        404: { description: 'none of the selection has signed documents the caller may see' },
      },
      handler: async ({ body, actor }) => {
        const found: ContractState[] = [];
        const missing: string[] = [];
        for (const id of body.ids) {
          const contract = await contracts.readable(id, actor!).catch((error: unknown) => {
            if (error instanceof AppError && error.status === 404) return null;
            throw error;
          });
          if (contract && signedDocuments(contract).length) found.push(contract);
          else missing.push(id);
        }
        if (found.length === 0) throw new AppError('not_found', 'None of the selected contracts has signed documents you may see', { status: 404 });

        const zip = new ZipFile();
        const folders = new Set<string>();
        for (const contract of found) {
          // Two contracts may share a title: the second folder is told apart by its id.
          let folder = safeName(contractName(contract));
          if (folders.has(folder)) folder = safeName(`${folder} (${contract.id})`);
          folders.add(folder);
          const files = new Set<string>();
          for (const document of signedDocuments(contract)) {
            let file = safeName(document.title ?? document.id);
            if (files.has(file)) file = safeName(`${file} (${document.id})`);
            files.add(file);
            // Read from the store only when the zip gets to this entry: one PDF in memory at a time. PDFs are compressed already.
            zip.addReadStreamLazy(`${folder}/${file}.pdf`, { compress: false, mtime: new Date(document.generatedAt) }, (done) => {
              store.documents.get(document.sha256).then(
                (stored) => (stored ? done(null, Readable.from([Buffer.from(stored.content)])) : done(new Error(`document ${document.sha256} is missing from the store`), null as never)),
                (error: unknown) => done(error, null as never),
              );
            });
          }
        }
        if (missing.length) zip.addBuffer(Buffer.from(`Not included (not found, not yours to see, or nothing signed yet):\r\n${missing.join('\r\n')}\r\n`, 'utf8'), 'missing.txt');
        zip.end();
        return {
          body: Readable.from(zip.outputStream),
          contentType: 'application/zip',
          headers: { 'content-disposition': `attachment; filename="signed-${new Date().toISOString().slice(0, 10)}.zip"`, 'x-sealflow-contracts': String(found.length), 'cache-control': 'no-store' },
        };
      },
    }),
  ];
}
