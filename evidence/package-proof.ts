// `sealflow prove --package x.zip`: the anchor proofs of an evidence package checked offline,
// from the zip alone — the events recomputed into their chain, each proof's leaf hashed up to
// its root, each root's token checked against the trust anchors given (by default the root
// certificate inside the package, which proves only that the package agrees with itself:
// pass the root the platform publishes with --trust). yauzl reads the zip; entries are
// bounded in number and size, since a package may come from anyone.
import yauzl from 'yauzl';
import { chainEvents, verifyEventChain, type ChainedEvent } from '../signing';
import { proveChain, type AnchorProof, type ContractProof } from './anchoring';

const MAX_ENTRIES = 100_000;
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** The small files of a zip (events, proofs, tokens, certificates), by path; PDFs are skipped. */
async function readZip(path: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(path, { lazyEntries: true, strictFileNames: true }, (error, file) => (error ? reject(error) : resolve(file!))));
  const files = new Map<string, Buffer>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (files.size >= MAX_ENTRIES) return reject(new Error(`the zip has more than ${MAX_ENTRIES} entries`));
        if (entry.fileName.endsWith('/') || entry.fileName.endsWith('.pdf')) return zip.readEntry();
        if (entry.uncompressedSize > MAX_ENTRY_BYTES) return reject(new Error(`${entry.fileName} is larger than ${MAX_ENTRY_BYTES} bytes`));
        zip.openReadStream(entry, (error, stream) => {
          if (error || !stream) return reject(error);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return files;
}

const pemCertificates = (pem: string): Uint8Array[] => [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));

export interface PackageProof extends ContractProof {
  /** The folder of the contract inside the zip ('' at the top). */
  folder: string;
  chain: { ok: true; head: string } | { ok: false; brokenAt: number; reason: string };
  trust: 'given' | 'package';
}

/** Every contract of the package (a selection holds one per folder), each proved on its own. */
export async function provePackage(zipPath: string, trustPem: string | null): Promise<PackageProof[]> {
  const files = await readZip(zipPath);
  const folders = [...files.keys()].filter((name) => name === 'events.json' || name.endsWith('/events.json')).map((name) => name.slice(0, -'events.json'.length));
  if (folders.length === 0) throw new Error('this zip holds no events.json: not a Sealflow evidence package');
  return folders.map((folder) => {
    const events = JSON.parse(files.get(`${folder}events.json`)!.toString('utf8')) as { contractId: string; genesis: string; head: string; events: ChainedEvent[] };
    const chain = verifyEventChain(events.events, { genesis: events.genesis, head: events.head });
    const anchors = [...files.keys()].filter((name) => name.startsWith(`${folder}anchors/`) && name.endsWith('.json'));
    const proofs = anchors.map((name) => ({ proof: JSON.parse(files.get(name)!.toString('utf8')) as AnchorProof, token: new Uint8Array(files.get(name.replace(/\.json$/, '.tsr')) ?? Buffer.alloc(0)) }));
    const trust = pemCertificates(trustPem ?? files.get(`${folder}certificates/root.pem`)?.toString('utf8') ?? '');
    // The proofs are checked against the hashes the events' content gives, never the hashes they claim.
    let rehashed: { seq: number; hash: string }[] = [];
    try {
      rehashed = chainEvents(events.events.map(({ hash: _hash, prevHash: _prev, ...event }) => event), { genesis: events.genesis });
    } catch {
      // events out of order: chain.reason says so, and nothing is proved
    }
    const proof = proveChain(events.contractId, rehashed, proofs, trust);
    if (!chain.ok) proof.problems.unshift(`events.json: ${chain.reason}`);
    return { ...proof, ok: proof.ok && chain.ok, folder: folder.replace(/\/$/, ''), chain, trust: trustPem ? 'given' : 'package' };
  });
}
