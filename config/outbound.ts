// SEALFLOW_OUTBOUND_ALLOW: the hosts this hub may call (connectors, the SMS webhook, an external
// TSA). Unset: any host. Set: a comma-separated list of host names or addresses, `*.example.com`
// for any subdomain of example.com; a request elsewhere is refused before it is sent, so a
// connector setting (or a redirect of it) cannot carry secrets to a host nobody allowed.
//
// The list is parsed once by loadConfig and installed once by the start script for the whole
// process: every outbound call of the process passes `checkOutbound`, which is simpler and
// safer than threading the list through each connector's context.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface OutboundAllowlist {
  /** Exact host names (lower case) or IP literals. */
  hosts: string[];
  /** Domains whose subdomains are allowed (from `*.example.com`: `example.com`). */
  domains: string[];
}

export class OutboundRefusedError extends Error {
  readonly code = 'outbound_refused';
}

const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6 = /^\[?[0-9a-f:.]+\]?$/;

/** Null when unset or empty (any host); throws with the bad entry otherwise. */
export function parseOutboundAllow(raw: string | null | undefined, onError: (message: string) => never = (m) => { throw new Error(m); }): OutboundAllowlist | null {
  const entries = (raw ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  if (!entries.length) return null;
  const list: OutboundAllowlist = { hosts: [], domains: [] };
  for (const entry of entries) {
    if (entry.startsWith('*.') && HOST.test(entry.slice(2)) && entry.slice(2).includes('.')) list.domains.push(entry.slice(2));
    else if (HOST.test(entry) || (entry.includes(':') && IPV6.test(entry))) list.hosts.push(entry.replace(/^\[|\]$/g, ''));
    else onError(`"${entry}" is neither a host name, an address nor *.domain (e.g. sap.example.com, 10.0.0.5, *.example.com)`);
  }
  return list;
}

/** Whether the list lets the hub call this host (no list: every host). */
export function outboundAllowed(list: OutboundAllowlist | null, host: string): boolean {
  if (!list) return true;
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return list.hosts.includes(name) || list.domains.some((domain) => name.endsWith(`.${domain}`));
}

let installed: OutboundAllowlist | null = null;

/** Installs the process's list; the start script calls it once with the parsed configuration. Returns the one it replaced. */
export function installOutboundAllowlist(list: OutboundAllowlist | null): OutboundAllowlist | null {
  const before = installed;
  installed = list;
  return before;
}

/** Throws OutboundRefusedError unless the installed list lets the hub call this URL; `what` names the caller in the message. */
export function checkOutbound(url: string | URL, what: string, list: OutboundAllowlist | null = installed): void {
  if (!list) return;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new OutboundRefusedError(`${what}: "${String(url)}" is not a URL`);
  }
  if (!outboundAllowed(list, host)) {
    throw new OutboundRefusedError(`${what}: host ${host} is not in SEALFLOW_OUTBOUND_ALLOW; the request was not sent`);
  }
}

/** Hops an outbound call may take after its first request; more is refused (a loop, or a chain built to hide where it ends). */
export const MAX_OUTBOUND_REDIRECTS = 5;

const REDIRECT = new Set([301, 302, 303, 307, 308]);

export interface OutboundFetchOptions {
  /** Default: the installed list. */
  list?: OutboundAllowlist | null;
  /** Default MAX_OUTBOUND_REDIRECTS; 0 refuses any redirect. */
  maxRedirects?: number;
}

/**
 * fetch for every outbound call of the hub: the URL and every redirect it answers with pass `checkOutbound`
 * before a request is sent, so a listed host cannot bounce the call (and its credentials) to 127.0.0.1 or a
 * cloud metadata address. fetch's own `redirect: 'follow'` would never show us the hops, so they are followed
 * here with `redirect: 'manual'`, at most MAX_OUTBOUND_REDIRECTS of them, http(s) only. As browsers do,
 * 303 (and 301/302 after a POST) continue as a body-less GET, and `authorization` is dropped on a hop to
 * another origin. Throws OutboundRefusedError for a refused hop or too many; network errors pass through.
 */
export async function fetchOutbound(url: string | URL, init: RequestInit, what: string, options: OutboundFetchOptions = {}): Promise<Response> {
  const { list = installed, maxRedirects = MAX_OUTBOUND_REDIRECTS } = options;
  let current = new URL(String(url));
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  let headers = new Headers(init.headers);
  for (let hop = 0; ; hop++) {
    checkOutbound(current, what, list);
    const response = await fetch(current, { ...init, method, body, headers, redirect: 'manual' });
    const location = response.headers.get('location');
    if (!REDIRECT.has(response.status) || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    if (hop >= maxRedirects) {
      throw new OutboundRefusedError(maxRedirects === 0 ? `${what}: answered ${response.status} (a redirect), which is not followed; configure the final address` : `${what}: more than ${maxRedirects} redirects; the request was not followed further`);
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new OutboundRefusedError(`${what}: redirected to "${location}", which is not a URL`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new OutboundRefusedError(`${what}: redirected to a ${next.protocol} URL; only http(s) is followed`);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      body = undefined;
      headers = new Headers(headers);
      for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(name);
    }
    if (next.origin !== current.origin) {
      headers = new Headers(headers);
      headers.delete('authorization');
      headers.delete('cookie');
    }
    current = next;
  }
}

/**
 * For libraries that call the global fetch themselves and follow redirects inside it (@sap/cds remote
 * services): while `run` is pending, every request fetch sends from its async context, each redirect hop
 * included, passes `checkOutbound`. fetch hands every hop to the process's undici dispatcher, so that
 * dispatcher is wrapped once; outside such a scope (the tests' own fetches, the hub's internal calls) it
 * behaves exactly as before. A refused hop fails the fetch, and the call rejects with the OutboundRefusedError
 * whatever the library made of it.
 */
export async function withOutboundCheck<T>(what: string, run: () => Promise<T>): Promise<T> {
  guardGlobalDispatcher();
  const scope: OutboundScope = { what, refused: null };
  try {
    return await outboundScope.run(scope, run);
  } catch (error) {
    // Libraries flatten fetch's error into their own (cds: a message string); the refusal is what happened.
    throw scope.refused ?? error;
  }
}

interface OutboundScope { what: string; refused: OutboundRefusedError | null }
const outboundScope = new AsyncLocalStorage<OutboundScope>();
// The symbol under which Node's bundled undici keeps the dispatcher fetch uses (undici's global.js).
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
let guarded = false;

interface DispatchHandler { onError?(error: Error): void }
interface Dispatcher { dispatch(options: { origin?: string | URL; path?: string }, handler: DispatchHandler): boolean }

function guardGlobalDispatcher(): void {
  if (guarded) return;
  const slot = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  // Node creates it when its bundled undici loads, on first use of fetch's classes; making a Headers loads it.
  if (!slot[GLOBAL_DISPATCHER]) new Headers();
  const inner = slot[GLOBAL_DISPATCHER];
  if (!inner) throw new Error('the global fetch dispatcher was not found; outbound redirects could not be guarded');
  slot[GLOBAL_DISPATCHER] = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'dispatch') {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (options: { origin?: string | URL; path?: string }, handler: DispatchHandler) => {
        const scope = outboundScope.getStore();
        if (scope) {
          try {
            checkOutbound(new URL(options.path ?? '/', options.origin), scope.what);
          } catch (error) {
            scope.refused ??= error as OutboundRefusedError;
            // undici's classic handlers take the error; newer ones (undici 7) do not have onError, and fetch
            // dispatches inside a promise executor, where a throw fails the fetch just the same.
            if (typeof handler.onError !== 'function') throw error;
            handler.onError(error as Error);
            return true;
          }
        }
        return target.dispatch(options, handler);
      };
    },
  });
  guarded = true;
}
