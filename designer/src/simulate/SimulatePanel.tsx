// Try the flow before publishing: an amount, a contract record typed in, or a source record
// mapped by one of the flow's connector instances (the hub maps it: POST
// /api/connectors/:id/preview). The flow being edited is simulated in the browser with
// flows/'s simulateFlow, the code behind POST /api/flows/:key/simulate, so unsaved edits can
// be tried too; the path is lit on the canvas and the documents open as PDFs rendered by the
// hub (POST /api/templates/:id/preview with the variables the engine would give them).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowDefinition, Simulation, ValidationIssue } from '../../../flows';
import { ApiError, call, callForBlob } from '../api';
import { tierBound } from '../canvas/layout';
import { useHighlight } from './highlight';
import { litCards, roundsOf } from './path';
import { documentVariables, simulate, type SimulationOutcome } from './run';
import './simulate.css';

type Source = 'amount' | 'record' | 'connector';
interface Instance {
  id: string;
  name: string | null;
  connector: string;
  flow: string;
  mapping: string;
}
type MappingPreview = { ok: boolean; data?: Record<string, unknown>; issues: ValidationIssue[] };

function parseRecord(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'must be a JSON object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export default function SimulatePanel({ flow, saved, onClose }: { flow: FlowDefinition; /** The canvas shows the flow as saved on the hub. */ saved: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const light = useHighlight((s) => s.light);
  const [source, setSource] = useState<Source>('amount');
  const [amount, setAmount] = useState('');
  const [record, setRecord] = useState('');
  const [instances, setInstances] = useState<Instance[] | null>(null);
  const [instance, setInstance] = useState('');
  const [sourceKey, setSourceKey] = useState('');
  const [fetching, setFetching] = useState<{ state: 'loading' | 'done' | 'failed'; message?: string } | null>(null);
  const [outcome, setOutcome] = useState<SimulationOutcome | null>(null);
  const [inputError, setInputError] = useState<string | null>(null);
  const [pdf, setPdf] = useState<{ id: string; state: 'loading' | 'opened' | 'failed'; message?: string; bytes?: number } | null>(null);
  /** The input of the last run: an edit of the flow runs it again on the new value. */
  const last = useRef<{ amount?: number; data?: Record<string, unknown> } | null>(null);

  // Connector instances feeding this flow (only integration staff may list them: others see none).
  useEffect(() => {
    let live = true;
    call<{ instances: Instance[] }>('GET', '/api/connectors').then(
      (answer) => live && setInstances(answer.instances.filter((i) => i.flow === flow.key)),
      () => live && setInstances([]),
    );
    return () => {
      live = false;
    };
  }, [flow.key]);

  // The highlight belongs to the panel: closing it (or leaving the editor) puts the canvas back.
  useEffect(() => () => light(null), [light]);

  const hub = saved
    ? (data: Record<string, unknown>) => call<Simulation>('POST', `/api/flows/${encodeURIComponent(flow.key)}/simulate`, { data })
    : undefined;

  const show = (next: SimulationOutcome | null) => {
    setOutcome(next);
    light(next?.ok ? litCards(flow, next.simulation) : null);
  };

  useEffect(() => {
    if (!last.current) return;
    let live = true;
    void simulate(flow, last.current, hub).then((next) => live && show(next));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow, saved]);

  const run = async () => {
    setInputError(null);
    setPdf(null);
    let input: { amount?: number; data?: Record<string, unknown> };
    if (source === 'amount') {
      const value = Number(amount.replace(/[,\s]/g, ''));
      if (amount.trim() === '' || !Number.isFinite(value)) return setInputError(t('simulate.badAmount'));
      const extra = record.trim() ? parseRecord(record) : null;
      input = { amount: value, ...(extra?.ok ? { data: extra.value } : {}) };
      if (extra && !extra.ok) return setInputError(`${t('simulate.badRecord')}: ${extra.message}`);
    } else {
      const parsed = parseRecord(record);
      if (!parsed.ok) return setInputError(`${t('simulate.badRecord')}: ${parsed.message}`);
      input = { data: parsed.value };
      if (source === 'connector') {
        if (!instance) return setInputError(t('simulate.pickInstance'));
        try {
          const mapped = await call<MappingPreview>('POST', `/api/connectors/${encodeURIComponent(instance)}/preview`, { sample: parsed.value });
          if (!mapped.data) return show({ ok: false, issues: mapped.issues });
          input = { data: mapped.data };
        } catch (error) {
          return show({ ok: false, issues: error instanceof ApiError ? [{ path: error.details[0]?.path ?? '', message: error.message }] : [{ path: '', message: String(error) }] });
        }
      }
    }
    last.current = input;
    show(await simulate(flow, input, hub));
  };

  /** One record read from the instance's own system (POST /api/connectors/:id/sample), put in the source record field. */
  const fetchSample = async () => {
    if (!instance) return setInputError(t('simulate.pickInstance'));
    setInputError(null);
    setFetching({ state: 'loading' });
    try {
      const { sample } = await call<{ sample: { sourceKey: string; record: unknown } | null }>('POST', `/api/connectors/${encodeURIComponent(instance)}/sample`, sourceKey.trim() ? { sourceKey: sourceKey.trim() } : {});
      if (!sample) return setFetching({ state: 'failed', message: t('simulate.noRecord') });
      setRecord(JSON.stringify(sample.record, null, 2));
      setFetching({ state: 'done', message: t('simulate.fetched', { key: sample.sourceKey }) });
    } catch (error) {
      setFetching({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const clear = () => {
    last.current = null;
    setPdf(null);
    show(null);
  };

  const openPdf = async (index: number) => {
    if (!outcome?.ok) return;
    const doc = flow.documents![index]!;
    setPdf({ id: doc.id, state: 'loading' });
    try {
      const variables = await documentVariables(flow, index, outcome.data);
      const blob = await callForBlob('POST', `/api/templates/${encodeURIComponent(doc.template)}/preview`, { data: variables });
      const url = URL.createObjectURL(blob);
      window.open(url, '_blank', 'noopener');
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setPdf({ id: doc.id, state: 'opened', bytes: blob.size });
    } catch (error) {
      const details = error instanceof ApiError && error.details.length ? ` — ${error.details.map((d) => `${d.path}: ${d.message}`).join('; ')}` : '';
      setPdf({ id: doc.id, state: 'failed', message: (error instanceof Error ? error.message : String(error)) + details });
    }
  };

  const sim = outcome?.ok ? outcome.simulation : null;
  return (
    <aside className="drawer sim-panel" data-testid="simulate" aria-label={t('simulate.title')} onKeyDown={(e) => e.key === 'Escape' && !(e.target as HTMLElement).matches('textarea') && onClose()}>
      <div className="drawer-head">
        <h2>{t('simulate.title')}</h2>
        <div className="spacer" />
        <button type="button" className="link" data-testid="simulate-close" onClick={onClose} aria-label={t('simulate.close')}>
          ✕
        </button>
      </div>
      <div className="drawer-body">
        <p className="hint">{t('simulate.hint')}</p>
        <fieldset className="sim-source">
          <legend>{t('simulate.source')}</legend>
          {(['amount', 'record', ...(instances?.length ? ['connector' as const] : [])] as Source[]).map((s) => (
            <label key={s} className="inline">
              <input type="radio" name="sim-source" value={s} checked={source === s} onChange={() => setSource(s)} /> {t(`simulate.sources.${s}`)}
            </label>
          ))}
        </fieldset>
        <form
          className="sim-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          {source === 'amount' && (
            <label>
              {t('simulate.amount')}
              <input data-testid="sim-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="2,000,000" autoFocus />
            </label>
          )}
          {source === 'connector' && (
            <label>
              {t('simulate.instance')}
              <select data-testid="sim-instance" value={instance} onChange={(e) => setInstance(e.target.value)}>
                <option value="">—</option>
                {instances?.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name ?? i.id} ({i.connector})
                  </option>
                ))}
              </select>
            </label>
          )}
          {source === 'connector' && (
            <div className="row">
              <label>
                {t('simulate.sourceKey')}
                <input data-testid="sim-source-key" value={sourceKey} onChange={(e) => setSourceKey(e.target.value)} placeholder="4500000001" />
              </label>
              <button type="button" data-testid="sim-fetch" onClick={() => void fetchSample()} disabled={fetching?.state === 'loading'}>
                {t('simulate.fetch')}
              </button>
            </div>
          )}
          {source === 'connector' && fetching && fetching.state !== 'loading' && (
            <p className={fetching.state === 'failed' ? 'error' : 'hint'} role={fetching.state === 'failed' ? 'alert' : 'status'} data-testid="sim-fetch-status" data-state={fetching.state}>
              {fetching.message}
            </p>
          )}
          <label>
            {source === 'amount' ? t('simulate.recordOptional') : source === 'connector' ? t('simulate.sourceRecord') : t('simulate.record')}
            <textarea data-testid="sim-record" className="code" rows={8} spellCheck={false} value={record} onChange={(e) => setRecord(e.target.value)} placeholder='{ "poNumber": "4500000001", … }' />
          </label>
          <div className="row">
            <button type="submit" className="primary" data-testid="sim-run">
              {t('simulate.run')}
            </button>
            {outcome && (
              <button type="button" data-testid="sim-clear" onClick={clear}>
                {t('simulate.clear')}
              </button>
            )}
          </div>
        </form>
        {inputError && (
          <p className="error" role="alert" data-testid="sim-input-error">
            {inputError}
          </p>
        )}
        {outcome && !outcome.ok && (
          <div className="sim-refused" role="alert" data-testid="sim-error">
            <strong>{t('simulate.refused')}</strong>
            <ul>
              {outcome.issues.map((i) => (
                <li key={i.path + i.message}>
                  <code>{i.path || '/'}</code> {i.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {sim && outcome?.ok && (
          <div className="sim-result" data-testid="sim-result" role="status">
            <section>
              <h3>{t('simulate.approval')}</h3>
              <p data-testid="sim-tier">
                {t('simulate.amountIs', { amount: sim.amount.toLocaleString('en-US') })} → {t('simulate.tier', { n: sim.tier.index + 1, bound: tierBound(sim.tier.upTo ?? undefined) ?? t('card.tierDefault') })}
              </p>
              <ol data-testid="sim-steps">
                {sim.steps.map((step, i) => (
                  <li key={i}>
                    <strong>{step.name}</strong> — {step.approvers.join(step.rule === 'all' ? ' + ' : ' / ')}
                    {step.rule === 'all' ? ` (${t('card.all')})` : ''}
                    {step.timeout ? <span className="muted"> · {t('simulate.timeout', { timeout: step.timeout, action: step.onTimeout ?? '—' })}</span> : null}
                  </li>
                ))}
              </ol>
              {outcome.by === 'page' && Object.keys(outcome.data).length > 0 && <p className="hint" data-testid="sim-unchecked">{t('simulate.unchecked')}</p>}
              {!sim.initiatorMayApprove && <p className="muted">{t('simulate.makerChecker')}</p>}
            </section>
            <section>
              <h3>{t('simulate.documents')}</h3>
              <ul className="sim-docs">
                {sim.documents.map((doc, i) => (
                  <li key={doc.id} data-testid={`sim-doc-${doc.id}`} data-included={doc.included} className={doc.included ? '' : 'muted'}>
                    <code>{doc.id}</code> {doc.title ?? doc.template} {doc.included ? '' : `· ${t('simulate.notIncluded')}`}
                    {doc.included && (
                      <button type="button" className="link" data-testid={`sim-pdf-${doc.id}`} onClick={() => void openPdf(i)} disabled={pdf?.state === 'loading'}>
                        {t('simulate.openPdf')}
                      </button>
                    )}
                  </li>
                ))}
                {sim.documents.length === 0 && <li className="muted">{t('simulate.none')}</li>}
              </ul>
              {pdf && (
                <p className={pdf.state === 'failed' ? 'error' : 'muted'} role={pdf.state === 'failed' ? 'alert' : 'status'} data-testid="sim-pdf-status" data-state={pdf.state}>
                  {pdf.state === 'loading' && t('simulate.pdfLoading', { id: pdf.id })}
                  {pdf.state === 'opened' && t('simulate.pdfOpened', { id: pdf.id, kb: Math.max(1, Math.round((pdf.bytes ?? 0) / 1024)) })}
                  {pdf.state === 'failed' && `${t('simulate.pdfFailed', { id: pdf.id })}: ${pdf.message}`}
                </p>
              )}
            </section>
            <section>
              <h3>{t('simulate.signers')}</h3>
              <ol data-testid="sim-rounds">
                {roundsOf(sim).map((round, r) => (
                  <li key={r}>
                    {t('card.round', { n: r + 1 })}: {round.map((s) => `${s.name || s.id} (${s.id}: ${s.documents.join(', ')}${s.identity ? ` · ${t('identity.label')}: ${t(`identity.levels.${s.identity}`)}` : ''})`).join(t('simulate.parallel'))}
                  </li>
                ))}
              </ol>
              {sim.signers.some((s) => s.documents.length === 0) && (
                <p className="muted">{t('simulate.noPart', { ids: sim.signers.filter((s) => s.documents.length === 0).map((s) => s.id).join(', ') })}</p>
              )}
            </section>
          </div>
        )}
      </div>
    </aside>
  );
}
