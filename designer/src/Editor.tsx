// One flow open for editing: the canvas (or JSON), its problems, the drawer of the selected
// card, save and publish. Problems come from flows/'s validation of the current value.
import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import type { FlowDefinition, ValidationIssue } from '../../flows';
import { ApiError, api, type FlowVersion } from './api';
import type { Route } from './App';
import { FlowCanvas } from './canvas/FlowCanvas';
import { Drawer } from './Drawer';
import { preloadExpressionEditor } from './expression/ExpressionField';
import { JsonTab } from './JsonTab';
import { Problems } from './Problems';
import { issuesOf, openFlow, redo, undo, useEditor } from './store';
import { useUi } from './ui';

// Loaded when first opened: they are not needed to draw and edit a flow.
const SimulatePanel = lazy(() => import('./simulate/SimulatePanel'));
const VersionsPanel = lazy(() => import('./versions/VersionsPanel'));

interface Meta {
  saved: FlowDefinition | null;
  version?: number;
  status?: string;
  publishedVersion?: number;
}

export function Editor({ route, navigate, headerEnd }: { route: Exclude<Route, { screen: 'list' }>; navigate: (route: Route) => void; headerEnd: ReactNode }) {
  const { t } = useTranslation();
  const flow = useEditor((s) => s.flow);
  const canUndo = useStore(useEditor.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(useEditor.temporal, (s) => s.futureStates.length > 0);
  const { tab, setTab, select } = useUi();
  const [meta, setMeta] = useState<Meta | null>(null);
  const [serverError, setServerError] = useState<{ message: string; details: ValidationIssue[] } | null>(null);
  const [notice, setNotice] = useState<{ key: 'editor.saved' | 'editor.published'; version: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [panel, setPanel] = useState<'simulate' | 'versions' | null>(null);

  const adopt = useCallback((answer: FlowVersion) => {
    const versions = answer.versions ?? [];
    const published = versions.filter((v) => v.status === 'published').map((v) => v.version);
    setMeta({ saved: answer.definition, version: answer.version, status: answer.status, publishedVersion: published.length ? Math.max(...published) : answer.status === 'published' ? answer.version : undefined });
  }, []);

  useEffect(() => {
    select(null);
    setTab('canvas');
    // Expression fields need CodeMirror: fetched now, while the user looks at the canvas.
    void preloadExpressionEditor();
    if (route.screen === 'new') {
      openFlow(route.flow);
      setMeta({ saved: null });
      return;
    }
    let live = true;
    api.getFlow(route.key).then(
      (answer) => {
        if (!live) return;
        openFlow(answer.definition);
        adopt(answer);
      },
      (error: unknown) => live && setServerError({ message: error instanceof Error ? error.message : String(error), details: [] }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z' || (event.target as HTMLElement)?.closest?.('.json-tab')) return;
      event.preventDefault();
      if (event.shiftKey) redo();
      else undo();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  // A server answer is about the value it was given: any edit makes it stale.
  useEffect(() => setServerError(null), [flow]);

  const issues = issuesOf(flow);
  const dirty = !!flow && (!meta?.saved || JSON.stringify(meta.saved) !== JSON.stringify(flow));

  const failed = (error: unknown) => {
    setNotice(null);
    setServerError(error instanceof ApiError ? { message: `${t('editor.serverError')}: ${error.message}`, details: error.details } : { message: String(error), details: [] });
  };
  const save = async (): Promise<boolean> => {
    if (!flow) return false;
    setBusy(true);
    try {
      const answer = meta?.saved ? await api.saveDraft(flow) : await api.createFlow(flow);
      const full = await api.getFlow(flow.key);
      adopt({ ...full, definition: answer.definition });
      setNotice({ key: 'editor.saved', version: answer.version });
      if (route.screen === 'new') history.replaceState(null, '', `/designer/flows/${encodeURIComponent(flow.key)}`);
      return true;
    } catch (error) {
      failed(error);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const publish = async () => {
    if (!flow || issues.length) return;
    if (dirty && !(await save())) return;
    setBusy(true);
    try {
      const answer = await api.publish(flow.key);
      adopt(await api.getFlow(flow.key));
      setNotice({ key: 'editor.published', version: answer.version });
    } catch (error) {
      failed(error);
    } finally {
      setBusy(false);
    }
  };

  /** Roll back: the old version was saved as the draft; it becomes the value on the canvas (Ctrl-Z goes back to the one before). */
  const restored = async (answer: FlowVersion) => {
    const full = await api.getFlow(answer.key);
    useEditor.getState().setFlow(answer.definition);
    adopt({ ...full, definition: answer.definition });
    setNotice({ key: 'editor.saved', version: answer.version });
  };
  const toggle = (next: 'simulate' | 'versions') => setPanel((open) => (open === next ? null : next));

  const status = meta?.status ? t(`status.${meta.status}`, { defaultValue: meta.status }) : '';
  return (
    <div className="editor">
      <header className="topbar">
        <button type="button" className="link" onClick={() => navigate({ screen: 'list' })}>
          ← {t('editor.back')}
        </button>
        <div className="flow-title">
          <strong data-testid="flow-name">{flow?.name ?? '…'}</strong>
          <code>{flow?.key}</code>
          <span className="muted" data-testid="flow-version">
            {meta?.version ? t('editor.version', { version: meta.version, status }) : t('editor.new')}
          </span>
          {dirty && <span className="tag draft">{t('editor.unsaved')}</span>}
        </div>
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'canvas'} data-testid="tab-canvas" onClick={() => setTab('canvas')}>
            {t('editor.canvas')}
          </button>
          <button type="button" role="tab" aria-selected={tab === 'json'} data-testid="tab-json" onClick={() => setTab('json')}>
            {t('editor.json')}
          </button>
        </div>
        <div className="spacer" />
        <button type="button" data-testid="open-simulate" aria-pressed={panel === 'simulate'} onClick={() => toggle('simulate')} disabled={!flow}>
          {t('simulate.open')}
        </button>
        <button type="button" data-testid="open-versions" aria-pressed={panel === 'versions'} onClick={() => toggle('versions')} disabled={!flow || !meta?.saved}>
          {t('versions.open')}
        </button>
        <button type="button" data-testid="undo" onClick={undo} disabled={!canUndo} title="Ctrl-Z">
          ↶ {t('editor.undo')}
        </button>
        <button type="button" data-testid="redo" onClick={redo} disabled={!canRedo} title="Ctrl-Shift-Z">
          ↷ {t('editor.redo')}
        </button>
        <button type="button" data-testid="save" onClick={() => void save()} disabled={!flow || busy || (!dirty && !!meta?.saved)}>
          {t('editor.save')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="publish"
          onClick={() => void publish()}
          disabled={!flow || busy || issues.length > 0}
          title={issues.length ? t('editor.publishBlocked', { count: issues.length }) : undefined}
        >
          {t('editor.publish')}
        </button>
        {headerEnd}
      </header>
      {(notice || serverError) && (
        <div className={serverError ? 'banner error' : 'banner'} role={serverError ? 'alert' : 'status'} data-testid={serverError ? 'server-error' : 'notice'}>
          {serverError?.message ?? (notice && t(notice.key, { version: notice.version }))}
        </div>
      )}
      <div className="workspace">
        <div className="main">
          {flow && tab === 'canvas' && <FlowCanvas flow={flow} issues={issues} />}
          {flow && tab === 'json' && <JsonTab flow={flow} issues={issues} />}
          <Problems issues={issues} server={serverError?.details ?? []} />
        </div>
        {flow && tab === 'canvas' && <Drawer flow={flow} issues={[...issues, ...(serverError?.details ?? [])]} />}
        <Suspense fallback={null}>
          {flow && panel === 'simulate' && <SimulatePanel flow={flow} saved={!!meta?.saved && !dirty} onClose={() => setPanel(null)} />}
          {flow && panel === 'versions' && (
            <VersionsPanel flowKey={flow.key} flow={flow} dirty={dirty} revision={`${meta?.version}:${meta?.status}`} onRestored={restored} onClose={() => setPanel(null)} />
          )}
        </Suspense>
      </div>
    </div>
  );
}
