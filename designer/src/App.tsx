// The designer's screens: sign in → flows list → editor. The path under /designer is the
// only routing state, so deep links (/designer/flows/<key>) open the editor directly.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { session } from './api';
import { Editor } from './Editor';
import { FlowList } from './FlowList';
import { switchLanguage, type Language } from './i18n';
import { SignIn } from './SignIn';
import type { FlowDefinition } from '../../flows';

const BASE = '/designer';
// Connectors and templates are screens of their own, loaded when first opened.
const ConnectorsPage = lazy(() => import('./connectors/ConnectorsPage'));
const TemplatesPage = lazy(() => import('./templates/TemplatesPage'));
type Section = 'connectors' | 'templates';
const sectionFromLocation = (): Section | null => (/^\/designer\/(connectors|templates)\/?$/.exec(location.pathname)?.[1] as Section | undefined) ?? null;

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
  const [section, setSection] = useState<Section | null>(sectionFromLocation);

  useEffect(() => {
    const onPop = () => {
      setRoute(routeFromLocation());
      setSection(sectionFromLocation());
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback((next: Route) => {
    const path = next.screen === 'flow' ? `${BASE}/flows/${encodeURIComponent(next.key)}` : BASE;
    if (location.pathname !== path) history.pushState(null, '', path);
    setRoute(next);
    setSection(null);
  }, []);
  const open = useCallback((next: Section | null) => {
    const path = next ? `${BASE}/${next}` : BASE;
    if (location.pathname !== path) history.pushState(null, '', path);
    setRoute({ screen: 'list' });
    setSection(next);
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
  const header = <Header languageSwitch={languageSwitch} signOut={signOut} section={section} open={open} />;
  return (
    <div className="app">
      {section ? (
        <Suspense fallback={null}>{section === 'connectors' ? <ConnectorsPage header={header} /> : <TemplatesPage header={header} />}</Suspense>
      ) : route.screen === 'list' ? (
        <FlowList navigate={navigate} header={header} />
      ) : (
        <Editor key={route.screen === 'flow' ? route.key : 'new'} route={route} navigate={navigate} headerEnd={<>{languageSwitch}<button type="button" className="link" onClick={signOut}>{t('app.signOut')}</button></>} />
      )}
    </div>
  );
}

function Header({ languageSwitch, signOut, section, open }: { languageSwitch: React.ReactNode; signOut: () => void; section: Section | null; open: (section: Section | null) => void }) {
  const { t } = useTranslation();
  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo" aria-hidden="true">S</span> Sealflow · {t('app.title')}
      </div>
      <nav className="tabs" aria-label={t('app.title')}>
        {([[null, 'list.title'], ['connectors', 'conn.nav'], ['templates', 'tpl.nav']] as const).map(([target, label]) => (
          <button key={label} type="button" data-testid={`nav-${target ?? 'flows'}`} aria-current={section === target ? 'page' : undefined} onClick={() => open(target)}>
            {t(label)}
          </button>
        ))}
      </nav>
      <div className="spacer" />
      {languageSwitch}
      <button type="button" className="link" onClick={signOut}>
        {t('app.signOut')}
      </button>
    </header>
  );
}
