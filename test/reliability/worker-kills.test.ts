// 200 contracts through approval and three signers on two `sealflow worker`s, one of which is
// killed (SIGKILL: no drain, no cleanup) five times at random moments and started again. Every
// contract completes; every signer's signature is in the signed PDF exactly once (pdfsig) and
// in the contract's record once; no notice is in the outbox twice; and a mail that reached the
// SMTP server twice did so only the way notify/deliveries.ts documents for at-least-once
// delivery: its sender died after the server took it and before the claim was recorded, and
// the second copy came after that kill.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { readMail, startSmtpServer, type LocalSmtpServer } from '../notify/support';
import { carryThrough, contract, linkInMail, setUpFlow, sleep, useLinks, waitUntil, SIGNERS, type Admin } from './contracts';
import { recordFigures } from './figures';
import { partEnvironment, request, startPart, stopAllParts, type Part, type PartEnvironment } from './parts';

const CONTRACTS = Number(process.env.KILL_CONTRACTS ?? 200);
const KILLS = 5;
/** Contracts on their way at once (each is a user clicking through it). */
const IN_FLIGHT = 16;

const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-kills-'));
let database: TestDatabase;
let smtp: LocalSmtpServer;
const arrivedAt: number[] = [];

beforeAll(async () => {
  database = await createTestDatabase('postgres');
  smtp = await startSmtpServer();
  // Mail really goes out here, so the outbox masks the links: signers read their mail.
  const read = new Map<number, { recipients: string[]; subject: string; text: string }>();
  useLinks(
    linkInMail(() =>
      smtp.mails.map((mail, i) => {
        if (!read.has(i)) {
          const { subject, text } = readMail(mail.raw);
          read.set(i, { recipients: mail.recipients, subject, text });
        }
        return read.get(i)!;
      }),
    ),
  );
  // When each mail arrived, to tell a copy sent again across a kill from a plain duplicate.
  const push = smtp.mails.push.bind(smtp.mails);
  smtp.mails.push = (...mails) => {
    for (const _ of mails) arrivedAt.push(Date.now());
    return push(...mails);
  };
});
afterAll(async () => {
  await stopAllParts();
  await smtp?.stop();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const messageId = (raw: Buffer) => /^Message-ID:\s*(<[^>]+>)/im.exec(raw.toString('latin1'))?.[1] ?? null;

async function signatureFields(admin: Admin, id: string): Promise<string[]> {
  const pdf = await fetch(`${admin.url}/api/contracts/${id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${admin.token}` } });
  expect(pdf.status).toBe(200);
  const file = join(dataDir, `${id}.pdf`);
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  let report: string;
  try {
    report = (await promisify(execFile)('pdfsig', ['-nocert', file])).stdout;
  } catch (error) {
    report = String((error as { stdout?: string }).stdout);
  }
  rmSync(file);
  // One block per signature; the signers' are ours (sealflow-<signer>), each must be valid. The
  // archive's document timestamp (PAdES B-LTA) is another block that pdfsig does not validate.
  const blocks = report.split(/^Signature #\d+:$/m).slice(1);
  const signers = blocks.filter((b) => /Signature Field Name: sealflow-/.test(b));
  for (const block of signers) expect(block, report).toContain('Signature is Valid');
  return signers.map((b) => /Signature Field Name: (\S+)/.exec(b)![1]);
}

it(`carries ${CONTRACTS} contracts to completion while a worker is killed ${KILLS} times`, async () => {
  const env: PartEnvironment = partEnvironment({ temporalAddress: inject('temporalAddress'), databaseUrl: database.options.databaseUrl!, dataDir, smtpUrl: smtp.url });
  const server = await startPart('server', env);
  const workerEnv = { ...env, publicUrl: server.url };
  const workers: Part[] = [await startPart('worker', workerEnv), await startPart('worker', workerEnv)];
  const admin: Admin = { url: server.url, token: env.adminToken };
  const manager = await setUpFlow(admin);

  const started = Date.now();
  let next = 0;
  let done = 0;
  const ids: string[] = [];
  const failures: string[] = [];
  const drive = async () => {
    while (next < CONTRACTS) {
      const n = next++;
      try {
        ids[n] = await carryThrough(admin, manager, n, 600_000);
        done += 1;
      } catch (error) {
        failures.push(`#${n}: ${(error as Error).message}`);
      }
    }
  };
  const drivers = Promise.all(Array.from({ length: IN_FLIGHT }, drive));

  // Five kills at random moments while contracts are on their way; the killed worker comes back at once.
  const kills: { at: number; worker: number; doneBefore: number }[] = [];
  const restartSeconds: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    await sleep(4_000 + Math.random() * 14_000);
    const which = Math.floor(Math.random() * workers.length);
    await workers[which].kill();
    kills.push({ at: Date.now(), worker: which, doneBefore: done });
    const restarting = Date.now();
    workers[which] = await startPart('worker', workerEnv);
    restartSeconds.push((Date.now() - restarting) / 1000);
  }
  await drivers;
  expect(failures).toEqual([]);
  const allSigned = (Date.now() - started) / 1000;
  for (const id of ids) await waitUntil(`${id} completing`, () => contract(admin, id), (c) => c?.status === 'completed', 300_000);
  const seconds = (Date.now() - started) / 1000;

  // Exactly one signature per signer: in the contract's record and in the signed PDF.
  let recordDuplicates = 0;
  let pdfDuplicates = 0;
  let pdfsChecked = 0;
  for (const id of ids) {
    const c = await contract(admin, id);
    const signedBy: string[] = c.documents[0].signedBy;
    const signedEvents = c.timeline.filter((e: any) => e.type === 'signed').map((e: any) => e.signer);
    recordDuplicates += signedBy.length - new Set(signedBy).size + signedEvents.length - new Set(signedEvents).size;
    expect([...new Set(signedBy)].sort()).toEqual([...SIGNERS].sort());
    const fields = await signatureFields(admin, id);
    pdfsChecked += 1;
    pdfDuplicates += fields.length - new Set(fields).size;
    expect([...new Set(fields)].sort()).toEqual(SIGNERS.map((s) => `sealflow-${s}`).sort());
  }

  // Notices: none twice in the outbox (its rows are keyed by the notice's idempotency key).
  let outboxMessages = 0;
  let outboxDuplicates = 0;
  for (const id of ids) {
    const { body } = await request(admin.url, 'GET', `/api/outbox?contractId=${id}&limit=500`, { token: admin.token });
    outboxMessages += body.items.length;
    const seen = new Set<string>();
    for (const m of body.items) {
      const key = `${m.to}\n${m.subject}\n${m.body}`;
      if (seen.has(key)) outboxDuplicates += 1;
      seen.add(key);
    }
  }
  // Mail really sent: a Message-ID (derived from the notice's key) again only across a kill.
  const arrivals = new Map<string, number[]>();
  smtp.mails.forEach((mail, i) => {
    const id = messageId(mail.raw);
    expect(id).not.toBeNull();
    arrivals.set(id!, [...(arrivals.get(id!) ?? []), arrivedAt[i]]);
  });
  const smtpDuplicates = [...arrivals.values()].reduce((n, copies) => n + copies.length - 1, 0);
  const unexplained = [...arrivals.entries()].filter(([, copies]) => copies.length > 1 && !kills.some((k) => copies[0] <= k.at && k.at <= copies[copies.length - 1]));

  recordFigures('worker kills', {
    contracts: CONTRACTS,
    completed: ids.length,
    'SIGKILLs of a worker': kills.length,
    'contracts done at each kill': kills.map((k) => k.doneBefore).join(', '),
    'worker restart seconds (mean)': Number((restartSeconds.reduce((a, b) => a + b, 0) / restartSeconds.length).toFixed(1)),
    'seconds until all signed / completed': `${Math.round(allSigned)} / ${Math.round(seconds)}`,
    'contracts/s end to end': Number((CONTRACTS / seconds).toFixed(2)),
    'signed PDFs checked (pdfsig)': pdfsChecked,
    'duplicate signatures (PDF / record)': `${pdfDuplicates} / ${recordDuplicates}`,
    'outbox messages / duplicates': `${outboxMessages} / ${outboxDuplicates}`,
    'mails sent / same Message-ID again': `${smtp.mails.length} / ${smtpDuplicates}`,
  });
  expect(smtp.mails.length).toBeGreaterThanOrEqual(CONTRACTS * SIGNERS.length);
  expect(kills).toHaveLength(KILLS);
  expect(recordDuplicates).toBe(0);
  expect(pdfDuplicates).toBe(0);
  expect(outboxDuplicates).toBe(0);
  // At-least-once: a mail goes out again only when its sender was killed between the SMTP
  // server's OK and recording it (notify/deliveries.ts): a kill lies between the two copies.
  expect(unexplained).toEqual([]);
});
