// Connector instances: pick a connector, fill its settings (a form from its own schema, secrets
// write-only), choose the flow and trigger, save; then check the connection, fetch a sample
// record from the system and edit the JSONata mapping with a live preview against that sample,
// showing the flow's data-schema errors with their paths. Everything is the hub's own answer:
// POST/PUT /api/connectors, …/check, …/sample, …/preview.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type FlowSummary } from '../api';
import { detailsOf, json, messageOf } from './http';
import { byPath, instanceBody, lineAndColumn, type ConnectorInstanceView, type ConnectorKind, type InstanceDraft, type MappingPreview, type SampleAnswer } from './model';
import MappingEditor from './MappingEditor';
import { defaultSettings, SettingsForm } from './SettingsForm';
import './connectors.css';

const PREVIEW_DELAY_MS = 350;

function draftFor(kind: ConnectorKind, flows: FlowSummary[]): InstanceDraft {
  const poll = kind.triggers.find((t) => t.kind === 'poll');
  return {
    id: '', name: '', connector: kind.id, flow: flows[0]?.key ?? '', trigger: poll ? 'poll' : 'webhook', everyMinutes: poll && 'defaultEveryMinutes' in poll ? poll.defaultEveryMinutes : 15,
    webhookAuth: 'hmac-sha256', webhookSecret: '', enabled: false, orgUnit: '', settings: defaultSettings(kind.settings), mapping: kind.defaultMapping ?? '{}',
  };
}

function draftOf(view: ConnectorInstanceView): InstanceDraft {
  return {
    id: view.id, name: view.name ?? '', connector: view.connector, flow: view.flow, trigger: view.trigger.kind, everyMinutes: view.trigger.kind === 'poll' ? view.trigger.everyMinutes : 15,
    webhookAuth: view.webhook?.auth === 'bearer' ? 'bearer' : 'hmac-sha256', webhookSecret: '', enabled: view.enabled, orgUnit: view.orgUnit ?? '', settings: { ...view.publicSettings }, mapping: view.mapping,
  };
}

export default function ConnectorsPage({ header }: { header: ReactNode }) {
  const { t } = useTranslation();
  const [kinds, setKinds] = useState<ConnectorKind[] | null>(null);
  const [instances, setInstances] = useState<ConnectorInstanceView[]>([]);
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  /** The instance open in the form: null = none, 'new' = being set up, else its id at the hub. */
  const [open, setOpenState] = useState<null | 'new' | string>(null);
  /** A new editor for each instance the user opens; saving a new one keeps its editor (and its notice). */
  const [editorKey, setEditorKey] = useState(0);
  const setOpen = (next: null | 'new' | string) => {
    setOpenState(next);
    setEditorKey((k) => k + 1);
  };

  const reload = useCallback(async () => {
    try {
      const [listed, flowList] = await Promise.all([json<{ connectors: ConnectorKind[]; instances: ConnectorInstanceView[] }>('GET', '/api/connectors'), api.listFlows()]);
      setKinds(listed.connectors);
      setInstances(listed.instances);
      setFlows(flowList);
      setLoadError(null);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  }, []);
  useEffect(() => void reload(), [reload]);

  const current = open && open !== 'new' ? instances.find((i) => i.id === open) ?? null : null;
  return (
    <>
      {header}
      <main className="page connectors-page">
        <section className="panel">
          <div className="row">
            <h1>{t('conn.title')}</h1>
            <div className="spacer" />
            <button type="button" className="primary" data-testid="new-instance" onClick={() => setOpen('new')} disabled={!kinds}>{t('conn.new')}</button>
          </div>
          {loadError && <p className="error" role="alert">{loadError}</p>}
          {kinds && instances.length === 0 && <p className="muted">{t('conn.empty')}</p>}
          {instances.length > 0 && (
            <table className="flows" data-testid="instances">
              <thead><tr><th>{t('conn.id')}</th><th>{t('conn.connector')}</th><th>{t('conn.flow')}</th><th>{t('conn.state')}</th><th>{t('conn.health')}</th><th /></tr></thead>
              <tbody>
                {instances.map((instance) => (
                  <tr key={instance.id} data-instance={instance.id}>
                    <td><code>{instance.id}</code> {instance.name}</td>
                    <td>{kinds?.find((k) => k.id === instance.connector)?.displayName ?? instance.connector}</td>
                    <td><code>{instance.flow}</code></td>
                    <td>{instance.enabled ? <span className="tag published">{t('conn.enabled')}</span> : <span className="tag draft">{t('conn.disabled')}</span>} {t(`conn.trigger.${instance.trigger.kind}`)}</td>
                    <td>{instance.health?.lastSyncAt ? t('conn.healthLine', { at: new Date(instance.health.lastSyncAt).toLocaleString(), started: instance.health.contractsStarted ?? 0, errors: instance.health.errors ?? 0 }) : t('conn.neverSynced')}</td>
                    <td><button type="button" className="link" onClick={() => setOpen(instance.id)}>{t('conn.edit')}</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {open && kinds && (
          <InstanceEditor
            key={editorKey}
            kinds={kinds}
            flows={flows}
            existing={current}
            onSaved={async (view) => {
              await reload();
              setOpenState(view.id);
            }}
            onClose={() => setOpen(null)}
          />
        )}
      </main>
    </>
  );
}

function InstanceEditor({ kinds, flows, existing, onSaved, onClose }: { kinds: ConnectorKind[]; flows: FlowSummary[]; existing: ConnectorInstanceView | null; onSaved: (view: ConnectorInstanceView) => Promise<void>; onClose: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<InstanceDraft | null>(() => (existing ? draftOf(existing) : null));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const kind = kinds.find((k) => k.id === draft?.connector);
  const update = (patch: Partial<InstanceDraft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    setSaving(true);
    setNotice(null);
    setSaveError(null);
    try {
      const body = instanceBody(draft, existing !== null);
      const view = existing ? await json<ConnectorInstanceView>('PUT', `/api/connectors/${encodeURIComponent(existing.id)}`, body) : await json<ConnectorInstanceView>('POST', '/api/connectors', body);
      setErrors({});
      setSaveError(null);
      setNotice(t('conn.saved', { id: view.id }));
      // Secrets typed in are sent once; the form never holds them after.
      setDraft({ ...draftOf(view), webhookSecret: '' });
      await onSaved(view);
    } catch (error) {
      setSaveError(messageOf(error));
      setErrors(byPath(detailsOf(error)));
    } finally {
      setSaving(false);
    }
  };

  if (!draft || !kind) {
    return (
      <section className="panel" data-testid="pick-connector">
        <h2>{t('conn.pick')}</h2>
        <div className="kinds" role="list">
          {kinds.map((k) => (
            <button type="button" role="listitem" key={k.id} className="kind" data-kind={k.id} onClick={() => setDraft(draftFor(k, flows))}>
              <strong>{k.displayName}</strong>
              <span className="muted">{k.description}</span>
              <span className="badges">{k.triggers.map((tr) => <span key={tr.kind} className="tag">{t(`conn.trigger.${tr.kind}`)}</span>)}</span>
            </button>
          ))}
        </div>
        <button type="button" className="link" onClick={onClose}>{t('conn.cancel')}</button>
      </section>
    );
  }

  const errorList = (path: string) => (errors[path]?.length ? <ul className="field-errors" data-testid={`errors-${path}`}>{errors[path].map((m) => <li key={m}>{m}</li>)}</ul> : null);
  const otherErrors = Object.entries(errors).filter(([path]) => !/^\/(settings\/[^/]+|mapping|flow|id|name|trigger.*)$/.test(path));
  return (
    <>
      <section className="panel" data-testid="instance-editor">
        <div className="row">
          <h2>{existing ? t('conn.editing', { id: existing.id }) : t('conn.setUp', { kind: kind.displayName })}</h2>
          <div className="spacer" />
          <button type="button" className="link" onClick={onClose}>{t('conn.close')}</button>
        </div>
        <p className="muted">{kind.description}</p>
        <form onSubmit={save} className="instance-form" noValidate>
          <div className="grid2">
            <label>
              {t('conn.id')}
              <input name="id" value={draft.id} disabled={existing !== null} onChange={(e) => update({ id: e.target.value })} required spellCheck={false} aria-invalid={!!errors['/id']} />
              {errorList('/id')}
            </label>
            <label>
              {t('conn.name')}
              <input name="name" value={draft.name} onChange={(e) => update({ name: e.target.value })} />
            </label>
            <label>
              {t('conn.flow')}
              <select name="flow" value={draft.flow} onChange={(e) => update({ flow: e.target.value })} aria-invalid={!!errors['/flow']}>
                {!flows.some((f) => f.key === draft.flow) && <option value={draft.flow}>{draft.flow || '—'}</option>}
                {flows.map((f) => <option key={f.key} value={f.key}>{f.name} ({f.key})</option>)}
              </select>
              {errorList('/flow')}
            </label>
            <label>
              {t('conn.orgUnit')}
              <input name="orgUnit" value={draft.orgUnit} onChange={(e) => update({ orgUnit: e.target.value })} placeholder={t('conn.orgUnitHint')} aria-invalid={!!errors['/orgUnit']} />
              {errorList('/orgUnit')}
            </label>
          </div>
          <fieldset className="trigger">
            <legend>{t('conn.triggerTitle')}</legend>
            {kind.triggers.map((tr) => (
              <label key={tr.kind} className="choice-inline">
                <input type="radio" name="trigger" value={tr.kind} checked={draft.trigger === tr.kind} onChange={() => update({ trigger: tr.kind })} /> {t(`conn.trigger.${tr.kind}`)}
              </label>
            ))}
            {draft.trigger === 'poll' ? (
              <label>
                {t('conn.everyMinutes')}
                <input name="everyMinutes" type="number" min={1} max={1440} value={draft.everyMinutes} onChange={(e) => update({ everyMinutes: Number(e.target.value) })} />
              </label>
            ) : (
              <div className="row">
                <label>
                  {t('conn.webhookAuth')}
                  <select name="webhookAuth" value={draft.webhookAuth} onChange={(e) => update({ webhookAuth: e.target.value as InstanceDraft['webhookAuth'] })}>
                    <option value="hmac-sha256">HMAC-SHA256</option>
                    <option value="bearer">Bearer</option>
                  </select>
                </label>
                <label>
                  {t('conn.webhookSecret')}
                  <input name="webhookSecret" type="password" autoComplete="new-password" value={draft.webhookSecret} placeholder={existing?.webhook ? t('conn.secretKeep') : ''} onChange={(e) => update({ webhookSecret: e.target.value })} />
                </label>
                {existing?.webhook && <span className="tag published">{t('conn.secretSet')}</span>}
                {existing?.webhook && <span className="muted">{t('conn.webhookUrl')} <code>{location.origin + existing.webhook.url}</code></span>}
              </div>
            )}
            {Object.entries(errors).filter(([p]) => p.startsWith('/trigger')).map(([p]) => <div key={p}>{errorList(p)}</div>)}
          </fieldset>
          <h3>{t('conn.settings')}</h3>
          <SettingsForm schema={kind.settings} values={draft.settings} secretsSet={existing?.secretsSet ?? []} errors={errors} onChange={(settings) => update({ settings })} />
          <label className="enabled">
            <input type="checkbox" name="enabled" checked={draft.enabled} onChange={(e) => update({ enabled: e.target.checked })} /> {t('conn.enable')}
          </label>
          <p className="hint">{t('conn.enableHint')}</p>
          {existing === null && (
            <label>
              {t('conn.mapping')}
              <textarea name="mapping" className="code" rows={6} value={draft.mapping} spellCheck={false} onChange={(e) => update({ mapping: e.target.value })} />
              {errorList('/mapping')}
            </label>
          )}
          {saveError && (
            <div className="error" role="alert" data-testid="save-error">
              {saveError}
              {otherErrors.length > 0 && <ul>{otherErrors.map(([path, messages]) => <li key={path}><code>{path}</code> {messages.join('; ')}</li>)}</ul>}
            </div>
          )}
          {notice && <p className="ok" role="status" data-testid="saved">{notice}</p>}
          <div className="row">
            <button type="submit" className="primary" data-testid="save-instance" disabled={saving}>{existing ? t('conn.save') : t('conn.create')}</button>
          </div>
        </form>
      </section>
      {existing && (
        <TryPanel instance={existing} mapping={draft.mapping} setMapping={(mapping) => update({ mapping })} mappingErrors={errors['/mapping'] ?? []} onSaveMapping={save} saving={saving} />
      )}
    </>
  );
}

/** Check the connection, fetch a sample, edit the mapping with its live preview. */
function TryPanel({ instance, mapping, setMapping, mappingErrors, onSaveMapping, saving }: { instance: ConnectorInstanceView; mapping: string; setMapping: (m: string) => void; mappingErrors: string[]; onSaveMapping: (e: FormEvent) => void; saving: boolean }) {
  const { t } = useTranslation();
  const path = `/api/connectors/${encodeURIComponent(instance.id)}`;
  const [check, setCheck] = useState<{ busy: boolean; result?: { valid: boolean; error?: string }; error?: string }>({ busy: false });
  const [sourceKey, setSourceKey] = useState('');
  const [sampleText, setSampleText] = useState('');
  const [sampleInfo, setSampleInfo] = useState<{ busy: boolean; message?: string; error?: string }>({ busy: false });
  const [preview, setPreview] = useState<{ result?: MappingPreview; error?: string; issues?: Array<{ path: string; message: string }>; busy: boolean }>({ busy: false });

  const runCheck = async () => {
    setCheck({ busy: true });
    try {
      setCheck({ busy: false, result: await json<{ valid: boolean; error?: string }>('POST', `${path}/check`) });
    } catch (error) {
      setCheck({ busy: false, error: messageOf(error) });
    }
  };
  const fetchSample = async () => {
    setSampleInfo({ busy: true });
    try {
      const { sample } = await json<SampleAnswer>('POST', `${path}/sample`, sourceKey.trim() ? { sourceKey: sourceKey.trim() } : {});
      if (!sample) return setSampleInfo({ busy: false, message: t('conn.noRecord') });
      setSampleText(JSON.stringify(sample.record, null, 2));
      setSampleInfo({ busy: false, message: t('conn.sampleFetched', { key: sample.sourceKey }) + (sample.skip ? ` (${sample.skip})` : '') });
    } catch (error) {
      setSampleInfo({ busy: false, error: messageOf(error) });
    }
  };

  const sample = useMemo((): { value?: unknown; error?: string } => {
    if (!sampleText.trim()) return {};
    try {
      return { value: JSON.parse(sampleText) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }, [sampleText]);

  // The live preview: the hub maps the sample with the mapping being edited, after a pause in typing; the latest answer wins.
  const asked = useRef(0);
  useEffect(() => {
    if (sample.value === undefined || !mapping.trim()) return;
    const ask = ++asked.current;
    const timer = setTimeout(async () => {
      setPreview((p) => ({ ...p, busy: true }));
      try {
        const result = await json<MappingPreview>('POST', `${path}/preview`, { sample: sample.value, mapping });
        if (ask === asked.current) setPreview({ result, busy: false });
      } catch (error) {
        if (ask === asked.current) setPreview({ error: messageOf(error), issues: detailsOf(error), busy: false });
      }
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [sample.value, mapping, path]);

  const mappingError = preview.result?.mappingError;
  const where = mappingError?.position !== undefined ? lineAndColumn(mapping, mappingError.position) : null;
  return (
    <section className="panel try" data-testid="try-panel">
      <h2>{t('conn.tryTitle')}</h2>
      <div className="row">
        <button type="button" data-testid="check" onClick={runCheck} disabled={check.busy}>{t('conn.check')}</button>
        <span role="status" data-testid="check-result" className={check.result?.valid ? 'ok' : check.result || check.error ? 'error' : 'muted'}>
          {check.busy ? t('conn.checking') : check.result ? (check.result.valid ? t('conn.checkOk') : t('conn.checkFailed', { error: check.result.error })) : check.error ?? ''}
        </span>
      </div>
      <div className="try-grid">
        <div>
          <h3>{t('conn.sample')}</h3>
          <div className="row">
            <label>
              {t('conn.sourceKey')}
              <input name="sourceKey" value={sourceKey} onChange={(e) => setSourceKey(e.target.value)} placeholder={t('conn.sourceKeyHint')} />
            </label>
            <button type="button" data-testid="fetch-sample" onClick={fetchSample} disabled={sampleInfo.busy}>{t('conn.fetchSample')}</button>
          </div>
          <p role="status" className={sampleInfo.error ? 'error' : 'muted'} data-testid="sample-status">{sampleInfo.busy ? t('conn.fetching') : sampleInfo.error ?? sampleInfo.message ?? t('conn.sampleHint')}</p>
          <label className="block">
            <span className="sr-only">{t('conn.sample')}</span>
            <textarea className="code" data-testid="sample" rows={18} spellCheck={false} value={sampleText} onChange={(e) => setSampleText(e.target.value)} aria-invalid={!!sample.error} />
          </label>
          {sample.error && <p className="error" data-testid="sample-error">{t('conn.sampleInvalid', { error: sample.error })}</p>}
        </div>
        <div>
          <h3>{t('conn.mapping')}</h3>
          <form onSubmit={onSaveMapping}>
            <MappingEditor value={mapping} onChange={setMapping} sample={sample.value} label={t('conn.mapping')} invalid={!!mappingError || mappingErrors.length > 0} />
            {mappingErrors.length > 0 && <ul className="field-errors" data-testid="errors-/mapping">{mappingErrors.map((m) => <li key={m}>{m}</li>)}</ul>}
            <button type="submit" disabled={saving} data-testid="save-mapping">{t('conn.saveMapping')}</button>
          </form>
          <h3>{t('conn.preview')} {preview.busy && <span className="muted">…</span>}</h3>
          {preview.result?.flow && <p className="muted">{t('conn.previewFlow', { flow: preview.result.flow.key, version: preview.result.flow.version, status: t(`status.${preview.result.flow.status}`, preview.result.flow.status) })}</p>}
          <div aria-live="polite" data-testid="preview">
            {sample.value === undefined && <p className="muted">{t('conn.previewNeedsSample')}</p>}
            {preview.error && (
              <div className="error" data-testid="preview-error">
                {preview.error}
                {preview.issues?.map((i) => <div key={i.path + i.message}><code>{i.path}</code> {i.message}</div>)}
              </div>
            )}
            {mappingError && (
              <p className="error" data-testid="mapping-error">
                {where && <strong>{t('conn.at', where)} </strong>}
                {mappingError.message}
              </p>
            )}
            {preview.result?.ok && <p className="ok" data-testid="preview-ok">{t('conn.previewOk')}</p>}
            {preview.result && !preview.result.ok && !mappingError && preview.result.issues.length > 0 && (
              <>
                <p className="error">{t('conn.previewIssues', { count: preview.result.issues.length })}</p>
                <ul className="issues" data-testid="preview-issues">
                  {preview.result.issues.map((issue) => <li key={issue.path + issue.message} data-path={issue.path}><code>{issue.path || '/'}</code> {issue.message}</li>)}
                </ul>
              </>
            )}
            {preview.result?.data && <pre className="code" data-testid="preview-data" tabIndex={0} role="region" aria-label={t('conn.preview')}>{JSON.stringify(preview.result.data, null, 2)}</pre>}
          </div>
        </div>
      </div>
    </section>
  );
}
