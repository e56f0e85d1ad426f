import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inclusionPath, leafHash, merkleRoot, nodeHash, verifyInclusion } from './merkle';

const leaf = (i: number) => createHash('sha256').update(`event ${i}`).digest();

describe('the anchor Merkle tree (RFC 6962)', () => {
  it('hashes leaves and nodes apart, and splits at the largest power of two below n', () => {
    const d = [0, 1, 2].map(leaf);
    expect(merkleRoot([d[0]])).toEqual(leafHash(d[0]));
    expect(merkleRoot(d)).toEqual(nodeHash(nodeHash(leafHash(d[0]), leafHash(d[1])), leafHash(d[2])));
    expect(leafHash(d[0])).not.toEqual(createHash('sha256').update(d[0]).digest());
  });

  it('proves every leaf of trees of every size up to 33, and refuses a changed leaf, index or root', () => {
    for (let size = 1; size <= 33; size++) {
      const data = Array.from({ length: size }, (_, i) => leaf(i));
      const root = merkleRoot(data);
      for (let index = 0; index < size; index++) {
        const path = inclusionPath(data, index);
        expect(verifyInclusion({ data: data[index], index, size, path, root }), `${index} of ${size}`).toBe(true);
        expect(verifyInclusion({ data: leaf(1000), index, size, path, root })).toBe(false);
        if (size > 1) expect(verifyInclusion({ data: data[index], index: (index + 1) % size, size, path, root })).toBe(false);
      }
      expect(verifyInclusion({ data: data[0], index: 0, size, path: inclusionPath(data, 0), root: leafHash(leaf(99)) })).toBe(false);
    }
  });
});
