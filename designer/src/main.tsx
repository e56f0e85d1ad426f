import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';
import { initI18n } from './i18n';

// The hub serves a webfont cut for this build's Chinese (server/designer.ts): machines without a CJK font still read the page.
const font = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/designer/font.css' });
document.head.append(font);

// One build, two apps: /console (business users' tracking console, loaded on demand) and /designer.
const Console = lazy(() => import('./console/ConsoleApp'));
const inConsole = /^\/console(\/|$)/.test(location.pathname);

initI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {inConsole ? (
      <Suspense fallback={null}>
        <Console />
      </Suspense>
    ) : (
      <App />
    )}
  </StrictMode>,
);
