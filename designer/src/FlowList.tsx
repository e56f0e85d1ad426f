// Every flow with its versions and status, and the way to start a new one.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, type FlowSummary } from './api';
import type { Route } from './App';
import { STARTERS, emptyFlow } from './starters';

export function FlowList({ navigate, header }: { navigate: (route: Route) => void; header: ReactNode }) {
  const { t } = useTranslation();
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starter, setStarter] = useState<string>('');
  const [key, setKey] = useState('');
  const [name, setName] = useState('');

  useEffect(() => {
    api.listFlows().then(setFlows, (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, []);

  const chooseStarter = (id: string) => {
    setStarter(id);
    const flow = STARTERS.find((s) => s.id === id)?.flow;
    setKey(flow?.key ?? '');
    setName(flow?.name ?? '');
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    const base = STARTERS.find((s) => s.id === starter)?.flow;
    const flow = base ? { ...structuredClone(base), key, name } : emptyFlow(key, name);
    navigate({ screen: 'new', flow });
  };

  return (
    <>
      {header}
      <main className="page">
        <section className="panel">
          <h1>{t('list.title')}</h1>
          {error && <p className="error" role="alert">{error}</p>}
          {flows && flows.length === 0 && <p className="muted">{t('list.empty')}</p>}
          {flows && flows.length > 0 && (
            <table className="flows" data-testid="flows">
              <thead>
                <tr>
                  <th>{t('list.name')}</th>
                  <th>{t('list.key')}</th>
                  <th>{t('list.latest')}</th>
                  <th>{t('list.published')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {flows.map((flow) => (
                  <tr key={flow.key} data-flow={flow.key}>
                    <td>{flow.name}</td>
                    <td><code>{flow.key}</code></td>
                    <td>v{flow.latestVersion}{flow.latestVersion !== flow.publishedVersion && <span className="tag draft">{t('status.draft')}</span>}</td>
                    <td>{flow.publishedVersion ? <>v{flow.publishedVersion}<span className="tag published">{t('status.published')}</span></> : t('list.none')}</td>
                    <td><button type="button" className="link" onClick={() => navigate({ screen: 'flow', key: flow.key })}>{t('list.open')}</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h2>{t('list.create')}</h2>
          <form onSubmit={create} className="create" data-testid="create-flow">
            <fieldset className="starters">
              <label className={starter === '' ? 'choice on' : 'choice'}>
                <input type="radio" name="starter" value="" checked={starter === ''} onChange={() => chooseStarter('')} />
                {t('list.createEmpty')}
              </label>
              {STARTERS.map((s) => (
                <label key={s.id} className={starter === s.id ? 'choice on' : 'choice'}>
                  <input type="radio" name="starter" value={s.id} checked={starter === s.id} onChange={() => chooseStarter(s.id)} />
                  {t(`list.starters.${s.id}`)}
                </label>
              ))}
            </fieldset>
            <div className="row">
              <label>
                {t('list.newKey')}
                <input name="key" value={key} onChange={(e) => setKey(e.target.value)} required pattern="[a-z0-9][a-z0-9\-]{1,62}" />
              </label>
              <label>
                {t('list.newName')}
                <input name="name" value={name} onChange={(e) => setName(e.target.value)} required />
              </label>
              <button type="submit" className="primary">{t('list.createButton')}</button>
            </div>
          </form>
        </section>
      </main>
    </>
  );
}
