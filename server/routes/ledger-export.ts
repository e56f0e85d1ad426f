// 台账导出: the filtered ledger as CSV (UTF-8 with a BOM, so Excel opens Chinese as Chinese)
// or XLSX, with the columns the caller chose. Rows are read in pages and written as they come,
// so an export of 100,000 contracts never holds them all in memory.
import { PassThrough, Readable, pipeline } from 'node:stream';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { ContractState } from '../../flows';
import { MAX_PAGE_SIZE, type ContractFilter, type ContractSummary, type Store } from '../../store';
import { contractScope, seesPersonalData, type Principal } from '../access';
import { AppError } from '../errors';
import { maskContract } from '../personal-data';
import { defineRoute } from '../route';
import { ContractListQuery } from '../schemas';

/** More than this is refused (413): narrow the filter, or page the API. */
export const MAX_EXPORT_ROWS = 100_000;

/** What the ledger list may carry besides the base summary (parties, unit, initiator), read when present. */
type LedgerRow = ContractSummary & { parties?: unknown; orgUnit?: unknown; initiator?: unknown };

/** A value as one cell's text: lists joined, {name}/{id} objects by name. */
function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(text).filter((v) => v !== null).join('; ');
  if (typeof value === 'object') return text((value as { name?: unknown; id?: unknown }).name ?? (value as { id?: unknown }).id);
  return String(value);
}

/** The columns an export may have, in their default order; `header` is what the first row says. */
export const EXPORT_COLUMNS = {
  id: { header: '合同编号 id', value: (c: LedgerRow) => c.id },
  title: { header: '合同名称 title', value: (c: LedgerRow) => c.title },
  status: { header: '状态 status', value: (c: LedgerRow) => c.status },
  flow: { header: '流程 flow', value: (c: LedgerRow) => c.flowKey },
  flowVersion: { header: '流程版本 flowVersion', value: (c: LedgerRow) => c.flowVersion },
  amount: { header: '金额 amount', value: (c: LedgerRow) => c.amount },
  parties: { header: '签署方 parties', value: (c: LedgerRow) => text(c.parties) },
  sourceKey: { header: '来源单号 sourceKey', value: (c: LedgerRow) => c.sourceKey },
  orgUnit: { header: '所属部门 orgUnit', value: (c: LedgerRow) => text(c.orgUnit) },
  initiator: { header: '发起人 initiator', value: (c: LedgerRow) => text(c.initiator) },
  waitingOn: { header: '等待 waitingOn', value: (c: LedgerRow) => text(c.waitingOn) },
  createdAt: { header: '创建时间 createdAt', value: (c: LedgerRow) => c.createdAt },
  updatedAt: { header: '更新时间 updatedAt', value: (c: LedgerRow) => c.updatedAt },
} as const;
export type ExportColumn = keyof typeof EXPORT_COLUMNS;
const DEFAULT_COLUMNS: ExportColumn[] = ['id', 'title', 'status', 'flow', 'amount', 'parties', 'sourceKey', 'orgUnit', 'initiator', 'createdAt', 'updatedAt'];

// The ledger's own filters (whatever it learns, this export learns too), less its paging.
const { page: _page, pageSize: _pageSize, cursor: _cursor, limit: _limit, ...ledgerFilters } = ContractListQuery.properties as Record<string, TSchema>;
export const ExportQuery = Type.Object(
  { ...ledgerFilters, columns: Type.Optional(Type.String({ description: `comma-separated, from: ${Object.keys(EXPORT_COLUMNS).join(', ')}; default ${DEFAULT_COLUMNS.join(',')}` })) },
  { additionalProperties: false },
);
type ExportQueryValue = Static<typeof ExportQuery> & Record<string, unknown>;

export function parseColumns(columns: string | undefined): ExportColumn[] {
  if (columns === undefined || columns.trim() === '') return DEFAULT_COLUMNS;
  const names = columns.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in EXPORT_COLUMNS));
  if (unknown.length) {
    throw new AppError('invalid_query', `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the columns are ${Object.keys(EXPORT_COLUMNS).join(', ')}`, { details: [{ path: '/columns', message: `names unknown columns: ${unknown.join(', ')}` }] });
  }
  return [...new Set(names)] as ExportColumn[];
}

/** A bare date as `to` means the whole of that day (as the ledger reads it). */
const endOf = (to: unknown) => (typeof to === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : (to as string | undefined));

/** The ledger filter these query parameters stand for, in the caller's scope. */
export function ledgerFilter(query: ExportQueryValue, principal: Principal): ContractFilter {
  const { columns: _columns, ...filters } = query;
  return { ...(filters as Omit<ContractFilter, 'scope'>), to: endOf(filters.to), scope: contractScope(principal) };
}

/**
 * Every contract the filter matches, in the ledger's order, one page at a time. The ledger
 * pages by number today; a contract started during the export may shift a row by one page.
 */
async function* ledgerRows(store: Store, filter: ContractFilter): AsyncGenerator<LedgerRow[]> {
  for (let page = 1; ; page++) {
    const { items } = await store.contracts.list({ ...filter, page, pageSize: MAX_PAGE_SIZE });
    if (items.length) yield items;
    if (items.length < MAX_PAGE_SIZE) return;
  }
}

/**
 * Free text (titles, parties, source keys) may hold a mobile or an ID number: masked for those
 * who may not see them, by the same rule the contract detail uses.
 */
function masker(principal: Principal) {
  if (seesPersonalData(principal)) return (cells: Record<string, unknown>) => cells;
  return (cells: Record<string, unknown>) => maskContract({ data: cells, signers: [], timeline: [] } as unknown as ContractState).data;
}

/** The rows as cell arrays, masked, with a running count checked against the cap. */
async function* cells(store: Store, filter: ContractFilter, columns: ExportColumn[], principal: Principal): AsyncGenerator<unknown[]> {
  const mask = masker(principal);
  for await (const page of ledgerRows(store, filter)) {
    for (const row of page) {
      const masked = mask(Object.fromEntries(columns.map((c) => [c, EXPORT_COLUMNS[c].value(row)])));
      yield columns.map((c) => masked[c] ?? null);
    }
  }
}

async function refuseTooMany(store: Store, filter: ContractFilter) {
  const { total } = await store.contracts.list({ ...filter, page: 1, pageSize: 1 });
  if (total > MAX_EXPORT_ROWS) {
    throw new AppError('export_too_large', `The filter matches ${total} contracts; an export holds at most ${MAX_EXPORT_ROWS}. Narrow it (dates, status, flow).`, { status: 413, details: [{ path: '/', message: `matches ${total} contracts, more than ${MAX_EXPORT_ROWS}` }] });
  }
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

export function ledgerExportRoutes(store: Store) {
  const exportAs = (format: 'csv' | 'xlsx') =>
    defineRoute({
      method: 'get', path: `/api/contracts/export.${format}`, tag: 'contracts', access: 'contracts.read', query: ExportQuery,
      summary: format === 'csv'
        ? 'The filtered ledger as CSV (UTF-8 with BOM, RFC 4180, formula-like cells neutralised); the same filters as GET /api/contracts, columns chosen with ?columns='
        : 'The filtered ledger as an Excel workbook (XLSX); the same filters as GET /api/contracts, columns chosen with ?columns=',
      responses: {
        200: { description: `the ${format.toUpperCase()} file`, contentType: format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
        400: { description: 'an unknown column or filter' },
        413: { description: `the filter matches more than ${MAX_EXPORT_ROWS} contracts` },
      },
      handler: async ({ query, actor }) => {
        const columns = parseColumns((query as ExportQueryValue).columns);
        const filter = ledgerFilter(query as ExportQueryValue, actor!);
        await refuseTooMany(store, filter);
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
