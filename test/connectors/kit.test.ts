// The kit's own rules, with an in-memory connector: mapping errors, cursor movement,
// dead letters, registry descriptions, health, SAP value formats.
import { describe, expect, it } from 'vitest';
import {
  compileMapping, ConnectorError, defineConnector, emptyHealth, listConnectors, publicSettings, recordSync, splitSecrets, syncOnce,
  type SourceItem,
} from '../../connectors';
import { Type } from '@sinclair/typebox';
import { lineAmount, sumDecimals } from '../../connectors/sap/decimal';
import { keyPredicate, parseODataDate, parseODataDateTime } from '../../connectors/sap/odata-v2';
import { getConnector } from '../../connectors/registry';
import { createContractBook } from './support';

/** A source of `count` records in pages of `pageSize`; the cursor is the last index handled. */
function listConnector(records: Array<Record<string, unknown>>, pageSize: number) {
  return defineConnector({
    id: 'test_list',
    displayName: 'Test list',
    description: 'records from memory',
    auth: { schema: Type.Object({}) },
    triggers: {
      poll: {
        kind: 'poll',
        defaultEveryMinutes: 1,
        async fetchSince(_ctx, cursor) {
          const from = cursor === null ? 0 : Number(cursor) + 1;
          const items: SourceItem[] = records.slice(from, from + pageSize).map((record, i) => ({ sourceKey: String(record.key), record, cursor: String(from + i) }));
          return { items, nextCursor: items.at(-1)?.cursor ?? cursor, hasMore: from + pageSize < records.length };
        },
      },
    },
    actions: {},
  });
}

const records = Array.from({ length: 25 }, (_, i) => ({ key: `R${i}`, amount: String(i * 10), name: i === 7 ? null : `name ${i}` }));

describe('mappings', () => {
  it('names the expression and position when a mapping does not parse', () => {
    const error = (() => { try { compileMapping('{ "amount": $number(amount ') } catch (e) { return e } })();
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'mapping_failed', retryable: false });
    expect((error as Error).message).toContain('`{ "amount": $number(amount `');
    expect((error as Error).message).toMatch(/position \d+/);
  });

  it('names the expression and the record when a mapping fails on one record', async () => {
    const mapping = compileMapping('{ "amount": $number(amount), "upper": $uppercase(name) & "!" }');
    await expect(mapping.apply({ amount: '12.5', name: 'x' }, 'R1')).resolves.toEqual({ amount: 12.5, upper: 'X!' });
    const error = await mapping.apply({ amount: 'twelve', name: 'x' }, 'R2').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Mapping expression `\{ "amount": \$number\(amount\).*` failed for record R2/);
    expect(error).toMatchObject({ details: { sourceKey: 'R2', expression: expect.stringContaining('$number(amount)') } });
  });

  it('refuses a mapping that produces no object', async () => {
    await expect(compileMapping('amount').apply({ amount: 1 }, 'R3')).rejects.toThrow(/must produce an object .* produced a number/);
  });
});

describe('syncOnce', () => {
  it('passes a record whose mapping fails for good, reports it, and keeps going', async () => {
    const book = createContractBook();
    const result = await syncOnce({
      connector: listConnector(records, 10),
      instance: { id: 'list', flow: 'f', mapping: '{ "name": $uppercase(name), "amount": $number(amount) }', settings: {} },
      cursor: null,
      startContract: book.startContract,
    });
    // $uppercase(null) fails for R7 only.
    expect(result).toMatchObject({ read: 25, started: 24, skipped: 1, cursor: '24', hasMore: false });
    expect(result.errors).toEqual([expect.objectContaining({ sourceKey: 'R7', code: 'mapping_failed', retryable: false })]);
  });

  it('moves the cursor only over the handled prefix when a start fails, even with starts in parallel', async () => {
    const book = createContractBook();
    book.failOnCall(13);
    const cursors: Array<string | null> = [];
    const instance = { id: 'list', flow: 'f', mapping: '{ "amount": $number(amount) }', settings: {} };
    const first = await syncOnce({ connector: listConnector(records, 10), instance, cursor: null, startContract: book.startContract, concurrency: 4, onCursor: (c) => void cursors.push(c) });
    expect(first.failure).toMatchObject({ retryable: true });
    const failedKey = first.failure!.sourceKey!;
    // Never past the failed record; never backwards.
    expect(Number(first.cursor)).toBeLessThan(Number(failedKey.slice(1)));
    expect(cursors.map(Number)).toEqual([...cursors.map(Number)].sort((a, b) => a - b));
    book.failOnCall(undefined);
    const second = await syncOnce({ connector: listConnector(records, 10), instance, cursor: first.cursor, startContract: book.startContract, concurrency: 4 });
    expect(second.failure).toBeUndefined();
    expect(new Set(book.sourceKeys()).size).toBe(25);
    expect(first.started + second.started).toBe(25);
  });

  it('stops at maxItems and says there is more', async () => {
    const book = createContractBook();
    const result = await syncOnce({ connector: listConnector(records, 10), instance: { id: 'list', flow: 'f', mapping: '{"k": key}', settings: {} }, cursor: null, startContract: book.startContract, maxItems: 10 });
    expect(result).toMatchObject({ read: 10, started: 10, cursor: '9', hasMore: true });
  });

  it('refuses settings that do not fit the connector without calling the source', async () => {
    const sap = getConnector('sap_purchase_orders')!;
    const book = createContractBook();
    const result = await syncOnce({ connector: sap, instance: { id: 'sap', flow: 'f', mapping: '{}', settings: { purchaseOrderServiceUrl: 'ftp://x' } }, cursor: null, startContract: book.startContract });
    expect(result.failure).toMatchObject({ code: 'invalid_settings', retryable: false });
    expect(result.failure!.message).toContain('/settings/purchaseOrderServiceUrl');
  });
});

describe('registry and settings', () => {
  it('lists every connector as data, with snake_case ids and secret fields marked', () => {
    const list = listConnectors();
    expect(list.map((c) => c.id)).toEqual(['sap_purchase_orders', 'oa_workflow', 'ehr_new_hires', 'srm_supplier_onboarding', 'bpm_webhook']);
    expect(JSON.parse(JSON.stringify(list))).toEqual(list); // nothing but data
    expect(list.find((c) => c.id === 'sap_purchase_orders')).toMatchObject({ secretFields: ['password'], actions: ['writeBack'], triggers: [{ kind: 'poll', defaultEveryMinutes: 15 }, { kind: 'webhook' }] });
    expect(list.find((c) => c.id === 'oa_workflow')!.actions).toEqual(['delegateApproval', 'approvalDecision', 'parseApprovalCallback', 'writeBack']);
  });

  it('never gives secrets back', () => {
    const sap = getConnector('sap_purchase_orders')!;
    const settings = { purchaseOrderServiceUrl: 'https://s4', username: 'U', password: 'p@ss' };
    expect(publicSettings(sap, settings)).toEqual({ settings: { purchaseOrderServiceUrl: 'https://s4', username: 'U' }, secretsSet: ['password'] });
    expect(splitSecrets(sap, settings).secrets).toEqual({ password: 'p@ss' });
  });

  it('adds a sync to the health counters', () => {
    const at = new Date('2024-05-01T10:00:00Z');
    let health = recordSync(emptyHealth('sap'), { read: 10, started: 8, changed: 1, skipped: 1, errors: [] }, at);
    health = recordSync(health, { read: 2, started: 0, changed: 0, skipped: 0, errors: [{ code: 'source_unreachable', message: 'down', retryable: true }], failure: { code: 'source_unreachable', message: 'down', retryable: true } }, new Date('2024-05-01T10:15:00Z'));
    expect(health).toMatchObject({ recordsRead: 12, contractsStarted: 8, changesReported: 1, errors: 1, consecutiveFailures: 1, lastSuccessAt: at.toISOString(), lastError: { code: 'source_unreachable' } });
  });
});

describe("SAP's OData V2 values", () => {
  it('reads /Date(...)/ and /Date(...+0000)/ exactly', () => {
    expect(parseODataDateTime('/Date(1709280001000+0000)/')).toBe('2024-03-01T08:00:01.000Z');
    expect(parseODataDateTime('/Date(1709280001123)/')).toBe('2024-03-01T08:00:01.123Z');
    // The number is UTC; the offset says where it was entered (as UI5 and the Cloud SDK read it).
    expect(parseODataDateTime('/Date(1709280001000+0480)/')).toBe('2024-03-01T08:00:01.000Z');
    expect(parseODataDateTime('/Date(-86400000)/')).toBe('1969-12-31T00:00:00.000Z');
    expect(parseODataDate('/Date(1709164800000)/')).toBe('2024-02-29');
    expect(() => parseODataDateTime('/Date(abc)/')).toThrow(/not an OData V2 date/);
  });

  it('keeps Edm.Decimal exact', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.30');
    expect(sumDecimals(['1004.149', '2008.298', '3012.447'], 3)).toBe('6024.894');
    expect(lineAmount('30.000', '1000.003', '1')).toBe('30000.09');
    expect(lineAmount('3', '10.005', '1')).toBe('30.02');
    expect(lineAmount('1', '100', '3')).toBe('33.33');
    expect(lineAmount('-1', '0.005')).toBe('-0.01');
  });

  it('writes key predicates as SAP expects them', () => {
    expect(keyPredicate({ PurchaseOrder: '4500000001' })).toBe("('4500000001')");
    expect(keyPredicate({ PurchaseOrder: '4500000001', TextObjectType: 'F01', Language: 'EN' })).toBe("(PurchaseOrder='4500000001',TextObjectType='F01',Language='EN')");
    expect(keyPredicate({ Name: "O'Brien" })).toBe("('O''Brien')");
  });
});
