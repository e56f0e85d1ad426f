// The tracking console (/console): sign in with a password, then the ledger, a contract's
// page, what needs attention and the statistics. Loaded lazily by main.tsx, so the designer's
// first load does not carry it; the statistics' chart library loads only on that page.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { switchLanguage, type Language } from '../i18n';
import { api, whenSignedOut, type SessionUser } from './api';
import { Attention } from './Attention';
import { ContractPage } from './ContractPage';
import { closeEvents, openEvents } from './events';
import { Ledger } from './Ledger';
import { Password } from './Password';
import { stopWatchingRareCharacters, watchRareCharacters } from './rare-font';
import { linkProps, navigate, useRoute, type ConsoleRoute } from './routes';
import { SignIn } from './SignIn';
import './console.css';

const Stats = lazy(() => import('./Stats'));

export default function ConsoleApp() {
  const { t } = useTranslation();
  const route = useRoute();
  // undefined: still asking the hub whether a session cookie is there.
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    whenSignedOut(() => setUser(null));
    api.session().then(setUser, (error) => setFailure(String(error?.message ?? error)));
  }, []);
  useEffect(() => {
    if (user) {
      openEvents();
      watchRareCharacters();
    } else {
      closeEvents();
      stopWatchingRareCharacters();
    }
  }, [user]);
  useEffect(() => {
    document.title = `Sealflow · ${t('console.title')}`;
  }, [t]);

  const signOut = useCallback(async () => {
    await api.signOut();
    setUser(null);
  }, []);

  const languageSwitch = <LanguageSwitch />;
  if (failure) return <p className="error console-failure" role="alert">{failure}</p>;
  if (user === undefined) return <p className="muted console-loading">{t('console.loading')}</p>;
  // The page asked for stays in the address bar: signing in shows it.
  if (user === null) return <SignIn onSignedIn={setUser} languageSwitch={languageSwitch} />;

  return (
    <div className="console">
      <TopBar route={route} user={user} signOut={signOut} languageSwitch={languageSwitch} />
      <main className="console-main" id="main">
        {route.screen === 'ledger' && <Ledger user={user} />}
        {route.screen === 'contract' && <ContractPage key={route.id} id={route.id} user={user} />}
        {route.screen === 'attention' && <Attention />}
        {route.screen === 'stats' && (
          <Suspense fallback={<p className="muted">{t('console.loading')}</p>}>
            <Stats />
          </Suspense>
        )}
        {route.screen === 'password' && <Password onDone={() => navigate({ screen: 'ledger' })} />}
      </main>
    </div>
  );
}

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  return (
    <button type="button" className="link" data-testid="language" lang={language === 'zh' ? 'en' : 'zh-CN'} onClick={() => switchLanguage(language === 'zh' ? 'en' : 'zh')}>
      {t('app.language')}
    </button>
  );
}

function TopBar({ route, user, signOut, languageSwitch }: { route: ConsoleRoute; user: SessionUser; signOut: () => void; languageSwitch: React.ReactNode }) {
  const { t } = useTranslation();
  const tabs: { screen: 'ledger' | 'attention' | 'stats'; label: string }[] = [
    { screen: 'ledger', label: t('console.nav.ledger') },
    { screen: 'attention', label: t('console.nav.attention') },
    { screen: 'stats', label: t('console.nav.stats') },
  ];
  const current = route.screen === 'contract' ? 'ledger' : route.screen;
  return (
    <header className="topbar console-topbar">
      <a className="skip" href="#main">
        {t('console.skip')}
      </a>
      <div className="brand">
        <span className="logo" aria-hidden="true">S</span> <span className="brand-name">Sealflow · {t('console.title')}</span>
      </div>
      <nav className="console-nav" aria-label={t('console.nav.label')}>
        {tabs.map((tab) => (
          <a key={tab.screen} {...linkProps({ screen: tab.screen })} aria-current={current === tab.screen ? 'page' : undefined} data-testid={`nav-${tab.screen}`}>
            {tab.label}
          </a>
        ))}
      </nav>
      <div className="spacer" />
      <span className="muted user-name" data-testid="user-name">
        {user.name}
      </span>
      <a className="link-button" {...linkProps({ screen: 'password' })}>
        {t('console.password.link')}
      </a>
      {languageSwitch}
      <button type="button" className="link" onClick={signOut} data-testid="sign-out">
        {t('app.signOut')}
      </button>
    </header>
  );
}
