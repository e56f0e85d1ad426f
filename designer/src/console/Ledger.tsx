// 合同台账: tabs by status with counts, filters, a Chinese-capable search, sort, cursor
// paging ("load more"), and bulk actions on the ticked rows (nudge, signed PDFs as a zip),
// plus the export of the filtered ledger with the columns the user picks.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CONTRACT_STATUSES, type ContractStatus } from '../../../flows';
import { ApiError, api, links, nameOf, saveBlob, type ContractSummary, type LedgerFilters, type SessionUser } from './api';
import { useContractEvents } from './events';
import { formatAmount, formatTime } from './format';
import { EXPORT_COLUMNS, useLedger } from './ledger-store';
import { mayAct, mayDownloadEvidence } from './roles';
import { linkProps } from './routes';

const PAGE = 50;

interface Page {
  items: ContractSummary[];
  nextCursor: string | null;
  total: number;
}

export function Ledger({ user }: { user: SessionUser }) {
  const { t, i18n } = useTranslation();
  const { filters, setFilters, resetFilters, selected, toggle, setSelected } = useLedger();
  const [page, setPage] = useState<Page | null>(null);
  const [counts, setCounts] = useState<{ counts: Partial<Record<ContractStatus, number>>; total: number } | null>(null);
  const [flows, setFlows] = useState<{ key: string; name: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // The search box answers as one types, but asks the hub only once typing pauses.
  const [search, setSearch] = useState(filters.q ?? '');
  const loaded = useRef(0);
  const request = useRef(0);

  useEffect(() => {
    api.flows().then(setFlows, () => setFlows([]));
  }, []);
  // A notice speaks the language it was written in: a switch clears it.
  useEffect(() => setNotice(null), [i18n.language]);
  useEffect(() => {
    const timer = setTimeout(() => search.trim() !== (filters.q ?? '') && setFilters({ q: search.trim() || undefined }), 300);
    return () => clearTimeout(timer);
  }, [search, filters.q, setFilters]);

  /** The first page again, or as many rows as are shown when a live update comes in. */
  const refetch = useCallback(
    async (keepRows = false) => {
      const mine = ++request.current;
      try {
        const [list, tally] = await Promise.all([api.contracts(filters, null, keepRows ? Math.min(200, Math.max(PAGE, loaded.current)) : PAGE), api.counts(filters)]);
        if (mine !== request.current) return;
        loaded.current = list.items.length;
        setPage(list);
        setCounts(tally);
        setError(null);
      } catch (caught) {
        if (mine === request.current) setError(describe(caught));
      }
    },
    [filters],
  );
  useEffect(() => {
    void refetch();
  }, [refetch]);
  useContractEvents(() => void refetch(true), undefined, 1000);

  const loadMore = async () => {
    if (!page?.nextCursor) return;
    setLoadingMore(true);
    try {
      const more = await api.contracts(filters, page.nextCursor, PAGE);
      setPage({ items: [...page.items, ...more.items], nextCursor: more.nextCursor, total: more.total });
      loaded.current = page.items.length + more.items.length;
    } catch (caught) {
      setError(describe(caught));
    } finally {
      setLoadingMore(false);
    }
  };

  const shown = page?.items ?? [];
  const allTicked = shown.length > 0 && shown.every((c) => selected.includes(c.id));
  const tickAll = () => setSelected(allTicked ? selected.filter((id) => !shown.some((c) => c.id === id)) : [...new Set([...selected, ...shown.map((c) => c.id)])]);

  const bulkNudge = async () => {
    try {
      const { results } = await api.bulkNudge(selected);
      const nudged = results.filter((r) => r.outcome === 'nudged').length;
      const titles = new Map(shown.map((c) => [c.id, c.title ?? c.id]));
      const refused = results.flatMap((r) => (r.outcome === 'nudged' ? [] : [`${titles.get(r.id) ?? r.id}: ${r.message}`]));
      setNotice([t('console.bulk.nudged', { nudged, total: results.length }), ...refused].join('；'));
    } catch (caught) {
      setNotice(describe(caught));
    }
  };
  const bulkEvidence = async () => {
    try {
      saveBlob(await api.evidenceZip(selected), 'evidence-packages.zip');
    } catch (caught) {
      setNotice(describe(caught));
    }
  };
  const bulkZip = async () => {
    try {
      saveBlob(await api.signedZip(selected), 'signed-contracts.zip');
    } catch (caught) {
      setNotice(describe(caught));
    }
  };

  return (
    <section className="ledger" aria-labelledby="ledger-title">
      <div className="page-head">
        <h1 id="ledger-title">{t('console.ledger.title')}</h1>
        <span className="muted" data-testid="ledger-total">
          {page ? t('console.ledger.total', { count: page.total }) : ''}
        </span>
      </div>

      <div role="tablist" aria-label={t('console.ledger.byStatus')} className="status-tabs" data-testid="status-tabs" onKeyDown={moveBetweenTabs}>
        {[undefined, ...CONTRACT_STATUSES].map((status) => (
          <button
            key={status ?? 'all'}
            type="button"
            role="tab"
            aria-selected={filters.status === status}
            tabIndex={filters.status === status ? 0 : -1}
            data-status={status ?? 'all'}
            onClick={() => setFilters({ status })}
          >
            {status ? t(`console.status.${status}`) : t('console.ledger.all')}
            <span className="count" data-testid={`count-${status ?? 'all'}`}>
              {counts ? (status ? (counts.counts[status] ?? 0) : counts.total) : '·'}
            </span>
          </button>
        ))}
      </div>

      <Filters user={user} filters={filters} setFilters={setFilters} resetFilters={() => (resetFilters(), setSearch(''))} flows={flows} search={search} setSearch={setSearch} />

      {selected.length > 0 && (
        <div className="bulk-bar" role="region" aria-label={t('console.bulk.label')} data-testid="bulk-bar">
          <span>{t('console.bulk.selected', { count: selected.length })}</span>
          {mayAct(user) && (
            <button type="button" onClick={bulkNudge} data-testid="bulk-nudge">
              {t('console.bulk.nudge')}
            </button>
          )}
          <button type="button" onClick={bulkZip} data-testid="bulk-zip">
            {t('console.bulk.signedZip')}
          </button>
          {mayDownloadEvidence(user) && (
            <button type="button" onClick={bulkEvidence} data-testid="bulk-evidence">
              {t('console.bulk.evidenceZip')}
            </button>
          )}
          <button type="button" className="link" onClick={() => setSelected([])}>
            {t('console.bulk.clear')}
          </button>
        </div>
      )}
      <ExportPanel filters={filters} selected={selected} />
      {notice && (
        <p className="notice" role="status" data-testid="ledger-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <div className="table-wrap">
        <table className="ledger-table" data-testid="ledger">
          <caption className="visually-hidden">{t('console.ledger.title')}</caption>
          <thead>
            <tr>
              <th scope="col" className="tick">
                <input type="checkbox" checked={allTicked} onChange={tickAll} aria-label={t('console.ledger.tickAll')} />
              </th>
              <th scope="col">{t('console.ledger.contract')}</th>
              <th scope="col">{t('console.ledger.status')}</th>
              <th scope="col">{t('console.ledger.parties')}</th>
              <th scope="col" className="num">{t('console.ledger.amount')}</th>
              <th scope="col">{t('console.ledger.waitingOn')}</th>
              <th scope="col">{t('console.ledger.created')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((contract) => (
              <tr key={contract.id} data-testid="ledger-row" data-id={contract.id} data-selected={selected.includes(contract.id)}>
                <td className="tick">
                  <input type="checkbox" checked={selected.includes(contract.id)} onChange={() => toggle(contract.id)} aria-label={t('console.ledger.tick', { title: contract.title ?? contract.id })} />
                </td>
                <td>
                  <a {...linkProps({ screen: 'contract', id: contract.id })} className="contract-link">
                    {contract.title ?? contract.id}
                  </a>
                  <div className="muted small">
                    {contract.flowName ?? contract.flowKey}
                    {contract.sourceKey ? ` · ${contract.sourceKey}` : ''}
                  </div>
                </td>
                <td>
                  <StatusTag status={contract.status} />
                </td>
                <td className="parties">{(contract.parties ?? []).join('、') || '—'}</td>
                <td className="num">{formatAmount(contract.amount)}</td>
                <td>{contract.waitingOn.length ? contract.waitingOn.map((slot) => slot.replace(/^(role|user):/, '')).join('、') : '—'}</td>
                <td className="nowrap">{formatTime(contract.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page && shown.length === 0 && <p className="empty muted">{t('console.ledger.empty')}</p>}
      </div>
      {page?.nextCursor && (
        <button type="button" className="load-more" onClick={loadMore} disabled={loadingMore} data-testid="load-more">
          {loadingMore ? t('console.loading') : t('console.ledger.loadMore', { shown: shown.length, total: page.total })}
        </button>
      )}
    </section>
  );
}

/** The tab list as ARIA's tabs pattern has it: one tab stop, arrows (and Home/End) move between tabs. */
function moveBetweenTabs(event: React.KeyboardEvent<HTMLDivElement>) {
  const tabs = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const at = tabs.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const tab = tabs[(next + tabs.length) % tabs.length]!;
  tab.focus();
  tab.click();
}

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`status-tag status-${status}`} data-testid="status">
      {t(`console.status.${status}`, { defaultValue: status })}
    </span>
  );
}

function Filters(props: {
  user: SessionUser;
  filters: LedgerFilters;
  setFilters: (change: Partial<LedgerFilters>) => void;
  resetFilters: () => void;
  flows: { key: string; name: string }[];
  search: string;
  setSearch: (q: string) => void;
}) {
  const { t } = useTranslation();
  const { filters, setFilters, user } = props;
  const text = (name: 'party' | 'amountMin' | 'amountMax' | 'from' | 'to') => ({
    name,
    value: filters[name] ?? '',
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setFilters({ [name]: e.target.value || undefined }),
  });
  return (
    <form className="filters" role="search" aria-label={t('console.filters.label')} onSubmit={(e) => e.preventDefault()}>
      <label className="search">
        <span className="visually-hidden">{t('console.filters.search')}</span>
        <input type="search" name="q" placeholder={t('console.filters.searchPlaceholder')} value={props.search} onChange={(e) => props.setSearch(e.target.value)} data-testid="search" />
      </label>
      <label>
        {t('console.filters.flow')}
        <select name="flow" value={filters.flow ?? ''} onChange={(e) => setFilters({ flow: e.target.value || undefined })}>
          <option value="">{t('console.filters.anyFlow')}</option>
          {props.flows.map((flow) => (
            <option key={flow.key} value={flow.key}>
              {flow.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('console.filters.party')}
        <input {...text('party')} />
      </label>
      <fieldset className="range">
        <legend>{t('console.filters.amount')}</legend>
        <input type="number" min="0" inputMode="decimal" aria-label={t('console.filters.amountMin')} placeholder={t('console.filters.min')} {...text('amountMin')} />
        <span aria-hidden="true">–</span>
        <input type="number" min="0" inputMode="decimal" aria-label={t('console.filters.amountMax')} placeholder={t('console.filters.max')} {...text('amountMax')} />
      </fieldset>
      <fieldset className="range">
        <legend>{t('console.filters.created')}</legend>
        <input type="date" aria-label={t('console.filters.from')} {...text('from')} />
        <span aria-hidden="true">–</span>
        <input type="date" aria-label={t('console.filters.to')} {...text('to')} />
      </fieldset>
      <fieldset className="checks">
        <legend className="visually-hidden">{t('console.filters.whose')}</legend>
        <label className="check">
          <input type="checkbox" name="mine" checked={Boolean(filters.mine)} onChange={(e) => setFilters({ mine: e.target.checked || undefined })} />
          {t('console.filters.mine')}
        </label>
        <label className="check">
          <input type="checkbox" name="team" checked={Boolean(filters.team)} onChange={(e) => setFilters({ team: e.target.checked || undefined })} />
          {t('console.filters.team')}
        </label>
        <label className="check">
          <input type="checkbox" name="waitingOnMe" checked={filters.waitingOn === user.id} onChange={(e) => setFilters({ waitingOn: e.target.checked ? user.id : undefined })} />
          {t('console.filters.waitingOnMe')}
        </label>
      </fieldset>
      <label>
        {t('console.filters.sort')}
        <select name="sort" value={filters.sort ?? '-created'} onChange={(e) => setFilters({ sort: e.target.value })}>
          {['-created', 'created', '-updated', 'updated', '-amount', 'amount'].map((sort) => (
            <option key={sort} value={sort}>
              {t(`console.sort.${sort}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="link" onClick={props.resetFilters}>
        {t('console.filters.reset')}
      </button>
    </form>
  );
}

/** Exports the filtered ledger or, when rows are ticked, only those. */
function ExportPanel({ filters, selected }: { filters: LedgerFilters; selected: string[] }) {
  const { t } = useTranslation();
  const { columns, toggleColumn } = useLedger();
  const [open, setOpen] = useState(false);
  const href = useMemo(() => (format: 'csv' | 'xlsx') => links.export(format, filters, columns, selected), [filters, columns, selected]);
  return (
    <details className="export" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)} data-testid="export">
      <summary>{t('console.export.title')}</summary>
      <fieldset className="columns">
        <legend>{t('console.export.columns')}</legend>
        {EXPORT_COLUMNS.map((column) => (
          <label key={column} className="check">
            <input type="checkbox" name="column" value={column} checked={columns.includes(column)} onChange={() => toggleColumn(column)} />
            {t(`console.columns.${column}`)}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <a className="button" href={href('csv')} download data-testid="export-csv" aria-disabled={columns.length === 0}>
          {t('console.export.csv')}
        </a>
        <a className="button" href={href('xlsx')} download data-testid="export-xlsx" aria-disabled={columns.length === 0}>
          {t('console.export.xlsx')}
        </a>
        <span className="muted small">{selected.length ? t('console.export.hintSelected', { count: selected.length }) : t('console.export.hint')}</span>
      </div>
    </details>
  );
}

export function describe(caught: unknown): string {
  if (caught instanceof ApiError) return caught.details.length ? `${caught.message} (${caught.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : caught.message;
  return caught instanceof Error ? caught.message : String(caught);
}
