// Storage for the signing engine's key records (see signing/key-record-store.ts). The
// records hold wrapped keys and public certificates only; the store keeps them as given.
import type { Kysely } from 'kysely';
import type { Database } from './tables';

export interface KeyRecordRow {
  id: string;
  kind: string;
}

export interface SigningKeyRepository {
  get(id: string): Promise<(KeyRecordRow & Record<string, unknown>) | undefined>;
  /** Creates or replaces the record with this id (a certificate is added after the key). */
  put(record: KeyRecordRow): Promise<void>;
  /**
   * Writes `record` only while the stored one is still `expected` (as `get` returned it; undefined: no row
   * yet), in one statement, so concurrent writers on one database cannot lose each other's change. False
   * when another writer was first.
   */
  replace(expected: KeyRecordRow | undefined, record: KeyRecordRow): Promise<boolean>;
}

export function createSigningKeyRepository(db: Kysely<Database>): SigningKeyRepository {
  return {
    async get(id) {
      const row = await db.selectFrom('signing_keys').select('record').where('id', '=', id).executeTakeFirst();
      return row ? JSON.parse(row.record) : undefined;
    },
    async put(record) {
      const row = { id: record.id, kind: record.kind, record: JSON.stringify(record), updated_at: new Date().toISOString() };
      await db
        .insertInto('signing_keys')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ kind: row.kind, record: row.record, updated_at: row.updated_at }))
        .execute();
    },
    async replace(expected, record) {
      const row = { id: record.id, kind: record.kind, record: JSON.stringify(record), updated_at: new Date().toISOString() };
      if (expected === undefined) {
        const inserted = await db.insertInto('signing_keys').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
      }
      // `record` holds what put wrote: JSON.stringify of a value, which get parsed; stringifying that again gives the same text.
      const updated = await db
        .updateTable('signing_keys')
        .set({ kind: row.kind, record: row.record, updated_at: row.updated_at })
        .where('id', '=', record.id)
        .where('record', '=', JSON.stringify(expected))
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    },
  };
}
