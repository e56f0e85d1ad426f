// The SQLite connection keeps prepared statements per SQL text (store/sqlite-statements.ts).
// What a user would see go wrong if that were unsafe: stale rows after another process changes
// the schema, a second read of the same query while a first is still being read, or the store
// failing after it has run more query shapes than it keeps.
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store';
import { keepStatements } from '../../store/sqlite-statements';
import { createTestDatabase, type TestDatabase } from '../support/databases';

describe('kept SQLite statements', () => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore(database.options);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('answers each call with its own parameters, and after another process changes the schema', async () => {
    const a = await store.tenants.create('上海启明智能制造有限公司');
    const b = await store.tenants.create('深圳市华强电子有限公司');
    for (let i = 0; i < 3; i++) {
      expect((await store.tenants.get(a.id))?.name).toBe('上海启明智能制造有限公司');
      expect((await store.tenants.get(b.id))?.name).toBe('深圳市华强电子有限公司');
    }
    // A newer release's worker migrates the shared file while this server keeps its statements.
    const other = new SqliteDatabase(database.options.sqlitePath!);
    try {
      other.exec(`alter table tenants add column region text not null default 'cn-east'`);
      other.prepare('update tenants set name = ? where id = ?').run('上海启明(集团)', a.id);
    } finally {
      other.close();
    }
    expect((await store.tenants.get(a.id))?.name).toBe('上海启明(集团)');
    expect((await store.tenants.list()).map((t) => t.name)).toContain('深圳市华强电子有限公司');
  });

  it('keeps working past more query shapes than it keeps (the least used are prepared again)', async () => {
    const tenants = await Promise.all(['A', 'B', 'C'].map((name) => store.tenants.create(name)));
    const sqlite = new SqliteDatabase(':memory:');
    const connection = keepStatements(sqlite, 4);
    try {
      sqlite.exec(`create table t (id integer primary key, name text)`);
      const insert = connection.prepare('insert into t (name) values (?)');
      for (const name of ['甲', '乙', '丙']) insert.run([name]);
      // Ten shapes through a connection that keeps four.
      for (let n = 1; n <= 10; n++) {
        const rows = connection.prepare(`select name from t where id in (${Array(n).fill('?').join(', ')}) order by id`).all(Array.from({ length: n }, (_, i) => i + 1));
        expect(rows).toEqual([{ name: '甲' }, { name: '乙' }, { name: '丙' }].slice(0, Math.min(n, 3)));
      }
      expect(connection.prepare('select count(*) as n from t').all([])).toEqual([{ n: 3 }]);
    } finally {
      connection.close();
    }
    expect(sqlite.open).toBe(false);
    expect((await store.tenants.get(tenants[2].id))?.name).toBe('C');
  });

  it('reads the same query again while a first read of it is still open', () => {
    const sqlite = new SqliteDatabase(':memory:');
    const connection = keepStatements(sqlite);
    try {
      sqlite.exec(`create table t (id integer primary key, name text); insert into t (name) values ('甲'), ('乙'), ('丙')`);
      const sql = 'select name from t order by id';
      const outer = connection.prepare(sql).iterate([]);
      expect(outer.next().value).toEqual({ name: '甲' });
      // The kept statement is busy streaming: the second read gets a statement of its own.
      expect(connection.prepare(sql).all([])).toEqual([{ name: '甲' }, { name: '乙' }, { name: '丙' }]);
      expect([...outer]).toEqual([{ name: '乙' }, { name: '丙' }]);
    } finally {
      connection.close();
    }
  });
});
