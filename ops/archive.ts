// The backup archive: a ZIP (yazl writes it, yauzl reads it: both already used by the hub, and
// ZIP lets restore check every entry before it writes anything) holding manifest.json first,
// then the entries the manifest lists, each with its size and SHA-256. Reading checks the
// manifest's format, that the entries are exactly those listed, and every checksum, while it
// extracts into a scratch folder: a damaged, truncated or altered archive is refused before
// restore touches the target.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';

export const ARCHIVE_FORMAT = 'sealflow-backup';
export const ARCHIVE_VERSION = 1;

export interface ManifestEntry {
  /** Path inside the archive, e.g. `database/sealflow.db`, `data/master-key`. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  createdAt: string;
  /** The Sealflow version that wrote it (package.json). */
  sealflow: string;
  dialect: 'sqlite' | 'postgres';
  /** Migrations the database had: restore rebuilds (PostgreSQL) or checks (SQLite) this level. */
  migrations: string[];
  /** Rows per table (PostgreSQL) or of the main tables (SQLite), for the person restoring. */
  rows: Record<string, number>;
  entries: ManifestEntry[];
}

/** Refused archive: what is wrong, in words for the person restoring. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

/** SHA-256 and size of a file, streamed. */
export async function digestFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Writes the archive to `file` from files in a scratch folder (`files`: archive path → file).
 * It is written beside the target first and renamed into place, so `file` is never half an archive.
 */
export async function writeArchive(file: string, manifest: Omit<Manifest, 'entries'>, files: Map<string, string>): Promise<Manifest> {
  const entries: ManifestEntry[] = [];
  for (const [path, source] of files) entries.push({ path, ...(await digestFile(source)) });
  const full: Manifest = { ...manifest, entries };
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(full, null, 2) + '\n'), 'manifest.json');
  // PDFs and SQLite pages compress a little; the default level costs little time.
  for (const [path, source] of files) zip.addFile(source, path);
  zip.end();
  const partial = `${file}.partial`;
  await mkdir(dirname(file), { recursive: true });
  try {
    await pipeline(zip.outputStream, createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return full;
}

const openZip = (file: string) =>
  new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true }, (error, zip) => (error ? reject(error) : resolve(zip!))),
  );

function checkManifest(value: unknown): Manifest {
  const m = value as Partial<Manifest> | null;
  if (!m || m.format !== ARCHIVE_FORMAT) throw new ArchiveError('this is not a Sealflow backup (its manifest.json does not say format "sealflow-backup")');
  if (m.version !== ARCHIVE_VERSION) throw new ArchiveError(`this backup has format version ${String(m.version)}; this Sealflow reads version ${ARCHIVE_VERSION}`);
  if (m.dialect !== 'sqlite' && m.dialect !== 'postgres') throw new ArchiveError(`the manifest names an unknown database "${String(m.dialect)}"`);
  if (!Array.isArray(m.migrations) || m.migrations.length === 0 || !m.migrations.every((x) => typeof x === 'string')) throw new ArchiveError('the manifest lists no migrations: it was not written by `sealflow backup`');
  if (!Array.isArray(m.entries) || !m.entries.every((e) => e && typeof e.path === 'string' && /^[0-9a-f]{64}$/.test(e.sha256) && Number.isSafeInteger(e.bytes))) throw new ArchiveError('the manifest\'s list of entries is malformed');
  return m as Manifest;
}

/**
 * Opens `file`, checks its manifest and extracts every listed entry into `into`, checking sizes
 * and SHA-256s on the way. Throws ArchiveError (nothing is kept in `into` then) for anything
 * that is not exactly what `sealflow backup` wrote.
 */
export async function readArchive(file: string, into: string): Promise<{ manifest: Manifest; files: Map<string, string> }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (error) {
    throw new ArchiveError(`the archive cannot be read as a ZIP (damaged or truncated?): ${(error as Error).message}`);
  }
  const files = new Map<string, string>();
  try {
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push(entry);
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
    const open = (entry: yauzl.Entry) =>
      new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream!))));

    const manifestEntry = entries.find((e) => e.fileName === 'manifest.json');
    if (!manifestEntry) throw new ArchiveError('the archive has no manifest.json: it was not written by `sealflow backup`');
    const chunks: Buffer[] = [];
    for await (const chunk of await open(manifestEntry)) chunks.push(chunk as Buffer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ArchiveError('the archive\'s manifest.json is not JSON (damaged?)');
    }
    const manifest = checkManifest(parsed);

    const listed = new Set(manifest.entries.map((e) => e.path));
    const extra = entries.filter((e) => e.fileName !== 'manifest.json' && !listed.has(e.fileName)).map((e) => e.fileName);
    if (extra.length) throw new ArchiveError(`the archive holds entries its manifest does not list: ${extra.join(', ')}`);
    for (const expected of manifest.entries) {
      const entry = entries.find((e) => e.fileName === expected.path);
      if (!entry) throw new ArchiveError(`the archive lacks ${expected.path}, which its manifest lists`);
      const target = normalize(join(into, expected.path));
      if (!target.startsWith(normalize(into) + '/')) throw new ArchiveError(`the manifest names a path outside the archive: ${expected.path}`);
      await mkdir(dirname(target), { recursive: true });
      const hash = createHash('sha256');
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      try {
        await pipeline(await open(entry), counter, createWriteStream(target));
      } catch (error) {
        throw new ArchiveError(`${expected.path} cannot be read from the archive (damaged?): ${(error as Error).message}`);
      }
      const sha256 = hash.digest('hex');
      if (bytes !== expected.bytes || sha256 !== expected.sha256) {
        throw new ArchiveError(`${expected.path} does not match the manifest (${bytes} bytes, SHA-256 ${sha256.slice(0, 16)}…; the manifest says ${expected.bytes} bytes, ${expected.sha256.slice(0, 16)}…): the archive is damaged or was altered`);
      }
      files.set(expected.path, target);
    }
    return { manifest, files };
  } catch (error) {
    await rm(into, { recursive: true, force: true });
    throw error;
  } finally {
    zip.close();
  }
}
