// SEALFLOW_OUTBOUND_ALLOW: the hosts this hub may call (connectors, the SMS webhook, an external
// TSA). Unset: any host. Set: a comma-separated list of host names or addresses, `*.example.com`
// for any subdomain of example.com; a request elsewhere is refused before it is sent, so a
// connector setting (or a redirect of it) cannot carry secrets to a host nobody allowed.
//
// The list is parsed once by loadConfig and installed once by the start script for the whole
// process: every outbound call of the process passes `checkOutbound`, which is simpler and
// safer than threading the list through each connector's context.

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
