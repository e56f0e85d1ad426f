// Kysely's SQLite driver prepares every query anew (SqliteDriver.executeQuery calls
// database.prepare(sql) each time); for the store's larger queries that parse and plan costs
// more than running them. A better-sqlite3 statement can be run again with new parameters, so
// the connection hands Kysely a statement kept per SQL text instead.
//
// Safe because the store shares one connection per file (database.ts) and Kysely runs one
// query at a time on it: a kept statement is never run twice at once. A statement still busy
// (a stream being read) is not handed out again; a fresh one is prepared for that use. SQLite
// re-prepares a kept statement by itself when a migration changes the schema.
import type { Database as BetterSqlite, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** How many statements one connection keeps; the least recently used goes first. The store
 *  has a few hundred query shapes, `in (…)` lists of other lengths add more. */
export const STATEMENTS_KEPT = 500;

export function keepStatements(sqlite: BetterSqlite, kept = STATEMENTS_KEPT): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql) {
      const statement = statements.get(sql);
      if (statement) {
        if (statement.busy) return sqlite.prepare(sql);
        // Map order is the use order: taken out and put back last.
        statements.delete(sql);
        statements.set(sql, statement);
        return statement;
      }
      const fresh = sqlite.prepare(sql);
      if (statements.size >= kept) statements.delete(statements.keys().next().value as string);
      statements.set(sql, fresh);
      return fresh;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}
