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
  };
}
