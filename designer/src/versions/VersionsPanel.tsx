// A flow's versions (GET /api/flows/:key lists them, ?version= reads one), the difference
// between any two of them (or a version and what is on the canvas) by card, and roll back:
// an old version's definition saved as the draft (PUT), published as usual afterwards.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowDefinition } from '../../../flows';
import { ApiError, api, type FlowVersion } from '../api';
import { tierBound } from '../canvas/layout';
import { diffFlows, type CardChange, type Where } from './diff';
import '../simulate/simulate.css';

type VersionRow = NonNullable<FlowVersion['versions']>[number];
const EDITOR = 'editor';

function useWhere() {
  const { t } = useTranslation();
  const tier = (upTo: number | null) => t('versions.tier', { bound: tierBound(upTo ?? undefined) ?? t('card.tierDefault') });
  return (where: Where): string => {
    switch (where.card) {
      case 'flow':
        return t('versions.flow');
      case 'tier':
        return tier(where.upTo);
      case 'step':
        return `${tier(where.upTo)} · ${t('versions.step', { n: where.step + 1 })}${where.name ? ` ${where.name}` : ''}`;
      case 'document':
        return t('versions.document', { id: where.id });
      case 'signer':
        return t('versions.signer', { id: where.id });
      case 'signing':
        return t('card.signing');
      case 'archive':
        return t('card.archive');
    }
  };
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function DiffList({ changes }: { changes: CardChange[] }) {
  const { t } = useTranslation();
  const where = useWhere();
  if (!changes.length) return <p className="muted" data-testid="version-diff-empty">{t('versions.same')}</p>;
  return (
    <ul className="diff" data-testid="version-diff">
      {changes.map((c, i) => (
        <li key={i} className={c.change} data-change={c.change} data-card={c.where.card}>
          <strong>{t(`versions.${c.change}`)}</strong> {where(c.where)}
          {c.fields.map((f) => (
            <div className="field" key={f.field}>
              <code>{f.field}</code>: <del>{shown(f.from)}</del> → <ins>{shown(f.to)}</ins>
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

export default function VersionsPanel(props: { flowKey: string; flow: FlowDefinition; dirty: boolean; revision: string; onRestored: (answer: FlowVersion) => Promise<void>; onClose: () => void }) {
  const { flowKey, flow, dirty, revision, onRestored, onClose } = props;
  const { t } = useTranslation();
  const [versions, setVersions] = useState<VersionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState<string>('');
  const [to, setTo] = useState<string>('');
  const [definitions, setDefinitions] = useState<Record<number, FlowDefinition>>({});
  const [busy, setBusy] = useState(false);
  /** Restoring over an unpublished draft replaces it (the hub keeps one draft): asked once more first. */
  const [confirming, setConfirming] = useState<number | null>(null);

  useEffect(() => {
    let live = true;
    api.getFlow(flowKey).then(
      (answer) => {
        if (!live) return;
        const list = [...(answer.versions ?? [])].sort((a, b) => a.version - b.version);
        setVersions(list);
        setDefinitions((known) => ({ ...known, [answer.version]: answer.definition }));
        const latest = list[list.length - 1]?.version;
        setTo(String(latest ?? EDITOR));
        setFrom(String(list.length > 1 ? list[list.length - 2]!.version : (latest ?? '')));
      },
      (caught: unknown) => live && setError(caught instanceof ApiError && caught.status === 404 ? t('versions.unsaved') : String(caught)),
    );
    return () => {
      live = false;
    };
  }, [flowKey, revision, t]);

  // Definitions are read once per version (a version other than the draft never changes).
  useEffect(() => {
    for (const choice of [from, to]) {
      const version = Number(choice);
      if (!choice || choice === EDITOR || definitions[version]) continue;
      void api.getFlow(flowKey, version).then((answer) => setDefinitions((known) => ({ ...known, [version]: answer.definition })));
    }
  }, [from, to, definitions, flowKey]);

  const latest = versions?.[versions.length - 1];
  const valueOf = (choice: string) => (choice === EDITOR ? flow : definitions[Number(choice)]);
  const before = valueOf(from);
  const after = valueOf(to);

  const restore = async (version: number) => {
    if (latest?.status === 'draft' && confirming !== version) return setConfirming(version);
    setConfirming(null);
    setBusy(true);
    setError(null);
    try {
      const old = definitions[version] ?? (await api.getFlow(flowKey, version)).definition;
      const answer = await api.saveDraft(old);
      await onRestored(answer);
    } catch (caught) {
      setError(caught instanceof ApiError ? `${caught.message}${caught.details.length ? ` — ${caught.details.map((d) => `${d.path}: ${d.message}`).join('; ')}` : ''}` : String(caught));
    } finally {
      setBusy(false);
    }
  };

  const options = (
    <>
      {versions?.map((v) => (
        <option key={v.version} value={v.version}>
          v{v.version} · {t(`status.${v.status}`, { defaultValue: v.status })}
        </option>
      ))}
      <option value={EDITOR}>{t('versions.onCanvas')}</option>
    </>
  );
  return (
    <aside className="drawer versions" data-testid="versions" aria-label={t('versions.title')} onKeyDown={(e) => e.key === 'Escape' && !(e.target as HTMLElement).matches('textarea') && onClose()}>
      <div className="drawer-head">
        <h2>{t('versions.title')}</h2>
        <div className="spacer" />
        <button type="button" className="link" data-testid="versions-close" onClick={onClose} aria-label={t('versions.close')}>
          ✕
        </button>
      </div>
      <div className="drawer-body">
        {error && (
          <p className="error" role="alert" data-testid="versions-error">
            {error}
          </p>
        )}
        {versions && (
          <table data-testid="version-list">
            <thead>
              <tr>
                <th>{t('versions.version')}</th>
                <th>{t('versions.status')}</th>
                <th>{t('versions.publishedAt')}</th>
                <th>
                  <span className="sr-only">{t('versions.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...versions].reverse().map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>v{v.version}</td>
                  <td>{t(`status.${v.status}`, { defaultValue: v.status })}</td>
                  <td>{v.publishedAt ? new Date(v.publishedAt).toLocaleString() : '—'}</td>
                  <td>
                    {v !== latest && (
                      <button
                        type="button"
                        className="link"
                        data-testid={`restore-${v.version}`}
                        disabled={busy || dirty}
                        title={dirty ? t('versions.saveFirst') : t('versions.restoreHint', { version: v.version })}
                        onClick={() => void restore(v.version)}
                      >
                        {t('versions.restore')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {dirty && <p className="hint">{t('versions.saveFirst')}</p>}
        {confirming !== null && latest && (
          <div className="banner error" role="alert" data-testid="restore-confirm-box">
            {t('versions.replacesDraft', { version: confirming, draft: latest.version })}{' '}
            <button type="button" className="primary" data-testid="restore-confirm" onClick={() => void restore(confirming)} disabled={busy}>
              {t('versions.restore')}
            </button>{' '}
            <button type="button" onClick={() => setConfirming(null)}>
              {t('versions.cancel')}
            </button>
          </div>
        )}
        <div className="row">
          <label>
            {t('versions.from')}
            <select data-testid="diff-from" value={from} onChange={(e) => setFrom(e.target.value)}>
              {options}
            </select>
          </label>
          <label>
            {t('versions.to')}
            <select data-testid="diff-to" value={to} onChange={(e) => setTo(e.target.value)}>
              {options}
            </select>
          </label>
        </div>
        <h3>{t('versions.changes')}</h3>
        {before && after ? <DiffList changes={diffFlows(before, after)} /> : <p className="muted">…</p>}
      </div>
    </aside>
  );
}
