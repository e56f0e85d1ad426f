// Anchors (全链路存证): each one seals, under one Merkle root and one RFC 3161 timestamp, the
// hashes of every evidence event recorded since the anchor before it (evidence/anchoring.ts
// builds them). Which contracts got new events is kept by a database trigger on the contract
// projection (migration 0017_anchors) in `anchor_queue`, so no writer can forget to say so
// and no clock decides what is "new": an anchor takes the queue up to a mark it read, and a
// contract written while it works stays queued for the next one.
import type { Kysely } from 'kysely';
import type { Database } from './tables';

export interface AnchorsTable {
  /** 1, 2, 3…: the anchor's place in the series; unique, so two anchorers cannot both record the same one. */
  seq: number;
  /** Merkle root (RFC 6962 tree hash) over the leaves, hex. */
  root: string;
  leaf_count: number;
  /** The TimeStampToken (CMS ContentInfo, DER) whose message imprint is the root (SHA-256). */
  token: Uint8Array;
  /** Which TSA stamped it: its URL, or 'sealflow' for the hub's own. */
  tsa: string;
  /** The genTime of the token, ISO 8601. */
  stamped_at: string;
  created_at: string;
}

export interface AnchorLeavesTable {
  anchor_seq: number;
  /** 0-based position in the tree. */
  leaf_index: number;
  contract_id: string;
  event_seq: number;
  /** The event's hash in its contract's chain (signing/evidence/event-chain.ts), hex. */
  event_hash: string;
}

export interface AnchorQueueTable {
  seq: number;
  contract_id: string;
}

type AnchorTables = { anchors: AnchorsTable; anchor_leaves: AnchorLeavesTable; anchor_queue: AnchorQueueTable };

export interface Anchor {
  seq: number;
  root: string;
  leafCount: number;
  token: Uint8Array;
  tsa: string;
  stampedAt: string;
  createdAt: string;
}

export interface AnchorLeaf {
  anchorSeq: number;
  index: number;
  contractId: string;
  eventSeq: number;
  eventHash: string;
}

export interface AnchorRepository {
  /** The contracts written since the queue was last taken, and the mark to take it up to. */
  pending(): Promise<{ through: number; contractIds: string[] }>;
  /** The highest anchored event seq of each contract (contracts never anchored are absent). */
  anchoredThrough(contractIds: readonly string[]): Promise<Map<string, number>>;
  /** The anchor with the highest seq, or null before the first. */
  latest(): Promise<Anchor | null>;
  /**
   * Stores the anchor with its leaves and takes the queue up to `through`, in one transaction.
   * False (and nothing stored) when another process recorded an anchor with this seq first.
   */
  record(anchor: Omit<Anchor, 'leafCount'>, leaves: readonly Omit<AnchorLeaf, 'anchorSeq'>[], through: number): Promise<boolean>;
  /** Takes the queue up to `through` without an anchor: nothing new was there. */
  settle(through: number): Promise<void>;
  get(seq: number): Promise<Anchor | null>;
  /** Every leaf of the anchor, in tree order. */
  leaves(seq: number): Promise<AnchorLeaf[]>;
  /** The anchored events of one contract, oldest first. */
  leavesOf(contractId: string): Promise<AnchorLeaf[]>;
}

const toAnchor = (row: AnchorsTable): Anchor => ({
  seq: Number(row.seq),
  root: row.root,
  leafCount: Number(row.leaf_count),
  token: new Uint8Array(row.token),
  tsa: row.tsa,
  stampedAt: row.stamped_at,
  createdAt: row.created_at,
});

const toLeaf = (row: AnchorLeavesTable): AnchorLeaf => ({ anchorSeq: Number(row.anchor_seq), index: Number(row.leaf_index), contractId: row.contract_id, eventSeq: Number(row.event_seq), eventHash: row.event_hash });

/** Rows per insert statement: SQLite allows 32,766 bound values, five per leaf. */
const LEAF_BATCH = 1000;

export function createAnchorRepository(database: Kysely<Database>): AnchorRepository {
  const db = database.withTables<AnchorTables>();
  return {
    async pending() {
      const mark = await db.selectFrom('anchor_queue').select((eb) => eb.fn.max('seq').as('through')).executeTakeFirst();
      const through = Number(mark?.through ?? 0);
      if (through === 0) return { through, contractIds: [] };
      const rows = await db.selectFrom('anchor_queue').select('contract_id').distinct().where('seq', '<=', through).orderBy('contract_id').execute();
      return { through, contractIds: rows.map((r) => r.contract_id) };
    },

    async anchoredThrough(contractIds) {
      const result = new Map<string, number>();
      for (let i = 0; i < contractIds.length; i += LEAF_BATCH) {
        const rows = await db
          .selectFrom('anchor_leaves')
          .select(['contract_id', (eb) => eb.fn.max('event_seq').as('through')])
          .where('contract_id', 'in', contractIds.slice(i, i + LEAF_BATCH))
          .groupBy('contract_id')
          .execute();
        for (const row of rows) result.set(row.contract_id, Number(row.through));
      }
      return result;
    },

    async latest() {
      const row = await db.selectFrom('anchors').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row ? toAnchor(row) : null;
    },

    async record(anchor, leaves, through) {
      try {
        await db.transaction().execute(async (tx) => {
          await tx
            .insertInto('anchors')
            .values({ seq: anchor.seq, root: anchor.root, leaf_count: leaves.length, token: Buffer.from(anchor.token), tsa: anchor.tsa, stamped_at: anchor.stampedAt, created_at: anchor.createdAt })
            .execute();
          for (let i = 0; i < leaves.length; i += LEAF_BATCH) {
            await tx
              .insertInto('anchor_leaves')
              .values(leaves.slice(i, i + LEAF_BATCH).map((leaf) => ({ anchor_seq: anchor.seq, leaf_index: leaf.index, contract_id: leaf.contractId, event_seq: leaf.eventSeq, event_hash: leaf.eventHash })))
              .execute();
          }
          await tx.deleteFrom('anchor_queue').where('seq', '<=', through).execute();
        });
        return true;
      } catch (error) {
        // The primary key on seq: another anchorer recorded this one first. Anything else is a real failure.
        if (/unique|duplicate key|primary key/i.test(String((error as Error)?.message))) return false;
        throw error;
      }
    },

    async settle(through) {
      await db.deleteFrom('anchor_queue').where('seq', '<=', through).execute();
    },

    async get(seq) {
      const row = await db.selectFrom('anchors').selectAll().where('seq', '=', seq).executeTakeFirst();
      return row ? toAnchor(row) : null;
    },

    async leaves(seq) {
      return (await db.selectFrom('anchor_leaves').selectAll().where('anchor_seq', '=', seq).orderBy('leaf_index').execute()).map(toLeaf);
    },

    async leavesOf(contractId) {
      return (await db.selectFrom('anchor_leaves').selectAll().where('contract_id', '=', contractId).orderBy('event_seq').execute()).map(toLeaf);
    },
  };
}
