// Ledger export and bulk actions through a running hub: the CSV a business user opens in
// Excel (BOM, Chinese intact, formula cells neutralised, personal data masked), the XLSX read
// back with exceljs, the signed PDFs of a selection as one zip (each PDF the one the contract
// records, signatures valid), and bulk nudges with an outcome per contract. Another tenant's
// and a sibling unit's contracts never appear.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import express, { Router } from 'express';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import type { ContractState, SignerState } from '../../flows';
import { createAuthenticator } from '../../server/auth';
import { errorHandler } from '../../server/errors';
import { registerRoutes } from '../../server/route';
import { ledgerExportRoutes } from '../../server/routes/ledger-export';
import type { OrgUnit } from '../../store';
import { contractState } from '../store/fixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { prepareQuickSigning, quickContract } from './ops-fixtures';

let hub: TestHub;
let units: Record<'group' | 'purchasing' | 'sales', OrgUnit>;
const tokens: Record<string, string> = {};
const userIds: Record<string, string> = {};
const scratch = mkdtempSync(join(tmpdir(), 'sealflow-export-'));
const cast = () => ({ starter: tokens.buyer, manager: tokens.manager, finance: tokens.finance, sealKeeper: tokens.sealKeeper });

const party = (name: string, mobile: string | null = null): SignerState => ({
  id: `s-${name}`, party: 'company', name, order: 1, documents: [], email: null, mobile, creditCode: null, idNumber: null, seal: null,
  verify: 'none', mustRead: false, prompt: null, status: 'waiting', invitedAt: null, signedAt: null, declineReason: null, reminders: 0, lastNudgeAt: null,
});

/** A contract as the projection holds it, owned by a unit of a tenant. */
const seeded = (id: string, overrides: Partial<ContractState>, tenantId = 'default', unit: OrgUnit | null = units.purchasing): ContractState =>
  contractState({ id, createdAt: '2026-03-01T08:00:00.000Z', updatedAt: '2026-03-01T08:00:00.000Z', owner: { tenantId, unit: unit && { id: unit.id, path: unit.path } }, ...overrides });

async function download(path: string, token: string, init: RequestInit = {}) {
  const response = await fetch(hub.url + path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

function unzip(bytes: Buffer): Promise<Array<{ name: string; utf8: boolean; content: Buffer }>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: true }, (error, zip) => {
      if (error) return reject(error);
      const entries: Array<{ name: string; utf8: boolean; content: Buffer }> = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.push({ name: entry.fileName, utf8: (entry.generalPurposeBitFlag & 0x800) !== 0, content: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

beforeAll(async () => {
  hub = await startTestHub();
  const group = await hub.store.orgUnits.create({ tenantId: 'default', name: '集团', parentId: null });
  const purchasing = await hub.store.orgUnits.create({ tenantId: 'default', name: '采购部', parentId: group.id });
  const sales = await hub.store.orgUnits.create({ tenantId: 'default', name: '销售部', parentId: group.id });
  units = { group, purchasing, sales };
  const user = async (key: string, name: string, roles: string[], unit: OrgUnit | null, tenantId = 'default') => {
    const { user: created, token } = await hub.store.users.create({ tenantId, name, roles, orgUnit: unit?.id ?? null });
    tokens[key] = token;
    userIds[key] = created.id;
    return created;
  };
  const buyer = await user('buyer', '采购员小李', ['business-user'], purchasing);
  await user('seller', '销售员小王', ['business-user'], sales);
  await user('manager', '王经理', ['dept-manager'], null);
  await user('finance', '赵总监', ['finance-director'], null);
  const other = await hub.store.tenants.create('另一家公司');
  await user('otherAdmin', '他人管理员', ['tenant-admin'], null, other.id);

  await hub.store.contracts.save(seeded('c-pudong', { title: '采购合同 上海浦东', amount: 1000, signers: [party('深圳市华强电子有限公司')], startedBy: buyer.id }));
  await hub.store.contracts.save(seeded('c-formula', { title: '=HYPERLINK("http://evil.example","点我")', amount: -5, signers: [party('张三')], createdAt: '2026-03-02T08:00:00.000Z' }));
  await hub.store.contracts.save(seeded('c-mobile', { title: '联系人 13812345678 的合同', amount: 2000, signers: [party('李四', '13812345678')], createdAt: '2026-03-03T08:00:00.000Z' }));
  await hub.store.contracts.save(seeded('c-sales', { title: '销售合同 不可见', amount: 3000 }, 'default', sales));
  await hub.store.contracts.save(seeded('c-other', { title: '他人合同', amount: 4000 }, other.id, null));
  const sealKeeper = await user('sealKeeper', '钱印章', [], null);
  await prepareQuickSigning(hub, sealKeeper.id);
}, 120_000);
afterAll(async () => {
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('ledger export', () => {
  it('writes CSV with a BOM that reads back with its Chinese intact, formula cells neutralised, mobiles masked, and only the caller’s unit', async () => {
    const { status, headers, bytes } = await download('/api/contracts/export.csv?columns=id,title,parties,amount,orgUnit&sort=created', tokens.buyer);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('text/csv');
    expect(headers.get('content-disposition')).toMatch(/attachment; filename="contracts-.*\.csv"/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.includes(Buffer.from('\r\n'))).toBe(true);
    const rows: string[][] = parse(bytes, { bom: true });
    expect(rows[0]).toEqual(['合同编号 id', '合同名称 title', '签署方 parties', '金额 amount', '所属部门 orgUnit']);
    expect(rows.slice(1)).toEqual([
      ['c-pudong', '采购合同 上海浦东', '深圳市华强电子有限公司', '1000', '采购部'],
      ['c-formula', `'=HYPERLINK("http://evil.example","点我")`, '张三', '-5', '采购部'],
      ['c-mobile', '联系人 138****5678 的合同', '李四', '2000', '采购部'],
    ]);
    // the audit trail says who took what out of the hub
    const trail = await hub.call('GET', `/api/audit?actor=${userIds.buyer}&action=${encodeURIComponent('get /api/contracts/export.csv')}`);
    expect(trail.body.items[0].details).toMatchObject({ rows: 3, columns: ['id', 'title', 'parties', 'amount', 'orgUnit'], filters: { sort: 'created' } });
  });

  it('shows the tenant-wide admin every unit but never another tenant, unmasked', async () => {
    const { bytes } = await download('/api/contracts/export.csv?columns=id,title', hub.adminToken);
    const rows: string[][] = parse(bytes, { bom: true });
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual(['c-formula', 'c-mobile', 'c-pudong', 'c-sales']);
    expect(rows.find((r) => r[0] === 'c-mobile')![1]).toBe('联系人 13812345678 的合同');
    const other = parse((await download('/api/contracts/export.csv?columns=id,title', tokens.otherAdmin)).bytes, { bom: true }) as string[][];
    expect(other.slice(1)).toEqual([['c-other', '他人合同']]);
  });

  it('applies the ledger’s filters (a Chinese search) to the export', async () => {
    const rows: string[][] = parse((await download(`/api/contracts/export.csv?columns=id&q=${encodeURIComponent('浦东')}`, tokens.buyer)).bytes, { bom: true });
    expect(rows).toEqual([['合同编号 id'], ['c-pudong']]);
  });

  it('exports a selection of the ledger (?ids=), still within what the caller sees and the other filters', async () => {
    const rows = async (query: string) => (parse((await download(`/api/contracts/export.csv?columns=id&sort=created&${query}`, tokens.buyer)).bytes, { bom: true }) as string[][]).slice(1).map((r) => r[0]);
    expect(await rows('ids=c-mobile,c-pudong')).toEqual(['c-pudong', 'c-mobile']);
    // Another unit's and another tenant's contracts are not exported even when named.
    expect(await rows('ids=c-pudong,c-sales,c-other')).toEqual(['c-pudong']);
    expect(await rows(`ids=c-mobile,c-pudong&q=${encodeURIComponent('浦东')}`)).toEqual(['c-pudong']);
    const tooMany = await hub.call('GET', `/api/contracts/export.csv?ids=${Array.from({ length: 201 }, (_, i) => `c-${i}`).join(',')}`, undefined, tokens.buyer);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([{ path: '/ids', message: 'names 201 contracts, not 1 to 200' }]);
  });

  it('refuses an unknown column with 400 and the path /columns, and an unknown filter with its path', async () => {
    const unknown = await hub.call('GET', '/api/contracts/export.csv?columns=id,password', undefined, tokens.buyer);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ path: '/columns', message: 'names unknown columns: password' }]);
    const filter = await hub.call('GET', '/api/contracts/export.xlsx?colour=red', undefined, tokens.buyer);
    expect(filter.status).toBe(400);
    expect(filter.body.error.details[0].path).toBe('/colour');
  });

  it('refuses an export over its row cap with 413 and says how many matched', async () => {
    // The hub's own routes with a cap of 2 (the real cap is 100,000 rows).
    const authenticate = createAuthenticator({ store: hub.store, adminToken: hub.adminToken });
    const router = Router();
    registerRoutes(router, ledgerExportRoutes(hub.store, { maxRows: 2 }), authenticate);
    const app = express();
    app.use(router);
    app.use(errorHandler(() => {}));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/contracts/export.xlsx`, { headers: { authorization: `Bearer ${tokens.buyer}` } });
      expect(response.status).toBe(413);
      const { error } = (await response.json()) as { error: unknown };
      expect(error).toMatchObject({ code: 'export_too_large', message: expect.stringContaining('matches 3 contracts'), details: [{ path: '/', message: 'matches 3 contracts, more than 2' }] });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('writes an XLSX that exceljs reads back: Chinese text, numbers as numbers, the formula-like title as plain text', async () => {
    const { status, headers, bytes } = await download('/api/contracts/export.xlsx?columns=id,title,amount,parties&sort=created', tokens.buyer);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('合同台账');
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(sheet.rowCount).toBe(4);
    expect(values(1)).toEqual(['合同编号 id', '合同名称 title', '金额 amount', '签署方 parties']);
    expect(values(2)).toEqual(['c-pudong', '采购合同 上海浦东', 1000, '深圳市华强电子有限公司']);
    const formula = sheet.getRow(3).getCell(2);
    expect(formula.type).toBe(ExcelJS.ValueType.String);
    expect(formula.value).toBe('=HYPERLINK("http://evil.example","点我")');
    expect(values(4)[1]).toBe('联系人 138****5678 的合同');
  });
});

describe('bulk actions', () => {
  let completed: any;
  let signing: any;
  let ready: Promise<void> | undefined;
  // Made by the first test that needs them (the outbox polling in linkFor runs inside tests only).
  const realContracts = () =>
    (ready ??= Promise.all([quickContract(hub, cast(), 'PO-ZIP-1', { sign: true }), quickContract(hub, cast(), 'PO-NUDGE-1', { sign: false })]).then(([a, b]) => {
      completed = a;
      signing = b;
    }));

  it('zips the signed PDFs of a selection with UTF-8 names; each PDF is the one the contract records and pdfsig finds its signature valid', { timeout: 240_000 }, async () => {
    await realContracts();
    const ids = [completed.id, 'c-pudong', 'c-sales', 'c-other', 'no-such-contract'];
    const { status, headers, bytes } = await download('/api/contracts/bulk/signed.zip', tokens.buyer, { method: 'POST', body: JSON.stringify({ ids }) });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/zip');
    expect(headers.get('x-sealflow-contracts')).toBe('1');
    const entries = await unzip(bytes);
    const pdfs = entries.filter((e) => e.name.endsWith('.pdf'));
    expect(pdfs.length).toBe(completed.documents.length);
    expect(pdfs.length).toBeGreaterThan(0);
    for (const document of completed.documents) {
      const entry = pdfs.find((e) => e.name === `采购合同 PO-ZIP-1/${document.title ?? document.id}.pdf`);
      expect(entry, `${document.id} in ${pdfs.map((e) => e.name)}`).toBeDefined();
      expect(entry!.utf8).toBe(true);
      expect(entry!.content.subarray(0, 5).toString()).toBe('%PDF-');
      expect(createHash('sha256').update(entry!.content).digest('hex')).toBe(document.sha256);
      const file = join(scratch, `${document.id}.pdf`);
      writeFileSync(file, entry!.content);
      let report: string;
      try {
        report = execFileSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
      } catch (error) {
        report = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(report).toContain('Signature is Valid');
    }
    const missing = entries.find((e) => e.name === 'missing.txt')!.content.toString('utf8');
    for (const id of ['c-pudong', 'c-sales', 'c-other', 'no-such-contract']) expect(missing).toContain(id);
  });

  it('answers 404 when nothing in the selection is signed and visible (another tenant’s signed contract included)', { timeout: 240_000 }, async () => {
    await realContracts();
    const { status } = await download('/api/contracts/bulk/signed.zip', tokens.otherAdmin, { method: 'POST', body: JSON.stringify({ ids: [completed.id] }) });
    expect(status).toBe(404);
  });

  it('nudges a selection with an outcome per contract, never stopping at one that cannot be nudged', { timeout: 240_000 }, async () => {
    await realContracts();
    const ids = [signing.id, completed.id, 'c-sales', 'c-other', 'no-such-contract'];
    const first = await hub.call('POST', '/api/contracts/bulk/nudge', { ids }, tokens.buyer);
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: any) => [r.id, r.outcome])).toEqual([
      [signing.id, 'nudged'],
      [completed.id, 'nothing_to_nudge'],
      ['c-sales', 'not_found'],
      ['c-other', 'not_found'],
      ['no-such-contract', 'not_found'],
    ]);
    expect(first.body.results[0].signers).toEqual(['buyer']);
    expect(first.body.counts).toMatchObject({ nudged: 1, nothing_to_nudge: 1, not_found: 3 });
    const again = await hub.call('POST', '/api/contracts/bulk/nudge', { ids: [signing.id] }, tokens.buyer);
    expect(again.body.results).toEqual([{ id: signing.id, outcome: 'rate_limited', code: expect.any(String), message: expect.stringMatching(/hour|nudge/i) }]);
    // the contract's own audit trail shows the bulk nudge
    const trail = await hub.call('GET', `/api/audit?target=${signing.id}&action=${encodeURIComponent('post /api/contracts/bulk/nudge')}`);
    expect(trail.body.items.map((e: any) => [e.actor.id, e.details])).toEqual([[userIds.buyer, { signers: ['buyer'] }]]);
    // the nudge reached the buyer's inbox (the dev outbox)
    const outbox = await hub.call('GET', `/api/outbox?contractId=${signing.id}`);
    expect(outbox.body.items.length).toBeGreaterThan(1);
  });

  it('refuses a selection over 200 ids, an empty one and repeated ids with 400 and the path /ids', async () => {
    for (const ids of [Array.from({ length: 201 }, (_, i) => `c-${i}`), [], ['a', 'a']]) {
      const { status, body } = await hub.call('POST', '/api/contracts/bulk/nudge', { ids }, tokens.buyer);
      expect(status).toBe(400);
      expect(body.error.details[0].path).toBe('/ids');
    }
    expect((await hub.call('POST', '/api/contracts/bulk/signed.zip', { ids: Array.from({ length: 201 }, (_, i) => `c-${i}`) }, tokens.buyer)).status).toBe(400);
  });
});
