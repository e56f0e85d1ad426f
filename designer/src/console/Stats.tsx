// 用量统计: contracts started and completed, time to complete and time in each stage, by
// month, by flow and by org unit. Loaded lazily with its chart library (Chart.tsx).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Stats as StatsAnswer, type StatsRow } from './api';
import { Bars } from './Chart';
import { useContractEvents } from './events';
import { formatDuration } from './format';
import { describe } from './Ledger';

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The label of a breakdown row: its name, else its key (a month, a flow key, a unit id); the unit-less row is the tenant's top. */
const labelOf = (row: StatsRow, top = '—') => {
  const label = row.label ?? row.name ?? row.month ?? row.flowKey ?? row.flow ?? row.orgUnit ?? row.unit ?? row.key;
  return label == null || label === '' ? top : String(label);
};
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Milliseconds in a duration field: `…Ms` numbers as they are, seconds/hours converted. */
function durationOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') {
    const fields = value as Record<string, unknown>;
    for (const name of ['averageMs', 'avgMs', 'meanMs', 'medianMs', 'p50Ms', 'ms']) if (typeof fields[name] === 'number') return fields[name] as number;
    for (const name of ['averageSeconds', 'avgSeconds', 'medianSeconds', 'seconds']) if (typeof fields[name] === 'number') return (fields[name] as number) * 1000;
    for (const name of ['averageHours', 'avgHours', 'hours']) if (typeof fields[name] === 'number') return (fields[name] as number) * 3_600_000;
  }
  return null;
}

function stageRows(stages: StatsAnswer['stages']): { label: string; ms: number }[] {
  if (!stages) return [];
  const rows = Array.isArray(stages) ? stages.map((row) => ({ label: labelOf(row), ms: durationOf(row) })) : Object.entries(stages).map(([label, value]) => ({ label, ms: durationOf(value) }));
  return rows.filter((row): row is { label: string; ms: number } => row.ms !== null);
}

export default function Stats() {
  const { t } = useTranslation();
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 365 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [stats, setStats] = useState<StatsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.stats(from || undefined, to || undefined).then(
      (answer) => (setStats(answer), setError(null)),
      (caught) => setError(describe(caught)),
    );
  }, [from, to]);
  useEffect(load, [load]);
  // Statistics move slowly: a burst of contract events costs one refetch every few seconds.
  useContractEvents(load, undefined, 5000);

  const started = t('console.stats.started');
  const completed = t('console.stats.completed');
  const top = t('console.stats.topUnit');
  const breakdown = (rows: StatsRow[] | undefined) => {
    const list = rows ?? [];
    return {
      labels: list.map((row) => labelOf(row, top)),
      series: [
        { name: started, values: list.map((r) => num(r.started)) },
        { name: completed, values: list.map((r) => num(r.completed)) },
      ],
      rows: list,
    };
  };
  const byMonth = useMemo(() => breakdown(stats?.byMonth), [stats, started]); // eslint-disable-line react-hooks/exhaustive-deps
  const byFlow = useMemo(() => breakdown(stats?.byFlow), [stats, started]); // eslint-disable-line react-hooks/exhaustive-deps
  const byUnit = useMemo(() => breakdown(stats?.byUnit), [stats, started]); // eslint-disable-line react-hooks/exhaustive-deps
  const stages = useMemo(() => stageRows(stats?.stages), [stats]);
  const stageSeries = useMemo(() => [{ name: t('console.stats.stageTime'), values: stages.map((s) => s.ms) }], [stages, t]);
  const stageLabels = useMemo(() => stages.map((s) => t(`console.stage.${s.label}`, { defaultValue: s.label })), [stages, t]);
  const timeToComplete = durationOf(stats?.timeToComplete ?? null);
  const medianToComplete = (stats?.timeToComplete as { medianMs?: number | null } | undefined)?.medianMs ?? null;

  return (
    <section className="stats" aria-labelledby="stats-title" data-testid="stats">
      <div className="page-head">
        <h1 id="stats-title">{t('console.stats.title')}</h1>
        <form className="row" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('console.filters.from')}
            <input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            {t('console.filters.to')}
            <input type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </form>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {stats && (
        <>
          <dl className="kpis">
            <div>
              <dt>{started}</dt>
              <dd data-testid="stat-started">{num(stats.started)}</dd>
            </div>
            <div>
              <dt>{completed}</dt>
              <dd data-testid="stat-completed">{num(stats.completed)}</dd>
            </div>
            <div>
              <dt>{t('console.stats.timeToComplete')}</dt>
              <dd>{formatDuration(timeToComplete)}</dd>
              {medianToComplete !== null && <dd className="muted small">{t('console.stats.median', { duration: formatDuration(medianToComplete) })}</dd>}
            </div>
          </dl>
          <div className="charts">
            <ChartPanel id="month" title={t('console.stats.byMonth')} data={byMonth} />
            <ChartPanel id="flow" title={t('console.stats.byFlow')} data={byFlow} horizontal />
            <ChartPanel id="unit" title={t('console.stats.byUnit')} data={byUnit} horizontal />
            <section className="panel" aria-labelledby="chart-stages">
              <h2 id="chart-stages">{t('console.stats.stages')}</h2>
              {stages.length ? <Bars labels={stageLabels} series={stageSeries} horizontal label={t('console.stats.stages')} format={formatDuration} /> : <p className="muted">{t('console.stats.none')}</p>}
            </section>
          </div>
        </>
      )}
    </section>
  );
}

function ChartPanel({ id, title, data, horizontal }: { id: string; title: string; data: { labels: string[]; series: { name: string; values: number[] }[]; rows: StatsRow[] }; horizontal?: boolean }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby={`chart-${id}`} data-testid={`chart-${id}`}>
      <h2 id={`chart-${id}`}>{title}</h2>
      {data.labels.length ? (
        <>
          <Bars labels={data.labels} series={data.series} horizontal={horizontal} label={title} />
          <details className="chart-table">
            <summary>{t('console.stats.asTable')}</summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">{title}</th>
                  {data.series.map((s) => (
                    <th key={s.name} scope="col" className="num">
                      {s.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.labels.map((label, index) => (
                  <tr key={label + index}>
                    <th scope="row">{label}</th>
                    {data.series.map((s) => (
                      <td key={s.name} className="num">
                        {s.values[index]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      ) : (
        <p className="muted">{t('console.stats.none')}</p>
      )}
    </section>
  );
}
