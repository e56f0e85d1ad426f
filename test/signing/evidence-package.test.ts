// The evidence package (证据包) and anchoring (全链路存证), end to end: a contract signed by
// both parties through the API on a real Temporal server, anchored by the real schedule and
// workflow, downloaded as a zip, unpacked, and every part checked as its README says — with
// pyHanko, openssl and python3, never with Sealflow. Then anchoring against the database
// itself, on both dialects: a proof holds, one changed event breaks it, a later event is
// "not yet anchored"; and the same through `npx sealflow anchor` / `prove`.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anchorNewEvents, proveContract } from '../../evidence';
import type { ContractState } from '../../flows';
import { openStore, type Store } from '../../store';
import { ensureAnchorSchedule, anchorScheduleId } from '../../workflows';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, codeFor, linkFor, readAll, signerCall } from '../support/signing';
import { ensureValidators, PYHANKO, scratchDir } from './support/validators';

const repo = resolve(import.meta.dirname, '../..');
let hub: TestHub;
let contractId: string;
let legal: { token: string };
const scratch = scratchDir();

/** Unpacks a zip into a folder (yauzl, the library the CLI reads packages with); returns the entry names. */
async function unzip(zip: Buffer, into: string): Promise<string[]> {
  const file = await new Promise<yauzl.ZipFile>((ok, fail) => yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: true }, (e, z) => (e ? fail(e) : ok(z!))));
  const names: string[] = [];
  await new Promise<void>((ok, fail) => {
    file.on('error', fail);
    file.on('end', () => ok());
    file.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName);
      file.openReadStream(entry, (error, stream) => {
        if (error || !stream) return fail(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mkdirSync(dirname(join(into, entry.fileName)), { recursive: true });
          writeFileSync(join(into, entry.fileName), Buffer.concat(chunks));
          file.readEntry();
        });
      });
    });
    file.readEntry();
  });
  return names;
}

async function download(method: 'GET' | 'POST', path: string, body?: unknown, token = hub.adminToken): Promise<{ status: number; zip: Buffer; headers: Headers }> {
  const request = () => fetch(hub.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  // A kept-alive connection the server closed while pyHanko or the CLI ran is reset on reuse: these downloads change nothing, so once more.
  const response = await request().catch(request);
  return { status: response.status, zip: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

/** A tool run without blocking this process: the test hub's worker runs in it and must keep answering Temporal. */
const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, timeout: 120_000 });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => resolve({ status: null, output: `${output}${error.message}` }));
    child.on('close', (status) => resolve({ status, output }));
  });

/** The README's commands for one part, as written there (a `$(cat …)` becomes the file's content). */
function readmeCommands(readme: string, tool: string, dir: string): string[][] {
  return readme
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${tool} `))
    .filter((line, index, all) => all.indexOf(line) === index)
    .map((line) => line.replace(/\$\(cat ([^)]+)\)/g, (_m, file) => readFileSync(join(dir, file), 'utf8').trim()).split(/\s+/));
}

beforeAll(async () => {
  ensureValidators();
  hub = await startTestHub();
  await hub.publish(exampleFlow());
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  legal = await hub.user('法务', ['legal']);
  const sealKeeper = await hub.user('钱印章', []);
  expect((await hub.call('PUT', '/api/seals/contract-seal', { company: exampleOrder().data.buyer.name, users: [sealKeeper.id] })).status).toBe(201);
  signers = { manager, finance, sealKeeper };
}, 120_000);
afterAll(async () => {
  await hub?.client.schedule.getHandle(anchorScheduleId(hub.taskQueue)).delete().catch(() => {});
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

let signers: Record<'manager' | 'finance' | 'sealKeeper', { id: string; token: string }>;

it('a contract is approved, signed by both parties through their links and archived', async () => {
  const { manager, finance, sealKeeper } = signers;
  const order = exampleOrder();
  contractId = await approvedContract(hub, { manager, finance }, order);
  const buyerLink = await linkFor(hub, contractId, 'signer:buyer');
  expect((await hub.call('POST', `/api/sign/${buyerLink}`, { read: true }, sealKeeper.token)).body).toMatchObject({ status: 'signed' });
  const supplierLink = await linkFor(hub, contractId, order.data.supplier.mobile);
  await readAll(hub, supplierLink);
  await signerCall(hub, supplierLink, '/otp', {});
  expect((await signerCall(hub, supplierLink, '', { read: true, otp: await codeFor(hub, contractId, order.data.supplier.mobile) })).body.status).toBe('signed');
  await hub.waitFor(contractId, (c) => c.status === 'completed' && c.evidenceSha256, 90_000);
}, 240_000);

describe('the evidence package of a completed contract', () => {
  let dir: string;
  let names: string[];
  let readme: string;

  beforeAll(async () => {
    // The worker's schedule, triggered now instead of waiting for its period: one anchoring workflow on this hub's queue.
    await ensureAnchorSchedule(hub.client, { taskQueue: hub.taskQueue, everyMs: 3_600_000 });
    await hub.client.schedule.getHandle(anchorScheduleId(hub.taskQueue)).trigger();
    const deadline = Date.now() + 60_000;
    while (!(await hub.store.anchors.leavesOf(contractId)).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

    const { status, zip, headers } = await download('GET', `/api/contracts/${contractId}/evidence.zip`, undefined, legal.token);
    expect(status, zip.toString()).toBe(200);
    expect(headers.get('content-type')).toBe('application/zip');
    dir = join(scratch, 'package');
    names = await unzip(zip, dir);
    writeFileSync(join(scratch, 'package.zip'), zip);
    readme = readFileSync(join(dir, 'README.txt'), 'utf8');
  }, 120_000);

  it('holds every part the issue names, and the README says in Chinese and English how to check each', async () => {
    for (const name of ['README.txt', 'verify_events.py', 'events.json', 'evidence-report.pdf', 'SHA256SUMS', 'certificates/root.pem', 'certificates/chain.pem', 'signed/contract.pdf', 'originals/contract.pdf', 'identity/buyer.json', 'identity/supplier.json']) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => n.startsWith('timestamps/') && n.endsWith('.tsr')).length).toBeGreaterThanOrEqual(3); // buyer, supplier, archive timestamp
    expect(names.filter((n) => /^anchors\/anchor-\d+\.(json|tsr|root)$/.test(n))).toHaveLength(3);
    expect(readme).toContain('pyhanko sign adesverify --trust certificates/root.pem --trust-replace signed/contract.pdf');
    expect(readme).toContain('openssl ts -verify');
    expect(readme).toContain('python3 verify_events.py');
    expect(readme).toMatch(/签署文件/);
    expect(readme).toMatch(/Sealflow's own TSA/);
    // The originals are the unsigned renderings, not the signed versions.
    expect(readFileSync(join(dir, 'originals/contract.pdf')).equals(readFileSync(join(dir, 'signed/contract.pdf')))).toBe(false);
    expect((await run('sha256sum', ['-c', 'SHA256SUMS'], dir)).status).toBe(0);
  });

  it('pyHanko validates every signed PDF and the evidence report against root.pem, as the README says', async () => {
    const commands = readmeCommands(readme, 'pyhanko', dir);
    expect(commands.length).toBeGreaterThanOrEqual(2); // the documents + the report
    expect(commands.map((c) => c.at(-1))).toContain('evidence-report.pdf');
    for (const [, ...args] of commands) {
      const { status, output } = await run(PYHANKO, [...args.slice(0, -1), '--pretty-print', args.at(-1)!], dir);
      expect(status, output).toBe(0);
      const verdicts = output.match(/The signature is judged (\w+)/g) ?? [];
      expect(verdicts.length, output).toBeGreaterThanOrEqual(1);
      expect(verdicts.every((v) => v.endsWith('VALID') && !v.endsWith('INVALID')), output).toBe(true);
    }
  });

  it('openssl verifies every timestamp token (signatures, archive and anchors) and reads every certificate', async () => {
    const commands = readmeCommands(readme, 'openssl', dir).filter((c) => c[1] === 'ts');
    const tokens = names.filter((n) => n.endsWith('.tsr'));
    expect(commands).toHaveLength(tokens.length);
    for (const [, ...args] of commands) {
      const { output } = await run('openssl', args, dir);
      expect(output, args.join(' ')).toMatch(/Verification: OK/);
    }
    // A signature timestamp stamps the SHA-256 of the signature value shipped beside it.
    for (const sig of names.filter((n) => n.endsWith('.sig'))) {
      expect(createHash('sha256').update(readFileSync(join(dir, sig))).digest('hex')).toBe(readFileSync(join(dir, sig.replace(/\.sig$/, '.digest')), 'utf8').trim());
    }
    const certificates = readdirSync(join(dir, 'certificates')).filter((n) => n.endsWith('.pem') && n !== 'chain.pem');
    expect(certificates.length).toBeGreaterThanOrEqual(5); // root, issuing CA, TSA, two signers, platform
    const subjects: string[] = [];
    for (const file of certificates) {
      const { status, output } = await run('openssl', ['x509', '-in', `certificates/${file}`, '-noout', '-text', '-nameopt', 'utf8'], dir);
      expect(status, output).toBe(0);
      const verify = await run('openssl', ['verify', '-CAfile', 'certificates/root.pem', '-untrusted', 'certificates/chain.pem', `certificates/${file}`], dir);
      expect(verify.output, file).toMatch(/: OK/);
      subjects.push(/Subject:.*$/m.exec(output)?.[0] ?? '');
    }
    expect(subjects.join('\n')).toContain('Sealflow TSA');
    expect(subjects.join('\n')).toContain(exampleOrder().data.supplier.name);
  });

  it('verify_events.py recomputes the chain and the anchor proof with sha256 alone, and names the event an edit changed', async () => {
    const ok = await run('python3', ['verify_events.py'], dir);
    expect(ok.status, ok.output).toBe(0);
    expect(ok.output).toMatch(/anchor \d+: events 1-\d+ are in root [0-9a-f]{64}/);
    expect(ok.output.trim().split('\n').at(-1)).toBe('OK');

    const events = JSON.parse(readFileSync(join(dir, 'events.json'), 'utf8'));
    expect(events.events.length).toBeGreaterThan(5);
    expect(events.head).toBe(events.events.at(-1).hash);
    const edited = join(scratch, 'edited');
    mkdirSync(join(edited, 'anchors'), { recursive: true });
    for (const name of names.filter((n) => n.startsWith('anchors/'))) writeFileSync(join(edited, name), readFileSync(join(dir, name)));
    events.events[2].detail.message += ' (edited)';
    writeFileSync(join(edited, 'events.json'), JSON.stringify(events));
    const broken = await run('python3', [join(dir, 'verify_events.py'), edited], dir);
    expect(broken.status).toBe(1);
    expect(broken.output).toContain(`event ${events.events[2].seq}: its content no longer matches its hash`);
    expect(broken.output).toMatch(/anchor \d+: events up to \d+ do not hash into the anchored root/);
  });

  it('the evidence report holds the head of the chain as it stood when it was sealed', async () => {
    const run1 = await run('qpdf', ['--show-attachment=evidence.json', 'evidence-report.pdf'], dir);
    const attached = JSON.parse(run1.output);
    const hashes = JSON.parse(readFileSync(join(dir, 'events.json'), 'utf8')).events.map((e: { hash: string }) => e.hash);
    expect(hashes).toContain(attached.head);
  });

  it('says which signers proved their identity: the supplier bound to a verified record, the buyer "not verified"', async () => {
    const now = new Date().toISOString();
    const record = await hub.store.identities.saveRecord({
      id: 'idr-evidence-test',
      subjectKey: 'company:91310000MA1FL8XQ30',
      level: 'company-transfer',
      method: 'company.transfer',
      provider: 'local',
      providerReference: 'local-flow-1',
      subject: { kind: 'company', name: exampleOrder().data.supplier.name, idNumberHmac: null, mobileMasked: null, creditCode: '91310000MA1FL8XQ30', legalRepresentative: null },
      verifiedAt: now,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      evidenceDigest: 'a'.repeat(64),
      idempotencyKey: 'evidence-test',
    });
    await hub.store.identities.bindSigner(contractId, 'supplier', record.id, now);
    // The 对公打款 flow that ended in the record: its evidence digests go along.
    const flow = await hub.store.identities.createFlow({
      id: 'idf-evidence-test',
      provider: 'local',
      providerFlowId: 'local-flow-1',
      method: 'company.transfer',
      level: 'company-transfer',
      subjectKey: record.subjectKey,
      subject: record.subject,
      status: 'pending',
      step: 'transfer_amount',
      maxTries: 3,
      windowEndsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      details: null,
      evidenceDigests: ['b'.repeat(64)],
      idempotencyKey: 'evidence-test-flow',
      createdAt: now,
    });
    await hub.store.identities.updateFlow(flow.id, { status: 'passed', step: 'done', evidenceDigest: 'c'.repeat(64), recordId: record.id }, now);
    const { zip } = await download('GET', `/api/contracts/${contractId}/evidence.zip`);
    const again = join(scratch, 'again');
    await unzip(zip, again);
    expect(JSON.parse(readFileSync(join(again, 'identity/supplier.json'), 'utf8'))).toMatchObject({ status: 'verified', record: { level: 'company-transfer', provider: 'local', providerReference: 'local-flow-1', evidenceDigest: 'a'.repeat(64) },
      flows: [{ id: 'idf-evidence-test', method: 'company.transfer', status: 'passed', evidenceDigests: ['b'.repeat(64), 'c'.repeat(64)] }],
    });
    expect(JSON.parse(readFileSync(join(again, 'identity/buyer.json'), 'utf8'))).toMatchObject({ status: 'not verified' });
  });

  it('`sealflow prove --package` checks the anchor proofs offline from the zip', async () => {
    const { status, output } = await run('node', [join(repo, 'bin/sealflow.mjs'), 'prove', '--package', join(scratch, 'package.zip'), '--trust', join(dir, 'certificates/root.pem')], repo);
    expect(status, output).toBe(0);
    expect(output).toMatch(/anchor \d+: events 1-\d+ in root [0-9a-f]{64}.*: OK/);
  });

  it('packs a selection one folder per contract, listing what it could not include; a business user may not download it', async () => {
    const { status, zip, headers } = await download('POST', '/api/contracts/bulk/evidence.zip', { ids: [contractId, 'no-such-contract'] });
    expect(status).toBe(200);
    expect(headers.get('x-sealflow-contracts')).toBe('1');
    const folder = join(scratch, 'selection');
    const entries = await unzip(zip, folder);
    expect(entries).toContain('missing.txt');
    const events = entries.find((n) => n.endsWith('/events.json'))!;
    expect(events).toBeTruthy();
    expect((await run('python3', ['verify_events.py'], join(folder, dirname(events)))).status).toBe(0);
    const user = await hub.user('业务员', ['business-user']);
    expect((await download('GET', `/api/contracts/${contractId}/evidence.zip`, undefined, user.token)).status).toBe(403);
    expect((await hub.call('POST', '/api/contracts/bulk/evidence.zip', { ids: [] })).status).toBe(400);
  });
});

/** Changes one stored event of the contract straight in the database, past the store. */
async function tamper(database: TestDatabase, id: string): Promise<void> {
  const edit = (state: string) => {
    const parsed = JSON.parse(state) as ContractState;
    parsed.timeline[1].message += ' (changed afterwards)';
    return JSON.stringify(parsed);
  };
  if (database.options.databaseUrl) {
    const client = new pg.Client({ connectionString: database.options.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('select state from contracts where id = $1', [id]);
      await client.query('update contracts set state = $1 where id = $2', [edit(rows[0].state), id]);
    } finally {
      await client.end();
    }
  } else {
    const db = new SqliteDatabase(database.options.sqlitePath!);
    try {
      const row = db.prepare('select state from contracts where id = ?').get(id) as { state: string };
      db.prepare('update contracts set state = ? where id = ?').run(edit(row.state), id);
    } finally {
      db.close();
    }
  }
}

describe.each(dialects)('anchoring on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let state: ContractState;
  const trust = () => [hub.signing.ca.rootCertificate];

  beforeAll(async () => {
    database = await createTestDatabase(dialect, { migrated: dialect === 'postgres' });
    store = await openStore(database.options);
    // The completed contract's projection, as another hub's database would hold it.
    state = (await hub.store.contracts.get(contractId))!;
    await store.contracts.save(state);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('anchors the new events once, proves them, and refuses a changed event; a later event is not yet anchored', async () => {
    const anchored = await anchorNewEvents({ store, timestamps: hub.signing.timestamps, tsa: 'sealflow' });
    expect(anchored.anchor).toMatchObject({ seq: 1, leafCount: state.timeline.length, tsa: 'sealflow' });
    // Nothing new since: no second anchor.
    expect((await anchorNewEvents({ store, timestamps: hub.signing.timestamps, tsa: 'sealflow' })).anchor).toBeNull();

    const proof = (await proveContract(store, contractId, trust()))!;
    expect(proof.problems).toEqual([]);
    expect(proof).toMatchObject({ ok: true, notYetAnchored: [], proofs: [{ included: true, timestamp: { ok: true } }] });
    // Another root's timestamp is not trusted: the proof is only as good as its TSA.
    expect((await proveContract(store, contractId, []))!.ok).toBe(false);

    // One event more, recorded after the anchor.
    const later = { ...state, revision: state.revision + 1, timeline: [...state.timeline, { at: new Date().toISOString(), type: 'nudged', actor: 'system', message: 'later event' }] } as ContractState;
    await store.contracts.save(later);
    const pending = (await proveContract(store, contractId, trust()))!;
    expect(pending).toMatchObject({ ok: true, notYetAnchored: [later.timeline.length] });

    await tamper(database, contractId);
    const broken = (await proveContract(store, contractId, trust()))!;
    expect(broken.ok).toBe(false);
    expect(broken.proofs[0].included).toBe(false);
    expect(broken.problems[0]).toMatch(/no longer hashes into the anchored root/);
  });
});

describe('npx sealflow anchor / prove', () => {
  it('anchors, proves, and fails once an event is changed in the database', async () => {
    const database = await createTestDatabase('sqlite');
    const store = await openStore(database.options);
    try {
      await store.contracts.save((await hub.store.contracts.get(contractId))!);
    } finally {
      await store.close();
    }
    const env = { SEALFLOW_DATA_DIR: dirname(database.options.sqlitePath!), SEALFLOW_MASTER_KEY: hub.masterKey.toString('hex'), DATABASE_URL: '', SEALFLOW_TSA_URL: '', SEALFLOW_ANCHOR_TSA_URL: '' };
    const cli = (...args: string[]) => run('node', [join(repo, 'bin/sealflow.mjs'), ...args], repo, env);
    try {
      const anchor = await cli('anchor');
      expect(anchor.status, anchor.output).toBe(0);
      expect(anchor.output).toMatch(/anchor 1: \d+ events of 1 contracts/);
      const proved = await cli('prove', contractId);
      expect(proved.status, proved.output).toBe(0);
      expect(proved.output.trim().split('\n').at(-1)).toBe('OK');
      const json = JSON.parse((await cli('prove', contractId, '--json')).output);
      expect(json).toMatchObject({ contractId, ok: true, proofs: [{ anchor: { seq: 1 }, included: true }] });

      // An event recorded after the anchor: the proof still holds for what was anchored, and says what is not yet.
      const later = await openStore(database.options);
      try {
        const state = (await later.contracts.get(contractId))!;
        await later.contracts.save({ ...state, revision: state.revision + 1, timeline: [...state.timeline, { at: new Date().toISOString(), type: 'nudged', actor: 'system', message: 'after the anchor' }] } as ContractState);
        const count = state.timeline.length + 1;
        const pending = await cli('prove', contractId);
        expect(pending.status, pending.output).toBe(0);
        expect(pending.output).toContain(`not yet anchored: event ${count}`);
      } finally {
        await later.close();
      }

      await tamper(database, contractId);
      const broken = await cli('prove', contractId);
      expect(broken.status).toBe(1);
      expect(broken.output).toMatch(/FAILED: anchor 1: event \d+ no longer hashes into the anchored root/);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
