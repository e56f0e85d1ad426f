// The evidence package (证据包) for download: one contract's, or a ledger selection's with
// one folder per contract. Each is a zip a court can check without Sealflow (evidence/).
// Downloading one is recorded in the audit trail: the package carries every party's
// identity records and the whole history of the contract.
import { Type } from '@sinclair/typebox';
import { contractName, type ContractState } from '../../flows';
import { evidenceZip } from '../../evidence';
import type { PdfVerifier, SigningPlatform } from '../../signing';
import type { Store } from '../../store';
import { recordAct } from '../audit';
import type { ContractService } from '../contracts';
import { AppError } from '../errors';
import { defineRoute } from '../route';
import { MAX_SELECTION, safeName } from './bulk';

export const BulkEvidenceBody = Type.Object(
  { ids: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: MAX_SELECTION, uniqueItems: true, description: `contract ids, at most ${MAX_SELECTION}` }) },
  { additionalProperties: false },
);

const day = () => new Date().toISOString().slice(0, 10);
const zipHeaders = (filename: string, contracts: number) => ({
  'content-disposition': `attachment; filename="${filename}"`,
  'x-sealflow-contracts': String(contracts),
  'cache-control': 'no-store',
});

export function evidencePackageRoutes({ store, contracts, signing, verifier, log = console.error }: { store: Store; contracts: ContractService; signing: SigningPlatform; verifier: PdfVerifier; log?: (message: string) => void }) {
  // The signed PDFs are parsed by the verification pool's workers (with its limits), never on the event loop.
  const options = { store, rootCertificate: signing.ca.rootCertificate, readSignatures: (pdf: Uint8Array) => verifier.verify(pdf), log };
  return [
    defineRoute({
      method: 'get', path: '/api/contracts/:id/evidence.zip', tag: 'contracts', access: 'contracts.evidence',
      summary: "The contract's evidence package (证据包), streamed: originals/, signed/, evidence-report.pdf, events.json (the hash chain), certificates/, timestamps/ (RFC 3161 tokens), identity/, anchors/ (inclusion proofs), README.txt with the pyHanko / openssl / python3 commands that check each part, verify_events.py, SHA256SUMS",
      responses: { 200: { description: 'the zip', contentType: 'application/zip' }, 404: { description: 'no such contract' } },
      handler: async ({ params, actor, req }) => {
        const contract = await contracts.readable(params.id, actor!);
        await recordAct(store, { actor: actor!, req, action: 'get /api/contracts/:id/evidence.zip', target: { type: 'contract', id: contract.id } }, log);
        return { body: evidenceZip(options, [{ contract, folder: '' }]), contentType: 'application/zip', headers: zipHeaders(`evidence-${safeName(contract.id)}.zip`, 1) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/contracts/bulk/evidence.zip', tag: 'contracts', access: 'contracts.evidence', body: BulkEvidenceBody,
      summary: `The evidence packages of a selection (at most ${MAX_SELECTION}) as one zip, streamed: one folder per contract (its title), each a complete package. Ids the caller cannot see are listed in missing.txt`,
      responses: {
        200: { description: 'the zip; header x-sealflow-contracts says how many contracts it holds', contentType: 'application/zip' },
        400: { description: `no ids, repeated ids, or more than ${MAX_SELECTION}` },
        404: { description: 'none of the selection is a contract the caller may see' },
      },
      handler: async ({ body, actor, req }) => {
        const found: { contract: ContractState; folder: string }[] = [];
        const missing: string[] = [];
        const folders = new Set<string>();
        for (const id of body.ids) {
          const contract = await contracts.readable(id, actor!).catch((error: unknown) => {
            if (error instanceof AppError && error.status === 404) return null;
            throw error;
          });
          if (!contract) {
            missing.push(id);
            continue;
          }
          // Two contracts may share a title: the second folder is told apart by its id.
          let folder = safeName(contractName(contract));
          if (folders.has(folder)) folder = safeName(`${folder} (${contract.id})`);
          folders.add(folder);
          found.push({ contract, folder });
        }
        if (found.length === 0) throw new AppError('not_found', 'None of the selected contracts is one you may see', { status: 404 });
        for (const { contract } of found) await recordAct(store, { actor: actor!, req, action: 'post /api/contracts/bulk/evidence.zip', target: { type: 'contract', id: contract.id } }, log);
        const extra = missing.length ? [{ path: 'missing.txt', content: Buffer.from(`Not included (not found, or not yours to see):\r\n${missing.join('\r\n')}\r\n`, 'utf8') }] : [];
        return { body: evidenceZip(options, found, extra), contentType: 'application/zip', headers: zipHeaders(`evidence-${day()}.zip`, found.length) };
      },
    }),
  ];
}
