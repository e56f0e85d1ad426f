// 台账导出: the filtered ledger as CSV (UTF-8 with a BOM, so Excel opens Chinese as Chinese)
// or XLSX, with the columns the caller chose. Rows are read in pages and written as they come,
// so an export of 100,000 contracts never holds them all in memory.
import { PassThrough, Readable, pipeline } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { MAX_PAGE_SIZE, type ContractFilter, type ContractSummary, type Store } from '../../store';
import { seesPersonalData, type Principal } from '../access';
import { AppError } from '../errors';
import { maskIdNumber, maskMobile } from '../personal-data';
import { recordAct } from '../audit';
import { defineRoute } from '../route';
import { ContractListQuery, LedgerFilterProperties } from '../schemas';
import { MAX_SELECTION } from './bulk';
import { ledgerFilter } from './contracts';

/** More than this is refused (413): narrow the filter, or page the API. */
export const MAX_EXPORT_ROWS = 100_000;

type LedgerRow = ContractSummary;

/** Names of the tenant's units and users, so the file says 采购部 and 王经理 rather than ids. */
interface Names {
  units: Map<string, string>;
  users: Map<string, string>;
}

/** The columns an export may have, in their default order; `header` is what the first row says. */
export const EXPORT_COLUMNS = {
  id: { header: '合同编号 id', value: (c: LedgerRow, _names: Names) => c.id },
  title: { header: '合同名称 title', value: (c: LedgerRow, _names: Names) => c.title },
  status: { header: '状态 status', value: (c: LedgerRow, _names: Names) => c.status },
  flow: { header: '流程 flow', value: (c: LedgerRow, _names: Names) => c.flowKey },
  flowVersion: { header: '流程版本 flowVersion', value: (c: LedgerRow, _names: Names) => c.flowVersion },
  amount: { header: '金额 amount', value: (c: LedgerRow, _names: Names) => c.amount },
  parties: { header: '签署方 parties', value: (c: LedgerRow, _names: Names) => c.parties.join('; ') },
  sourceKey: { header: '来源单号 sourceKey', value: (c: LedgerRow, _names: Names) => c.sourceKey },
  orgUnit: { header: '所属部门 orgUnit', value: (c: LedgerRow, names: Names) => (c.orgUnit === null ? null : (names.units.get(c.orgUnit) ?? c.orgUnit)) },
  initiator: { header: '发起人 initiator', value: (c: LedgerRow, names: Names) => (c.initiator === null ? null : (names.users.get(c.initiator) ?? c.initiator)) },
  waitingOn: { header: '等待 waitingOn', value: (c: LedgerRow, names: Names) => c.waitingOn.map((slot) => (slot.startsWith('user:') ? (names.users.get(slot.slice(5)) ?? slot) : slot)).join('; ') },
  createdAt: { header: '创建时间 createdAt', value: (c: LedgerRow, _names: Names) => c.createdAt },
  updatedAt: { header: '更新时间 updatedAt', value: (c: LedgerRow, _names: Names) => c.updatedAt },
} as const;
export type ExportColumn = keyof typeof EXPORT_COLUMNS;
const DEFAULT_COLUMNS: ExportColumn[] = ['id', 'title', 'status', 'flow', 'amount', 'parties', 'sourceKey', 'orgUnit', 'initiator', 'createdAt', 'updatedAt'];

// The ledger's own filters and sort (whatever it learns, this export learns too), without its paging.
export const ExportQuery = Type.Object(
  {
    status: ContractListQuery.properties.status,
    ...LedgerFilterProperties,
    sort: ContractListQuery.properties.sort,
    columns: Type.Optional(Type.String({ maxLength: 1000, description: `comma-separated, from: ${Object.keys(EXPORT_COLUMNS).join(', ')}; default ${DEFAULT_COLUMNS.join(',')}` })),
    ids: Type.Optional(Type.String({ maxLength: 200 * 64, description: `a selection: comma-separated contract ids (at most ${MAX_SELECTION}); the other filters still apply` })),
  },
  { additionalProperties: false },
);
type ExportQueryValue = Static<typeof ExportQuery>;

export function parseIds(ids: string | undefined): string[] | undefined {
  if (ids === undefined) return undefined;
  const list = [...new Set(ids.split(',').map((id) => id.trim()).filter(Boolean))];
  if (list.length === 0 || list.length > MAX_SELECTION) {
    throw new AppError('invalid_query', `A selection names 1 to ${MAX_SELECTION} contracts; this one names ${list.length}`, { details: [{ path: '/ids', message: `names ${list.length} contracts, not 1 to ${MAX_SELECTION}` }] });
  }
  return list;
}

export function parseColumns(columns: string | undefined): ExportColumn[] {
  if (columns === undefined || columns.trim() === '') return DEFAULT_COLUMNS;
  const names = columns.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = names.filter((n) => !Object.hasOwn(EXPORT_COLUMNS, n));
  if (unknown.length) {
    throw new AppError('invalid_query', `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the columns are ${Object.keys(EXPORT_COLUMNS).join(', ')}`, { details: [{ path: '/columns', message: `names unknown columns: ${unknown.join(', ')}` }] });
  }
  return [...new Set(names)] as ExportColumn[];
}

/** Every contract the filter matches, in the ledger's order, a page at a time (the ledger's cursor). */
async function* ledgerRows(store: Store, filter: ContractFilter): AsyncGenerator<LedgerRow[]> {
  let cursor: string | undefined;
  do {
    const page = await store.contracts.list({ ...filter, cursor, limit: MAX_PAGE_SIZE });
    if (page.items.length) yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** A mainland mobile or a resident ID number inside free text. */
const MOBILE_IN_TEXT = /(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)/g;
const ID_NUMBER_IN_TEXT = /(?<!\d)\d{17}[\dXx](?![\dXx])/g;

/**
 * An export leaves the hub as a file: free text (titles, parties, source keys) that holds a
 * mobile or an ID number gets it masked, the way the contract page masks signers' own, for
 * everyone server/access.ts does not let see personal data.
 */
function masker(principal: Principal): (cell: unknown) => unknown {
  if (seesPersonalData(principal)) return (cell) => cell;
  return (cell) => (typeof cell === 'string' ? cell.replace(ID_NUMBER_IN_TEXT, maskIdNumber).replace(MOBILE_IN_TEXT, maskMobile) : cell);
}

/** The rows as cell arrays, masked, with a running count checked against the cap. */
async function* cells(store: Store, filter: ContractFilter, columns: ExportColumn[], principal: Principal): AsyncGenerator<unknown[]> {
  const mask = masker(principal);
  const names: Names = {
    units: columns.includes('orgUnit') ? new Map((await store.orgUnits.list(principal.tenantId)).map((u) => [u.id, u.name])) : new Map(),
    users: columns.includes('initiator') || columns.includes('waitingOn') ? new Map((await store.users.list(principal.tenantId)).map((u) => [u.id, u.name])) : new Map(),
  };
  for await (const page of ledgerRows(store, filter)) {
    for (const row of page) {
      yield columns.map((c) => mask(EXPORT_COLUMNS[c].value(row, names) ?? null));
    }
  }
}

/** How many rows the export will have; 413 when more than it may. */
async function refuseTooMany(store: Store, filter: ContractFilter, maxRows: number): Promise<number> {
  const { counts, total: all } = await store.contracts.counts(filter);
  // counts() answers every status (the ledger's tabs): a status filter takes its own.
  const total = filter.status ? counts[filter.status] : all;
  if (total > maxRows) {
    throw new AppError('export_too_large', `The filter matches ${total} contracts; an export holds at most ${maxRows}. Narrow it (dates, status, flow).`, { status: 413, details: [{ path: '/', message: `matches ${total} contracts, more than ${maxRows}` }] });
  }
  return total;
}

/**
 * CSV as RFC 4180 has it (CRLF, fields quoted where needed) with a UTF-8 BOM. A cell starting
 * with = + - @ (or a tab / CR) gets a leading ' so a spreadsheet shows it instead of running it.
 */
export function csvStream(header: string[], rows: AsyncIterable<unknown[]>): Readable {
  const csv = stringify({ bom: true, record_delimiter: 'windows', escape_formulas: true, cast: { boolean: (v) => (v ? 'true' : 'false') } });
  csv.write(header);
  pipeline(Readable.from(rows), csv, () => {});
  return csv;
}

/** XLSX through exceljs's streaming writer: each row is committed (written out) as it comes. Strings stay strings: nothing becomes a formula. */
function xlsxStream(sheetName: string, header: string[], rows: AsyncIterable<unknown[]>): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  void (async () => {
    const head = sheet.addRow(header);
    head.font = { bold: true };
    head.commit();
    for await (const row of rows) sheet.addRow(row).commit();
    sheet.commit();
    await workbook.commit();
  })().catch((error: unknown) => out.destroy(error as Error));
  return out;
}

const stamp = () => new Date().toISOString().slice(0, 10);

/** `maxRows`: more than this is refused (default MAX_EXPORT_ROWS). */
export function ledgerExportRoutes(store: Store, { maxRows = MAX_EXPORT_ROWS }: { maxRows?: number } = {}) {
  const exportAs = (format: 'csv' | 'xlsx') =>
    defineRoute({
      method: 'get', path: `/api/contracts/export.${format}`, tag: 'contracts', access: 'contracts.read', query: ExportQuery,
      summary: format === 'csv'
        ? 'The filtered ledger as CSV (UTF-8 with BOM, RFC 4180, formula-like cells neutralised); the same filters as GET /api/contracts, columns chosen with ?columns='
        : 'The filtered ledger as an Excel workbook (XLSX); the same filters as GET /api/contracts, columns chosen with ?columns=',
      responses: {
        200: { description: `the ${format.toUpperCase()} file`, contentType: format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
        400: { description: 'an unknown column or filter' },
        413: { description: `the filter matches more than ${maxRows} contracts` },
      },
      handler: async ({ query, actor, req }) => {
        const { columns: chosen, sort, ids, ...filters } = query as ExportQueryValue;
        const columns = parseColumns(chosen);
        const filter: ContractFilter = { ...(await ledgerFilter(store, filters, actor!)), sort, ids: parseIds(ids) };
        const total = await refuseTooMany(store, filter, maxRows);
        // Who took which part of the ledger out of the hub, and how much of it.
        await recordAct(store, { actor: actor!, req, action: `get /api/contracts/export.${format}`, details: { rows: total, columns, filters: { ...filters, sort, ...(filter.ids ? { ids: filter.ids } : {}) } } });
        const header = columns.map((c) => EXPORT_COLUMNS[c].header);
        const rows = cells(store, filter, columns, actor!);
        const filename = `contracts-${stamp()}.${format}`;
        return {
          body: format === 'csv' ? csvStream(header, rows) : xlsxStream('合同台账', header, rows),
          contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          headers: { 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' },
        };
      },
    });
  return [exportAs('csv'), exportAs('xlsx')];
}
