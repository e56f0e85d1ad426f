// The content-addressed document store: PDFs (and later evidence reports) kept by their
// SHA-256, so the same document is never stored twice and its hash is its identity.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './tables';

export interface StoredDocument {
  sha256: string;
  mediaType: string;
  size: number;
  content: Uint8Array;
  createdAt: string;
}

export interface DocumentRepository {
  /** Stores the bytes unless they are already there; returns their SHA-256 (hex). */
  put(content: Uint8Array, mediaType: string): Promise<{ sha256: string; size: number }>;
  get(sha256: string): Promise<StoredDocument | null>;
}

export function createDocumentRepository(db: Kysely<Database>): DocumentRepository {
  return {
    async put(content, mediaType) {
      const sha256 = createHash('sha256').update(content).digest('hex');
      await db
        .insertInto('documents')
        .values({ sha256, media_type: mediaType, size: content.byteLength, content: Buffer.from(content.buffer, content.byteOffset, content.byteLength), created_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
      return { sha256, size: content.byteLength };
    },

    async get(sha256) {
      const row = await db.selectFrom('documents').selectAll().where('sha256', '=', sha256).executeTakeFirst();
      if (!row) return null;
      return { sha256: row.sha256, mediaType: row.media_type, size: row.size, content: new Uint8Array(row.content), createdAt: row.created_at };
    },
  };
}
