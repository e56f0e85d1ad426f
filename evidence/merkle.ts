// The Merkle tree of an anchor, as RFC 6962 (Certificate Transparency) §2.1 defines it, with
// its domain separation: a leaf hashes as SHA-256(0x00 ‖ data), an inner node as
// SHA-256(0x01 ‖ left ‖ right), so no inner node can pass for a leaf. A tree of n leaves
// splits at the largest power of two below n; the audit path and its check are those of
// RFC 6962 §2.1.1 and RFC 9162 §2.1.3.2. A leaf's data is the 32 bytes of one evidence
// event's chain hash. verify_events.py (shipped in every evidence package) recomputes the
// same with Python's hashlib alone.
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

export const leafHash = (data: Uint8Array): Buffer => sha256(LEAF, data);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over already hashed leaves. */
function treeHash(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** The root over the leaves' data (each the raw bytes of an event hash). */
export function merkleRoot(data: readonly Uint8Array[]): Buffer {
  return treeHash(data.map(leafHash));
}

/** PATH(m, D[n]): the sibling hashes from the leaf up, as RFC 6962 §2.1.1 lists them. */
export function inclusionPath(data: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= data.length) throw new RangeError(`leaf ${index} is not in a tree of ${data.length}`);
  const path = (leaves: readonly Buffer[], m: number): Buffer[] => {
    if (leaves.length <= 1) return [];
    const k = split(leaves.length);
    return m < k ? [...path(leaves.slice(0, k), m), treeHash(leaves.slice(k))] : [...path(leaves.slice(k), m - k), treeHash(leaves.slice(0, k))];
  };
  return path(data.map(leafHash), index);
}

/** RFC 9162 §2.1.3.2: whether `data` at `index` of a tree of `size` leaves has `root`, through `path`. */
export function verifyInclusion(options: { data: Uint8Array; index: number; size: number; path: readonly Uint8Array[]; root: Uint8Array }): boolean {
  const { index, size, path, root } = options;
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = leafHash(options.data);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.compare(r, Buffer.from(root)) === 0;
}
