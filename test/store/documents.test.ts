import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store';
import { dialects, openTestStore } from '../support/databases';

describe.each(dialects)('documents and templates (%s)', (dialect) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(async () => {
    await store.close();
  });

  it('keeps a document under its SHA-256 and gives back the exact bytes', async () => {
    const pdf = new Uint8Array(randomBytes(100_000));
    pdf.set(Buffer.from('%PDF-1.7\n'));
    const { sha256, size } = await store.documents.put(pdf, 'application/pdf');
    expect(sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(size).toBe(100_000);
    const stored = await store.documents.get(sha256);
    expect(stored).toMatchObject({ sha256, mediaType: 'application/pdf', size });
    expect(Buffer.from(stored!.content).equals(Buffer.from(pdf))).toBe(true);
  });

  it('stores the same bytes once, also when they are put concurrently', async () => {
    const pdf = new Uint8Array(randomBytes(1000));
    await Promise.all([1, 2, 3].map(() => store.ping()));
    const results = await Promise.all([1, 2, 3].map(() => store.documents.put(pdf, 'application/pdf')));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(await store.documents.get('0'.repeat(64))).toBeNull();
  });

  it('saves an uploaded template and replaces it by id', async () => {
    const first = await store.templates.save('default', { id: 'policy', title: '制度告知书', source: '# {{title}}', schema: { type: 'object' }, sample: { title: 'x' }, updatedBy: 'admin' });
    expect(first.updatedAt).toBeTruthy();
    await store.templates.save('default', { ...first, title: '制度告知书 v2', sample: null });
    expect(await store.templates.get('default', 'policy')).toMatchObject({ title: '制度告知书 v2', source: '# {{title}}', schema: { type: 'object' }, sample: null });
    expect((await store.templates.list('default')).map((t) => t.id)).toEqual(['policy']);
  });
});
