// Where the console is: the path under /console is the only routing state, so the link in
// an approval notice (/console/contracts/<id>) opens that contract, after sign-in if need be.
import { useEffect, useState } from 'react';

export const BASE = '/console';

export type ConsoleRoute =
  | { screen: 'ledger' }
  | { screen: 'contract'; id: string }
  | { screen: 'attention' }
  | { screen: 'stats' }
  | { screen: 'password' };

export function routeFromPath(path: string): ConsoleRoute {
  const contract = /^\/console\/contracts\/([^/]+)\/?$/.exec(path);
  if (contract) return { screen: 'contract', id: decodeURIComponent(contract[1]!) };
  if (/^\/console\/attention\/?$/.test(path)) return { screen: 'attention' };
  if (/^\/console\/stats\/?$/.test(path)) return { screen: 'stats' };
  if (/^\/console\/password\/?$/.test(path)) return { screen: 'password' };
  return { screen: 'ledger' };
}

export function pathOf(route: ConsoleRoute): string {
  switch (route.screen) {
    case 'contract':
      return `${BASE}/contracts/${encodeURIComponent(route.id)}`;
    case 'ledger':
      return BASE;
    default:
      return `${BASE}/${route.screen}`;
  }
}

const listeners = new Set<() => void>();

export function navigate(route: ConsoleRoute) {
  const path = pathOf(route);
  if (location.pathname !== path) history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function useRoute(): ConsoleRoute {
  const [route, setRoute] = useState(() => routeFromPath(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeFromPath(location.pathname));
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A link inside the console: a real href (open in a new tab works), in-page navigation on a plain click. */
export function linkProps(route: ConsoleRoute) {
  return {
    href: pathOf(route),
    onClick: (event: React.MouseEvent) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(route);
    },
  };
}
