// Three small costs on the contract path, each beside what it replaced, measured in one process
// with the rounds interleaved (a loaded machine slows both sides alike):
// - the store's SQLite statements kept per SQL text (store/sqlite-statements.ts) against Kysely's
//   default of preparing each query: a contract inserted, read, saved, read and listed;
// - notice dates (notify/notices dateParts, one formatter per time zone) against a new
//   Intl.DateTimeFormat per date;
// - a font face's glyph check (templates/fonts.ts, drawable code points remembered) against
//   fontkit's cmap lookup per character.
// Run: npm run bench hot-paths (never part of npm test). BENCH_ROUNDS=… rounds each (default 10).
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { dateParts } from '../notify/notices/wording';
import { createContractRepository } from '../store/contracts';
import { migrateToLatest } from '../store/migrations';
import { keepStatements } from '../store/sqlite-statements';
import type { Database } from '../store/tables';
import { DEFAULT_FONT_FILES, fontkit, FontLibrary } from '../templates/fonts';
import { contractState } from '../test/store/fixtures';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

/** Median ms per run of each side, over ROUNDS interleaved rounds of `runs` runs. */
async function compare(label: string, unit: string, runs: number, sides: Record<string, () => unknown>) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  for (const run of Object.values(sides)) for (let i = 0; i < Math.ceil(runs / 2); i++) await run(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(sides)) {
      const started = performance.now();
      for (let i = 0; i < runs; i++) await run();
      times[name]!.push((performance.now() - started) / runs);
    }
  }
  console.log(label);
  for (const [name, values] of Object.entries(times)) {
    const median = [...values].sort((a, b) => a - b)[values.length >> 1]!;
    console.log(`  ${name.padEnd(58)} ${(unit === 'µs' ? median * 1000 : median).toFixed(3).padStart(9)} ${unit}`);
  }
}

// SQLite: two files, the same migrations and pragmas as the store (store/database.ts).
const dir = mkdtempSync(join(tmpdir(), 'sealflow-bench-hot-paths-'));
try {
  const open = async (file: string, keep: boolean) => {
    const sqlite = new SqliteDatabase(join(dir, file));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keep ? keepStatements(sqlite) : sqlite }) });
    await migrateToLatest(db, 'sqlite');
    return { db, contracts: createContractRepository(db, 'sqlite') };
  };
  const stores = { 'prepared per query (Kysely default)': await open('each.db', false), 'kept per SQL text': await open('kept.db', true) };
  let seq = 0;
  const contractWork = (side: (typeof stores)[keyof typeof stores]) => async () => {
    const id = `c-${seq++}`;
    await side.contracts.insertIfAbsent(contractState({ id }));
    const got = (await side.contracts.get(id))!;
    await side.contracts.save({ ...got, title: 'changed', revision: got.revision + 1 });
    await side.contracts.get(id);
    await side.contracts.list({ scope: { tenantId: 'default', unitPath: null }, limit: 20 });
  };
  await compare('SQLite store: a contract inserted, read, saved, read, and a ledger page listed', 'ms', 100, Object.fromEntries(Object.entries(stores).map(([name, side]) => [name, contractWork(side)])));
  for (const side of Object.values(stores)) await side.db.destroy();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const zones = ['Asia/Shanghai', 'Europe/London', 'America/New_York'];
let instant = Date.UTC(2026, 11, 5, 10);
const nextIso = () => new Date((instant += 3_600_000)).toISOString();
await compare('notice dates: year, month, day, hour and minute of an instant in a time zone', 'µs', 3000, {
  'new Intl.DateTimeFormat per date (before)': () =>
    new Intl.DateTimeFormat('en-US', { timeZone: zones[instant % 3], year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(nextIso())),
  'dateParts (one formatter per time zone)': () => dateParts(nextIso(), zones[instant % 3]!),
});

const face = await new FontLibrary().face('regular');
const font = fontkit.create(await readFile(DEFAULT_FONT_FILES.regular));
const text = [...'甲方（采购方）：上海启明智能制造有限公司 乙方（供应方）：深圳市华强电子有限公司 根据《中华人民共和国民法典》及相关法律法规，双方在平等、自愿、公平、诚实信用的基础上，就乙方向甲方供应货物事宜，经协商一致，订立本合同。Article 1 Goods and prices 1,234,567.89 元'.repeat(10)];
await compare(`glyph check: ${text.length} characters of a contract`, 'µs', 50, {
  "fontkit's cmap lookup per character (before)": () => text.every((char) => font.hasGlyphForCodePoint(char.codePointAt(0)!)),
  'FontFace.has (drawable code points remembered)': () => text.every((char) => face.has(char)),
});
