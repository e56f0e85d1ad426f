import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, session } from './api';

/**
 * Sign-in with a login and password (the hub's session, shared with the console) or, for
 * admins and scripts, with an API key: one form, the key wins when one is typed.
 */
export function SignIn({ onSignedIn, languageSwitch }: { onSignedIn: () => void; languageSwitch: ReactNode }) {
  const { t } = useTranslation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const withKey = token.trim() !== '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      if (withKey) session.signIn(token.trim());
      else await session.signInWithPassword(login.trim(), password);
      await api.listFlows();
      onSignedIn();
    } catch (caught) {
      await session.signOut();
      const message = t(withKey ? 'signIn.failed' : 'signIn.passwordFailed');
      setError(caught instanceof ApiError ? `${message} (${caught.message})` : String(caught));
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
          {t('signIn.login')}
          <input name="login" autoComplete="username" value={login} onChange={(e) => setLogin(e.target.value)} required={!withKey} autoFocus />
        </label>
        <label>
          {t('signIn.password')}
          <input type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required={!withKey} />
        </label>
        <label>
          {t('signIn.token')}
          <input type="password" name="token" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
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
