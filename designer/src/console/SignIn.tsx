// Sign-in with a login and password: the hub answers with a session cookie and the CSRF
// token api.ts keeps. The address stays as it was, so the user lands where they were heading.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, type SessionUser } from './api';

export function SignIn({ onSignedIn, languageSwitch }: { onSignedIn: (user: SessionUser) => void; languageSwitch: ReactNode }) {
  const { t } = useTranslation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(login.trim(), password));
    } catch (caught) {
      setError(caught instanceof ApiError && (caught.status === 401 || caught.status === 400) ? t('console.signIn.failed') : caught instanceof Error ? caught.message : String(caught));
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={submit} className="signin-card" aria-labelledby="signin-title">
        <div className="brand">
          <span className="logo" aria-hidden="true">S</span> Sealflow
        </div>
        <h1 id="signin-title">{t('console.signIn.title')}</h1>
        <label>
          {t('console.signIn.login')}
          <input name="login" autoComplete="username" value={login} onChange={(e) => setLogin(e.target.value)} required autoFocus />
        </label>
        <label>
          {t('console.signIn.password')}
          <input type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            {t('console.signIn.submit')}
          </button>
          <div className="spacer" />
          {languageSwitch}
        </div>
      </form>
    </main>
  );
}
