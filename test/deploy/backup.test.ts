// Backup and restore as an operator does it: a hub with a completed, signed contract is backed
// up while it runs, the archive is restored into a fresh empty database and data folder, and a
// hub on the restored copy (its API server, with the restored master key) shows the contract,
// serves the signed PDF byte for byte and verifies its signatures. A damaged or altered archive
// is refused and leaves the target as it was.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ZipFile } from 'yazl';
import { pipeline } from 'node:stream/promises';
import { createNotifier } from '../../notify';
import { backup, readArchive, restore } from '../../ops';
import { createApp } from '../../server';
import { keyRecordsIn, openSigningPlatform } from '../../signing';
import { openStore, postgresState, sqliteHasData, type Store } from '../../store';
import { createDocumentRenderer } from '../../templates';
import { createDocumentService } from '../../workflows';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { prepareQuickSigning, quickContract } from '../server/ops-fixtures';

/** Rewrites an archive with one entry's bytes changed and its manifest left as it was: what an altered backup looks like. */
async function alter(file: string, into: string, entry: string): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'sealflow-alter-'));
  const { manifest, files } = await readArchive(file, scratch);
  const bytes = readFileSync(files.get(entry)!);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  writeFileSync(files.get(entry)!, bytes);
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(manifest)), 'manifest.json');
  for (const [path, local] of files) zip.addFile(local, path);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(into));
  await rm(scratch, { recursive: true, force: true });
  return into;
}

describe.each(dialects)('backup and restore on %s', (dialect) => {
  let hub: TestHub;
  let scratch: string;
  let sourceDir: string;
  let contract: any;
  let signedPdf: Buffer;
  let archive: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    hub = await startTestHub({ dialect });
    scratch = await mkdtemp(join(tmpdir(), 'sealflow-backup-test-'));
    // The data folder as `npm start` leaves it: the master key and admin token beside the database.
    sourceDir = join(scratch, 'data');
    mkdirSync(sourceDir);
    writeFileSync(join(sourceDir, 'master-key'), `${hub.masterKey.toString('hex')}\n`, { mode: 0o600 });
    writeFileSync(join(sourceDir, 'admin-token'), `${hub.adminToken}\n`, { mode: 0o600 });
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await hub?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** An empty database and data folder, as on a new machine. */
  async function freshTarget(): Promise<{ database: TestDatabase; dataDir: string }> {
    const database = await createTestDatabase(dialect);
    cleanups.push(() => database.drop());
    return { database, dataDir: await mkdtemp(join(scratch, 'restored-')) };
  }

  it('backs up the running hub, with a completed and signed contract, into one archive with a checksummed manifest', { timeout: 240_000 }, async () => {
    const token = async (name: string, roles: string[]) => (await hub.store.users.create({ tenantId: 'default', name, roles, orgUnit: null })).token;
    const sealKeeper = await hub.store.users.create({ tenantId: 'default', name: '钱印章', roles: [], orgUnit: null });
    const cast = { starter: await token('采购员小李', ['business-user']), manager: await token('王经理', ['dept-manager']), finance: await token('赵总监', ['finance-director']), sealKeeper: sealKeeper.token };
    await prepareQuickSigning(hub, sealKeeper.user.id);
    contract = await quickContract(hub, cast, `PO-BACKUP-${randomBytes(3).toString('hex')}`, { sign: true });
    const pdf = await fetch(`${hub.url}/api/contracts/${contract.id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${hub.adminToken}` } });
    expect(pdf.status).toBe(200);
    signedPdf = Buffer.from(await pdf.arrayBuffer());
    archive = join(scratch, 'sealflow-backup.zip');
    const started = Date.now();
    const { manifest, missingFiles } = await backup({ dataDir: sourceDir, database: hub.store.location }, archive);
    console.log(`[backup ${dialect}] ${Date.now() - started} ms, ${readFileSync(archive).length} bytes, rows ${JSON.stringify(manifest.rows)}`);
    expect(missingFiles).toEqual([]);
    expect(manifest).toMatchObject({ format: 'sealflow-backup', version: 1, dialect });
    expect(manifest.rows.contracts).toBeGreaterThanOrEqual(1);
    expect(manifest.rows.documents).toBeGreaterThanOrEqual(1);
    expect(manifest.entries.map((e) => e.path)).toEqual(expect.arrayContaining(['data/master-key', 'data/admin-token']));
    for (const entry of manifest.entries) expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('restores into a fresh database and data folder: a hub on it shows the contract, serves its signed PDF byte for byte, and the PDF verifies', async () => {
    const target = await freshTarget();
    const started = Date.now();
    const { rows } = await restore({ dataDir: target.dataDir, database: target.database.options }, archive);
    console.log(`[restore ${dialect}] ${Date.now() - started} ms, rows ${JSON.stringify(rows)}`);

    // The restored hub: its own store on the restored database, keys from the restored data folder.
    const masterKey = Buffer.from(readFileSync(join(target.dataDir, 'master-key'), 'utf8').trim(), 'hex');
    const adminToken = readFileSync(join(target.dataDir, 'admin-token'), 'utf8').trim();
    expect(masterKey.equals(hub.masterKey)).toBe(true);
    const store: Store = await openStore(target.database.options);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const signing = await openSigningPlatform({ masterKey, keyRecords: keyRecordsIn(store.signingKeys) });
    const app = createApp({
      store, client: new Client({ connection, namespace: 'default' }), signing, masterKey, adminToken,
      taskQueue: hub.taskQueue, contractIdScope: hub.taskQueue, namespace: 'default',
      documents: createDocumentService({ store, renderer: createDocumentRenderer() }), notifier: createNotifier({ store, outbox: true }),
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await connection.close();
      await store.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (path: string) => fetch(url + path, { headers: { authorization: `Bearer ${adminToken}` } });

    const shown = await get(`/api/contracts/${contract.id}`);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ id: contract.id, title: contract.title, status: 'completed' });
    const listed = (await (await get(`/api/contracts?q=${encodeURIComponent(contract.sourceKey ?? contract.title)}`)).json()) as any;
    expect(listed.total).toBe(1);

    const pdf = await get(`/api/contracts/${contract.id}/documents/contract.pdf`);
    expect(pdf.status).toBe(200);
    const restoredPdf = Buffer.from(await pdf.arrayBuffer());
    expect(restoredPdf.equals(signedPdf)).toBe(true);

    const verified = await fetch(`${url}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: restoredPdf });
    expect(verified.status).toBe(200);
    const report = (await verified.json()) as any;
    expect(report.signatures.length).toBeGreaterThanOrEqual(2);
    expect(report.valid, JSON.stringify(report.problems)).toBe(true);
    // The restored signing keys open with the restored master key: the platform still signs.
    expect(signing.rootCertificatePem).toBe(hub.signing.rootCertificatePem);
  });

  it('refuses an archive with one altered byte, and a truncated one, and writes nothing', async () => {
    const altered = await alter(archive, join(scratch, 'altered.zip'), dialect === 'sqlite' ? 'database/sealflow.db' : (await readArchive(archive, await mkdtemp(join(scratch, 'peek-')))).manifest.entries.find((e) => e.path.endsWith('-documents.jsonl'))!.path);
    const truncated = join(scratch, 'truncated.zip');
    const whole = readFileSync(archive);
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));

    for (const [file, reason] of [[altered, /does not match the manifest .* damaged or was altered/], [truncated, /cannot be read as a ZIP|damaged/]] as const) {
      const target = await freshTarget();
      await expect(restore({ dataDir: target.dataDir, database: target.database.options }, file)).rejects.toMatchObject({ name: 'ArchiveError', message: expect.stringMatching(reason) });
      expect(existsSync(join(target.dataDir, 'master-key'))).toBe(false);
      if (dialect === 'sqlite') expect(existsSync(target.database.options.sqlitePath!)).toBe(false);
      else expect(await postgresState(target.database.options.databaseUrl!)).toEqual({ level: [], hasData: false });
    }
  });

  it('backs up while the hub keeps writing: the archive is one snapshot and restores', async () => {
    const before = (await hub.store.outbox.list({ to: 'busy@example.com', limit: 1000 })).length;
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await hub.store.outbox.add({ channel: 'inbox', to: 'busy@example.com', subject: `写入 ${written}`, body: 'during the backup', contractId: null }, `busy-${randomBytes(6).toString('hex')}`);
        written++;
        // As a hub's writes come, between other I/O (a loop of SQLite writes alone would never let the backup's steps run).
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const file = join(scratch, 'busy.zip');
    try {
      await backup({ dataDir: sourceDir, database: hub.store.location }, file);
    } finally {
      writing = false;
      await writer;
    }
    expect(written).toBeGreaterThan(0);
    const target = await freshTarget();
    await restore({ dataDir: target.dataDir, database: target.database.options }, file);
    const store = await openStore(target.database.options);
    try {
      const copied = (await store.outbox.list({ to: 'busy@example.com', limit: 1000 })).length;
      expect(copied).toBeGreaterThanOrEqual(before);
      expect(copied).toBeLessThanOrEqual(before + written);
      // The restored hub goes on writing: numbered rows continue after the restored ones
      await store.outbox.add({ channel: 'inbox', to: 'busy@example.com', subject: 'after the restore', body: 'new', contractId: null }, `after-${randomBytes(6).toString('hex')}`);
      expect((await store.outbox.list({ to: 'busy@example.com', limit: 1000 })).length).toBe(copied + 1);
    } finally {
      await store.close();
    }
  });

  it('refuses to restore over a database that is in use unless told to (--force)', async () => {
    const target = await freshTarget();
    await restore({ dataDir: target.dataDir, database: target.database.options }, archive);
    await expect(restore({ dataDir: target.dataDir, database: target.database.options }, archive)).rejects.toThrow(/already holds contracts, flows or users: restore into an empty one, or pass --force/);
    const again = await restore({ dataDir: target.dataDir, database: target.database.options }, archive, { force: true });
    expect(again.rows.contracts).toBeGreaterThanOrEqual(1);
    if (dialect === 'sqlite') expect(sqliteHasData(target.database.options.sqlitePath!)).toBe(true);
  });

  it('runs as `sealflow backup` and `sealflow restore` (bin/sealflow.mjs, what npx runs) on the configured database', async () => {
    const target = await freshTarget();
    const env = (dataDir: string, database: TestDatabase['options']) => ({ ...process.env, SEALFLOW_DATA_DIR: dataDir, ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : { DATABASE_URL: '' }) });
    const cli = (args: string[], environment: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/sealflow.mjs'), ...args], { env: environment, encoding: 'utf8', timeout: 120_000 });
    const file = join(scratch, `cli-${dialect}.zip`);
    // The CLI reads the SQLite database from the data folder: point one at the hub's file.
    const sourceEnv = hub.store.location.databaseUrl ? env(sourceDir, hub.store.location) : { ...env(join(hub.store.location.sqlitePath!, '..'), {}) };
    if (!hub.store.location.databaseUrl) {
      writeFileSync(join(hub.store.location.sqlitePath!, '..', 'master-key'), `${hub.masterKey.toString('hex')}\n`);
    }
    const made = cli(['backup', file], sourceEnv);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/backup written to .*, contracts 1, documents \d+/);
    const restoredEnv = target.database.options.databaseUrl ? env(target.dataDir, target.database.options) : env(join(target.database.options.sqlitePath!, '..'), {});
    const restored = cli(['restore', file], restoredEnv);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/restored .*: contracts 1, documents \d+/);
    const refused = cli(['restore', file], restoredEnv);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused: the target database already holds/);
  });
});
