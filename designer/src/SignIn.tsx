import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, session } from './api';

export function SignIn({ onSignedIn, languageSwitch }: { onSignedIn: () => void; languageSwitch: ReactNode }) {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    session.signIn(token.trim());
    try {
      await api.listFlows();
      onSignedIn();
    } catch (caught) {
      session.signOut();
      setError(caught instanceof ApiError ? `${t('signIn.failed')} (${caught.message})` : String(caught));
    }
  };
  return (
    <main className="signin">
      <form onSubmit={submit} className="signin-card">
        <div className="brand">
          <span className="logo" aria-hidden="true">S</span> Sealflow
        </div>
        <h1>{t('signIn.title')}</h1>
        <label>
          {t('signIn.token')}
          <input type="password" name="token" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required autoFocus />
        </label>
        <p className="hint">{t('signIn.hint')}</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary">
            {t('signIn.submit')}
          </button>
          <div className="spacer" />
          {languageSwitch}
        </div>
      </form>
    </main>
  );
}
