import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type IdentityRecord, type NewIdentityFlow, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';

const record = (over: Partial<IdentityRecord> = {}): IdentityRecord => ({
  id: 'idr_1',
  subjectKey: 'person:aa',
  level: 'telecom',
  method: 'person.telecom',
  provider: 'local',
  providerReference: 'local-flow-1',
  subject: { kind: 'person', name: '张三', idNumberHmac: 'aa', mobileMasked: '138****8000', creditCode: null, legalRepresentative: null },
  verifiedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
  evidenceDigest: 'ff'.repeat(32),
  idempotencyKey: 'key-1',
  ...over,
});

const flow = (over: Partial<NewIdentityFlow> = {}): NewIdentityFlow => ({
  id: 'idf_1',
  provider: 'local',
  providerFlowId: 'local-flow-1',
  method: 'company.transfer',
  level: 'company-transfer',
  subjectKey: 'company:91310000MA1FL0001R',
  subject: { kind: 'company', name: '上海启明智能制造有限公司', idNumberHmac: null, mobileMasked: null, creditCode: '91310000MA1FL0001R', legalRepresentative: '张三' },
  status: 'pending',
  step: 'transfer_amount',
  maxTries: 3,
  windowEndsAt: '2026-01-08T00:00:00.000Z',
  details: null,
  evidenceDigests: ['00'],
  idempotencyKey: 'flow-key-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe.each(dialects)('identity records (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    store = await openStore(database.options);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('keeps a record with the ID number only as its HMAC and finds it while valid, at the levels asked for', async () => {
    const saved = await store.identities.saveRecord(record());
    expect(saved).toEqual(record());
    expect(await store.identities.findValidRecord('person:aa', ['telecom', 'bank'], '2026-06-01T00:00:00.000Z')).toEqual(saved);
    expect(await store.identities.findValidRecord('person:aa', ['face'], '2026-06-01T00:00:00.000Z')).toBeNull();
    expect(await store.identities.findValidRecord('person:aa', ['telecom'], '2027-01-01T00:00:00.000Z')).toBeNull();
    expect(await store.identities.findValidRecord('person:bb', ['telecom'], '2026-06-01T00:00:00.000Z')).toBeNull();
    const rows = await readTable(database, 'identity_records');
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0])).not.toContain('id_number');
  });

  it('adds no second record when the same call is saved again, and prefers the latest verification', async () => {
    await store.identities.saveRecord(record());
    const again = await store.identities.saveRecord(record({ id: 'idr_other' }));
    expect(again.id).toBe('idr_1');
    await store.identities.saveRecord(record({ id: 'idr_2', idempotencyKey: 'key-2', verifiedAt: '2026-03-01T00:00:00.000Z', providerReference: 'later' }));
    expect(await readTable(database, 'identity_records')).toHaveLength(2);
    expect((await store.identities.findValidRecord('person:aa', ['telecom'], '2026-06-01T00:00:00.000Z'))?.providerReference).toBe('later');
  });

  it('lets exactly max_tries tries be taken, only while the window is open and the flow pending', async () => {
    const created = await store.identities.createFlow(flow());
    expect(created).toMatchObject({ tries: 0, maxTries: 3, status: 'pending', recordId: null, evidenceDigests: ['00'] });
    expect((await store.identities.createFlow(flow({ id: 'idf_dup' }))).id).toBe('idf_1');
    const at = '2026-01-02T00:00:00.000Z';
    expect(await store.identities.claimTry('idf_1', at, 'input-0')).toBe('claimed');
    // The same input sent again takes no second try.
    expect(await store.identities.claimTry('idf_1', at, 'input-0')).toBe('replayed');
    const claims = await Promise.all([1, 2, 3, 4].map((n) => store.identities.claimTry('idf_1', at, `input-${n}`)));
    expect(claims.filter((c) => c === 'claimed')).toHaveLength(2);
    expect(claims.filter((c) => c === 'refused')).toHaveLength(2);
    expect(await store.identities.getFlow('idf_1')).toMatchObject({ tries: 3, lastInputKey: expect.stringMatching(/^input-[1-4]$/) });

    await store.identities.createFlow(flow({ id: 'idf_2', idempotencyKey: 'flow-key-2' }));
    expect(await store.identities.claimTry('idf_2', '2026-01-08T00:00:00.000Z', 'late')).toBe('refused');
    await store.identities.updateFlow('idf_2', { status: 'passed', step: 'done', evidenceDigest: '11', recordId: 'idr_1' }, at);
    expect(await store.identities.claimTry('idf_2', at, 'after')).toBe('refused');
    const passed = await store.identities.getFlow('idf_2');
    expect(passed).toMatchObject({ status: 'passed', step: 'done', recordId: 'idr_1', evidenceDigests: ['00', '11'], updatedAt: at });
    // A closed flow is not reopened by a late answer.
    await store.identities.updateFlow('idf_2', { status: 'failed', step: 'done' }, at);
    expect((await store.identities.getFlow('idf_2'))?.status).toBe('passed');
  });
});
