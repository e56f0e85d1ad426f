// The designer's screens: sign in → flows list → editor. The path under /designer is the
// only routing state, so deep links (/designer/flows/<key>) open the editor directly.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { session } from './api';
import { Editor } from './Editor';
import { FlowList } from './FlowList';
import { switchLanguage, type Language } from './i18n';
import { SignIn } from './SignIn';
import type { FlowDefinition } from '../../flows';

const BASE = '/designer';

export type Route = { screen: 'list' } | { screen: 'flow'; key: string } | { screen: 'new'; flow: FlowDefinition };

function routeFromLocation(): Route {
  const match = /^\/designer\/flows\/([^/]+)\/?$/.exec(location.pathname);
  return match ? { screen: 'flow', key: decodeURIComponent(match[1]!) } : { screen: 'list' };
}

export function App() {
  const { t, i18n } = useTranslation();
  // null while asking the hub whether the browser is signed in already (here or in the console).
  const [signedIn, setSignedIn] = useState<boolean | null>(() => (session.token() !== null ? true : null));
  useEffect(() => {
    if (signedIn === null) void session.resume().then(setSignedIn);
  }, [signedIn]);
  const [route, setRoute] = useState<Route>(routeFromLocation);

  useEffect(() => {
    const onPop = () => setRoute(routeFromLocation());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback((next: Route) => {
    const path = next.screen === 'flow' ? `${BASE}/flows/${encodeURIComponent(next.key)}` : BASE;
    if (location.pathname !== path) history.pushState(null, '', path);
    setRoute(next);
  }, []);

  const language = i18n.language as Language;
  const languageSwitch = (
    <button type="button" className="link" data-testid="language" onClick={() => switchLanguage(language === 'zh' ? 'en' : 'zh')}>
      {t('app.language')}
    </button>
  );

  if (signedIn === null) return null;
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} languageSwitch={languageSwitch} />;
  const signOut = () => {
    void session.signOut();
    setSignedIn(false);
  };
  return (
    <div className="app">
      {route.screen === 'list' ? (
        <FlowList navigate={navigate} header={<Header languageSwitch={languageSwitch} signOut={signOut} />} />
      ) : (
        <Editor key={route.screen === 'flow' ? route.key : 'new'} route={route} navigate={navigate} headerEnd={<>{languageSwitch}<button type="button" className="link" onClick={signOut}>{t('app.signOut')}</button></>} />
      )}
    </div>
  );
}

function Header({ languageSwitch, signOut }: { languageSwitch: React.ReactNode; signOut: () => void }) {
  const { t } = useTranslation();
  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo" aria-hidden="true">S</span> Sealflow · {t('app.title')}
      </div>
      <div className="spacer" />
      {languageSwitch}
      <button type="button" className="link" onClick={signOut}>
        {t('app.signOut')}
      </button>
    </header>
  );
}
