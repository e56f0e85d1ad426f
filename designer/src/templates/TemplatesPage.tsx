// Contract templates: the shipped ones (read-only, can be copied) and the tenant's own, which
// are uploaded (from a file or typed) and edited here with a live PDF preview. The live preview
// is the hub rendering the unsaved source (POST /api/templates/:id/try: nothing is saved, flows
// keep the saved template), shown from a blob: URL in a frame; a source that does not compile
// comes back with its line numbers. Saving is PUT /api/templates/:id, refused the same way.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { blob, detailsOf, json, messageOf } from '../connectors/http';
import '../connectors/connectors.css';
import { lineOf, lineRange, parseObject, TEMPLATE_ID } from './model';

interface TemplateItem {
  id: string;
  title: string;
  origin: 'shipped' | 'uploaded';
  signers: { id: string; label: string }[];
}
interface TemplateFull extends TemplateItem {
  source: string;
  schema: object;
  sample: Record<string, unknown> | null;
}
interface Draft {
  id: string;
  title: string;
  source: string;
  schema: string;
  sample: string;
  /** Read-only (a shipped template) until copied. */
  shipped: boolean;
  /** Saved at the hub under this id already. */
  exists: boolean;
}

const LIVE_DELAY_MS = 900;
const NEW_SOURCE = '# {{title}}\n\n甲方：{{buyer}}\n\n::: signatures\n';
const NEW_SCHEMA = JSON.stringify({ type: 'object', required: ['title', 'buyer'], properties: { title: { type: 'string' }, buyer: { type: 'string' } } }, null, 2);
const NEW_SAMPLE = JSON.stringify({ title: '合同', buyer: '上海启明智能制造有限公司' }, null, 2);

export default function TemplatesPage({ header }: { header: ReactNode }) {
  const { t } = useTranslation();
  const [items, setItems] = useState<TemplateItem[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);

  const reload = useCallback(() => json<{ items: TemplateItem[] }>('GET', '/api/templates').then((r) => setItems(r.items), (e: unknown) => setListError(messageOf(e))), []);
  useEffect(() => void reload(), [reload]);

  const open = async (id: string) => {
    try {
      const full = await json<TemplateFull>('GET', `/api/templates/${encodeURIComponent(id)}`);
      setDraft({ id: full.id, title: full.title, source: full.source, schema: JSON.stringify(full.schema, null, 2), sample: full.sample ? JSON.stringify(full.sample, null, 2) : '', shipped: full.origin === 'shipped', exists: true });
    } catch (error) {
      setListError(messageOf(error));
    }
  };

  return (
    <>
      {header}
      <main className="page templates-page">
        <section className="panel">
          <div className="row">
            <h1>{t('tpl.title')}</h1>
            <div className="spacer" />
            <button type="button" className="primary" data-testid="new-template" onClick={() => setDraft({ id: '', title: '', source: NEW_SOURCE, schema: NEW_SCHEMA, sample: NEW_SAMPLE, shipped: false, exists: false })}>{t('tpl.new')}</button>
          </div>
          {listError && <p className="error" role="alert">{listError}</p>}
          {items && (
            <table className="flows" data-testid="templates">
              <thead><tr><th>{t('tpl.name')}</th><th>{t('tpl.id')}</th><th>{t('tpl.origin')}</th><th>{t('tpl.signers')}</th><th /></tr></thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id} data-template={item.id}>
                    <td>{item.title}</td>
                    <td><code>{item.id}</code></td>
                    <td>{item.origin === 'shipped' ? <span className="tag">{t('tpl.shipped')}</span> : <span className="tag published">{t('tpl.uploaded')}</span>}</td>
                    <td>{item.signers.map((s) => s.label).join('、')}</td>
                    <td><button type="button" className="link" onClick={() => void open(item.id)}>{item.origin === 'shipped' ? t('tpl.view') : t('tpl.edit')}</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {draft && <TemplateEditor key={`${draft.id}:${draft.exists}:${draft.shipped}`} initial={draft} onSaved={() => void reload()} onClose={() => setDraft(null)} onCopy={(copy) => setDraft(copy)} />}
      </main>
    </>
  );
}

function TemplateEditor({ initial, onSaved, onClose, onCopy }: { initial: Draft; onSaved: () => void; onClose: () => void; onCopy: (draft: Draft) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(initial);
  const [live, setLive] = useState(true);
  const [issues, setIssues] = useState<Array<{ path: string; message: string }>>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [pdf, setPdf] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(!initial.exists);
  /** Bumped by each edit: what the live preview renders. */
  const [edits, setEdits] = useState(initial.exists ? 0 : 1); // a new or copied template previews at once
  const sourceRef = useRef<HTMLTextAreaElement>(null);
  const update = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    setEdits((n) => n + 1);
  };
  const schema = parseObject(draft.schema);
  const sample = parseObject(draft.sample);
  const idOk = TEMPLATE_ID.test(draft.id);
  const renderable = !draft.shipped && draft.title.trim() !== '' && draft.source.trim() !== '' && schema.value !== undefined && !sample.error;
  const ready = renderable && idOk;

  // The frame's blob: URL is freed when a new preview replaces it, and on leaving.
  useEffect(() => () => void (pdf && URL.revokeObjectURL(pdf)), [pdf]);

  // The saved template as the hub renders it for flows.
  const preview = useCallback(async (id: string, data?: Record<string, unknown>) => {
    const file = await blob('POST', `/api/templates/${encodeURIComponent(id)}/preview`, data ? { data } : {});
    setPdf(URL.createObjectURL(new Blob([file], { type: 'application/pdf' })));
  }, []);

  const asked = useRef(0);
  const body = () => ({ title: draft.title.trim(), source: draft.source, schema: schema.value, ...(sample.value ? { sample: sample.value } : {}) });
  /** Runs one call to the hub; only the latest call's answer is shown. */
  const run = async (call: () => Promise<void>, failed?: () => void) => {
    const ask = ++asked.current;
    setBusy(true);
    try {
      await call();
      if (ask !== asked.current) return;
      setIssues([]);
      setError(null);
    } catch (caught) {
      if (ask !== asked.current) return;
      setError(messageOf(caught));
      setIssues(detailsOf(caught));
      failed?.();
    } finally {
      if (ask === asked.current) setBusy(false);
    }
  };
  const tryIt = () => run(async () => {
    const file = await blob('POST', `/api/templates/${encodeURIComponent(draft.id || 'draft')}/try`, body());
    setPdf(URL.createObjectURL(new Blob([file], { type: 'application/pdf' })));
  }, () => setPdf(null)); // no preview of a source that does not render
  const save = () => run(async () => {
    setStatus(null);
    await json('PUT', `/api/templates/${encodeURIComponent(draft.id)}`, body());
    setDirty(false);
    setDraft((d) => ({ ...d, exists: true }));
    onSaved();
    setStatus(t('tpl.saved', { id: draft.id }));
    await preview(draft.id, sample.value);
  });
  const tryRef = useRef(tryIt);
  tryRef.current = tryIt;

  // Live: a pause in typing renders the unsaved source again.
  useEffect(() => {
    if (!live || edits === 0 || !renderable) return;
    const timer = setTimeout(() => void tryRef.current(), LIVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [live, edits, renderable]);

  // A shipped template (or a saved one) shows its preview when opened.
  useEffect(() => {
    if (initial.exists) void preview(initial.id).catch((caught: unknown) => setError(messageOf(caught)));
  }, [initial.exists, initial.id, preview]);

  const goToLine = (line: number) => {
    const area = sourceRef.current;
    if (!area) return;
    const { start, end } = lineRange(draft.source, line);
    area.focus();
    area.setSelectionRange(start, end);
  };

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text();
    const base = file.name.replace(/\.(hbs|handlebars|txt)$/i, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
    update({ source: text, ...(draft.id ? {} : { id: base }), ...(draft.title ? {} : { title: file.name.replace(/\.[^.]+$/, '') }) });
  };

  return (
    <section className="panel" data-testid="template-editor">
      <div className="row">
        <h2>{draft.shipped ? t('tpl.viewing', { title: draft.title }) : draft.exists ? t('tpl.editing', { id: draft.id }) : t('tpl.uploading')}</h2>
        <div className="spacer" />
        <button type="button" className="link" onClick={onClose}>{t('tpl.close')}</button>
      </div>
      {draft.shipped && (
        <p className="muted">
          {t('tpl.shippedHint')}{' '}
          <button type="button" data-testid="copy-template" onClick={() => onCopy({ ...draft, id: `${draft.id}-copy`, title: `${draft.title}（${t('tpl.copy')}）`, shipped: false, exists: false })}>{t('tpl.copyButton')}</button>
        </p>
      )}
      <div className="template-layout">
        <form className="template-form" onSubmit={(e) => { e.preventDefault(); if (ready) void save(); }}>
          <div className="grid2">
            <label>
              {t('tpl.id')}
              <input name="templateId" value={draft.id} disabled={draft.exists || draft.shipped} onChange={(e) => update({ id: e.target.value })} aria-invalid={draft.id !== '' && !idOk} spellCheck={false} />
              {draft.id !== '' && !idOk && <span className="hint error">{t('tpl.idRule')}</span>}
            </label>
            <label>
              {t('tpl.name')}
              <input name="title" value={draft.title} disabled={draft.shipped} onChange={(e) => update({ title: e.target.value })} />
            </label>
          </div>
          {!draft.shipped && (
            <label>
              {t('tpl.file')}
              <input type="file" name="file" accept=".hbs,.handlebars,.txt,text/plain" onChange={(e) => void readFile(e.target.files?.[0])} />
            </label>
          )}
          <label>
            {t('tpl.source')}
            <textarea ref={sourceRef} name="source" className="code" rows={20} spellCheck={false} readOnly={draft.shipped} value={draft.source} onChange={(e) => update({ source: e.target.value })} aria-invalid={issues.length > 0} aria-describedby="template-errors" />
          </label>
          <div id="template-errors" aria-live="polite">
            {error && (
              <div className="error" role="alert" data-testid="template-error">
                <p>{error}</p>
                {issues.length > 0 && (
                  <ul className="template-errors" data-testid="template-issues">
                    {issues.map((issue) => {
                      const line = lineOf(issue.message);
                      return (
                        <li key={issue.path + issue.message} data-line={line ?? ''}>
                          {line !== null ? (
                            <button type="button" onClick={() => goToLine(line)}><strong>{t('tpl.line', { line })}</strong> {issue.message}</button>
                          ) : (
                            <span><code>{issue.path}</code> {issue.message}</span>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </div>
            )}
          </div>
          <details open={!draft.exists}>
            <summary>{t('tpl.schemaAndSample')}</summary>
            <label>
              {t('tpl.schema')}
              <textarea name="schema" className="code" rows={8} spellCheck={false} readOnly={draft.shipped} value={draft.schema} onChange={(e) => update({ schema: e.target.value })} aria-invalid={!!schema.error} />
              {schema.error && <span className="hint error">{schema.error}</span>}
            </label>
            <label>
              {t('tpl.sample')}
              <textarea name="sample" className="code" rows={8} spellCheck={false} readOnly={draft.shipped} value={draft.sample} onChange={(e) => update({ sample: e.target.value })} aria-invalid={!!sample.error} />
              {sample.error && <span className="hint error">{sample.error}</span>}
            </label>
          </details>
          {!draft.shipped && (
            <div className="row">
              <label className="enabled">
                <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> {t('tpl.live')}
              </label>
              <button type="button" data-testid="try-template" onClick={() => void tryIt()} disabled={!renderable}>{t('tpl.try')}</button>
              <div className="spacer" />
              {dirty && draft.exists && <span className="tag draft">{t('tpl.unsaved')}</span>}
              <button type="submit" className="primary" data-testid="save-template" disabled={!ready || busy}>{t('tpl.save')}</button>
            </div>
          )}
          {!draft.shipped && <p className="hint">{t('tpl.liveHint')}</p>}
          {status && <p className="ok" role="status" data-testid="template-saved">{status}</p>}
        </form>
        <div className="template-preview">
          <h3>{t('tpl.preview')} {busy && <span className="muted">…</span>}</h3>
          {pdf ? <iframe title={t('tpl.preview')} src={pdf} data-testid="pdf-preview" /> : <p className="muted" data-testid="no-preview">{t('tpl.noPreview')}</p>}
        </div>
      </div>
    </section>
  );
}
