// Change one's own password: the current one, the new one twice.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from './api';

export function Password({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next !== repeat) return setMessage({ ok: false, text: t('console.password.mismatch') });
    try {
      await api.changePassword(current, next);
      setMessage({ ok: true, text: t('console.password.changed') });
      setCurrent('');
      setNext('');
      setRepeat('');
    } catch (caught) {
      const details = caught instanceof ApiError ? caught.details.map((d) => d.message).join('; ') : '';
      setMessage({ ok: false, text: caught instanceof ApiError ? `${caught.message}${details ? ` (${details})` : ''}` : String(caught) });
    }
  };
  return (
    <section className="panel narrow">
      <h1>{t('console.password.title')}</h1>
      <form onSubmit={submit} className="stack">
        <label>
          {t('console.password.current')}
          <input type="password" name="current" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          {t('console.password.next')}
          <input type="password" name="next" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required minLength={8} />
        </label>
        <label>
          {t('console.password.repeat')}
          <input type="password" name="repeat" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
        </label>
        {message && (
          <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary">
            {t('console.password.submit')}
          </button>
          <button type="button" onClick={onDone}>
            {t('console.back')}
          </button>
        </div>
      </form>
    </section>
  );
}
