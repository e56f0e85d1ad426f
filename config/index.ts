// Configuration is read from the environment once, at start-up, into one typed object.
// A bad setting stops the process with a message that names it.
import { resolve } from 'node:path';
import { durationToMs } from '../flows/duration';
import { parseOutboundAllow, type OutboundAllowlist } from './outbound';

export { checkOutbound, fetchOutbound, MAX_OUTBOUND_REDIRECTS, withOutboundCheck, type OutboundFetchOptions, installOutboundAllowlist, OutboundRefusedError, outboundAllowed, parseOutboundAllow, type OutboundAllowlist } from './outbound';

export interface SealflowConfig {
  /** Port of the REST server. */
  port: number;
  /**
   * SEALFLOW_HEALTH_PORT: a worker-only process (`sealflow worker`) serves no API; with this set it
   * answers GET /healthz on this port (for compose and orchestrators). null: no port at all.
   */
  healthPort: number | null;
  /** Folder for the embedded defaults: SQLite database, Temporal dev server state. */
  dataDir: string;
  /** PostgreSQL URL; when absent, SQLite at `<dataDir>/sealflow.db`. */
  databaseUrl: string | null;
  sqlitePath: string;
  temporal: {
    /** Existing cluster (host:port); when absent, `npm start` runs a local dev server. */
    address: string | null;
    namespace: string;
    taskQueue: string;
    /** Port of the embedded dev server (and its UI on uiPort). */
    devServerPort: number;
    devServerUiPort: number;
  };
  /** Bearer token of the bootstrap administrator. */
  adminToken: string | null;
  /** 32 bytes that seal secrets at rest (connector credentials); from SEALFLOW_MASTER_KEY. */
  masterKey: Buffer | null;
  /** An external RFC 3161 timestamp authority; without it, Sealflow's own TSA stamps every signature. */
  tsaUrl: string | null;
  /** SEALFLOW_ARCHIVE_RENEWAL_MARGIN: an archive (PAdES B-LTA) is re-timestamped this long before its last timestamp's TSA certificate expires. */
  archiveRenewalMarginMs: number;
  /** Where signers reach this hub: the base of the links in their invitations. */
  publicUrl: string;
  /** How invitations present the hub's owner and how long their links live. */
  notices: {
    /**
     * SEALFLOW_COMPANY_NAME: who sends contracts from this hub, shown in invitations (the email's
     * sender line, the SMS's 【】 signature). null: each contract's first company signer.
     */
    companyName: string | null;
    /** SEALFLOW_LINK_DAYS: how many days a signing link lives when the flow sets no signing deadline (default 30). */
    linkDays: number;
  };
  /** Where notifications go besides the dev outbox (see notify/). */
  notify: {
    /** SEALFLOW_SMTP_URL: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465; null: no email delivery. */
    smtpUrl: string | null;
    /** SEALFLOW_MAIL_FROM: `Name <address>` or an address; default "Sealflow <no-reply@sealflow.local>". */
    mailFrom: string;
    /** SEALFLOW_SMS_WEBHOOK_URL: http(s) URL that receives POST {to, text, idempotencyKey}; null: no SMS delivery. */
    smsWebhookUrl: string | null;
    /** SEALFLOW_SMS_WEBHOOK_TOKEN: sent as `Authorization: Bearer …` to the SMS webhook. */
    smsWebhookToken: string | null;
  };
  /**
   * SEALFLOW_IDENTITY_PROVIDERS: who verifies signers' real names (实名认证), comma-separated in
   * priority order. Empty (unset or "none"): nobody, and no identity can be verified. "local" only
   * by explicit choice: identity/local answers from a fixture list and checks nobody — never for
   * production. A vendor's provider is given to createApp / createHub in code (identityProviders).
   * Face verification is the level `face` of these providers (SEALFLOW_FACE_PROVIDER is retired).
   */
  identityProviders: IdentityProviderName[];
  /** SEALFLOW_OUTBOUND_ALLOW: the hosts connectors, the SMS webhook and the TSA may call; null (unset): any (see outbound.ts). */
  outboundAllow: OutboundAllowlist | null;
  /** Metrics and logs (observability/). */
  observability: ObservabilitySettings;
  /** Anchoring (全链路存证): Merkle roots over new evidence events, each stamped by a TSA (evidence/anchoring.ts). */
  anchor: {
    /** SEALFLOW_ANCHOR_TSA_URL: the RFC 3161 TSA that stamps the roots; null: the hub's own (which proves only its own word). */
    tsaUrl: string | null;
    /** SEALFLOW_ANCHOR_EVERY: ISO 8601 period of the anchoring schedule, at least PT1M (default PT1H); null ("off"): only `sealflow anchor`. */
    everyMs: number | null;
  };
}

/** The identity providers a setting may name; vendors' adapters are passed in code, not named here. */
export const IDENTITY_PROVIDER_NAMES = ['local'] as const;
export type IdentityProviderName = (typeof IDENTITY_PROVIDER_NAMES)[number];

export class ConfigError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
  }
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(name, `must be a port number 0-65535, got "${raw}"`);
  return value;
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = nonEmpty(env, name);
  if (raw === null) return null;
  if (!/^https?:\/\/[^\s]+$/.test(raw)) throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  return raw;
}

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  return raw ? raw : null;
}

/** SEALFLOW_MASTER_KEY: 64 hex digits, or the base64 of 32 bytes. */
export function parseMasterKey(raw: string, setting = 'SEALFLOW_MASTER_KEY'): Buffer {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}$/.test(text)) {
    const bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw new ConfigError(setting, 'must be 32 bytes given as 64 hex digits or as base64 (e.g. `openssl rand -hex 32`)');
}

/** SEALFLOW_SMTP_URL and friends; an SMTP URL may hold a password, so it is never echoed back. */
function notifySettings(env: NodeJS.ProcessEnv): SealflowConfig['notify'] {
  const smtpUrl = nonEmpty(env, 'SEALFLOW_SMTP_URL');
  if (smtpUrl !== null) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(smtpUrl);
    } catch {
      // reported below
    }
    if (parsed === null || (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')) {
      throw new ConfigError('SEALFLOW_SMTP_URL', 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587 or smtps://mail.example.com:465');
    }
    if (!parsed.hostname) throw new ConfigError('SEALFLOW_SMTP_URL', 'has no host (e.g. smtp://mail.example.com:587)');
    if (parsed.port === '0') throw new ConfigError('SEALFLOW_SMTP_URL', 'must not use port 0');
  }
  const mailFrom = nonEmpty(env, 'SEALFLOW_MAIL_FROM') ?? 'Sealflow <no-reply@sealflow.local>';
  if (!/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(mailFrom)) {
    throw new ConfigError('SEALFLOW_MAIL_FROM', `must be an address or "Name <address>", got "${mailFrom}"`);
  }
  const smsWebhookUrl = httpUrl(env, 'SEALFLOW_SMS_WEBHOOK_URL');
  const smsWebhookToken = nonEmpty(env, 'SEALFLOW_SMS_WEBHOOK_TOKEN');
  if (smsWebhookToken !== null && /\s/.test(smsWebhookToken)) {
    throw new ConfigError('SEALFLOW_SMS_WEBHOOK_TOKEN', 'must not contain whitespace');
  }
  if (smsWebhookToken !== null && smsWebhookUrl === null) {
    throw new ConfigError('SEALFLOW_SMS_WEBHOOK_TOKEN', 'is set but SEALFLOW_SMS_WEBHOOK_URL is not');
  }
  return { smtpUrl, mailFrom, smsWebhookUrl, smsWebhookToken };
}

/** Default of SEALFLOW_LINK_DAYS. */
export const DEFAULT_LINK_DAYS = 30;

function noticeSettings(env: NodeJS.ProcessEnv): SealflowConfig['notices'] {
  const companyName = nonEmpty(env, 'SEALFLOW_COMPANY_NAME');
  if (companyName !== null && ([...companyName].length > 60 || /[\u0000-\u001f\u007f【】]/.test(companyName))) {
    throw new ConfigError('SEALFLOW_COMPANY_NAME', 'must be a company name of at most 60 characters, without control characters or 【】');
  }
  const rawDays = nonEmpty(env, 'SEALFLOW_LINK_DAYS');
  const linkDays = rawDays === null ? DEFAULT_LINK_DAYS : Number(rawDays);
  if (!Number.isInteger(linkDays) || linkDays < 1 || linkDays > 365) {
    throw new ConfigError('SEALFLOW_LINK_DAYS', `must be a whole number of days from 1 to 365, got "${rawDays}"`);
  }
  return { companyName, linkDays };
}

/** Retired: face verification is the real-name level `face`, done by SEALFLOW_IDENTITY_PROVIDERS. "none" is still accepted (it changes nothing). */
function retiredFaceProvider(env: NodeJS.ProcessEnv): void {
  const raw = nonEmpty(env, 'SEALFLOW_FACE_PROVIDER');
  if (raw === null || raw === 'none') return;
  throw new ConfigError('SEALFLOW_FACE_PROVIDER', `is retired: face verification is the identity level "face" of SEALFLOW_IDENTITY_PROVIDERS (for trials: SEALFLOW_IDENTITY_PROVIDERS=local, which checks nobody); remove SEALFLOW_FACE_PROVIDER (got "${raw}")`);
}

function identityProviders(env: NodeJS.ProcessEnv): IdentityProviderName[] {
  const raw = nonEmpty(env, 'SEALFLOW_IDENTITY_PROVIDERS');
  if (raw === null || raw === 'none') return [];
  const names = raw.split(',').map((name) => name.trim());
  const chosen: IdentityProviderName[] = [];
  for (const name of names) {
    if (!(IDENTITY_PROVIDER_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError('SEALFLOW_IDENTITY_PROVIDERS', `must list providers by name (${IDENTITY_PROVIDER_NAMES.join(', ')}; "local" checks nobody: for development only) or be "none", got "${name}"`);
    }
    if (chosen.includes(name as IdentityProviderName)) throw new ConfigError('SEALFLOW_IDENTITY_PROVIDERS', `names "${name}" twice`);
    chosen.push(name as IdentityProviderName);
  }
  return chosen;
}

/** SEALFLOW_ANCHOR_EVERY: an ISO 8601 duration of at least a minute, or "off". */
/** ISO 8601 duration, default 90 days; the TSA renews its own certificate twice this margin before it ends. */
function archiveRenewalMargin(env: NodeJS.ProcessEnv): number {
  const raw = nonEmpty(env, 'SEALFLOW_ARCHIVE_RENEWAL_MARGIN') ?? 'P90D';
  let ms: number;
  try {
    ms = durationToMs(raw);
  } catch {
    throw new ConfigError('SEALFLOW_ARCHIVE_RENEWAL_MARGIN', `must be an ISO 8601 duration such as P90D, got "${raw}"`);
  }
  if (ms < 1000 || ms > 5 * 365 * 86_400_000) throw new ConfigError('SEALFLOW_ARCHIVE_RENEWAL_MARGIN', `must be between a second and five years, got "${raw}"`);
  return ms;
}

function anchorPeriod(env: NodeJS.ProcessEnv): number | null {
  const raw = nonEmpty(env, 'SEALFLOW_ANCHOR_EVERY') ?? 'PT1H';
  if (raw.toLowerCase() === 'off') return null;
  let ms: number;
  try {
    ms = durationToMs(raw);
  } catch {
    throw new ConfigError('SEALFLOW_ANCHOR_EVERY', `must be an ISO 8601 duration such as PT1H or P1D, or "off", got "${raw}"`);
  }
  if (ms < 60_000) throw new ConfigError('SEALFLOW_ANCHOR_EVERY', `must be at least a minute (PT1M), got "${raw}"`);
  return ms;
}

export interface ObservabilitySettings {
  /** LOG_FORMAT: json (one object a line) or plain (readable); default json when NODE_ENV=production, plain otherwise. */
  logFormat: 'json' | 'plain';
  /** LOG_LEVEL: trace, debug, info (default), warn, error or silent. */
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * SEALFLOW_TEMPORAL_METRICS_ADDRESS (host:port, e.g. 127.0.0.1:9464): where the Temporal SDK of a
   * worker process serves its Prometheus metrics at /metrics; null (unset): not exported.
   */
  temporalMetricsAddress: string | null;
}

function observabilitySettings(env: NodeJS.ProcessEnv): ObservabilitySettings {
  const format = nonEmpty(env, 'LOG_FORMAT')?.toLowerCase() ?? null;
  if (format !== null && !['json', 'plain', 'pretty'].includes(format)) throw new ConfigError('LOG_FORMAT', `must be json or plain, got "${env.LOG_FORMAT}"`);
  const level = nonEmpty(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
  if (!(levels as readonly string[]).includes(level)) throw new ConfigError('LOG_LEVEL', `must be one of ${levels.join(', ')}, got "${env.LOG_LEVEL}"`);
  const address = nonEmpty(env, 'SEALFLOW_TEMPORAL_METRICS_ADDRESS');
  if (address !== null && !/^(\[[0-9a-fA-F:]+\]|[^\s:\[\]]+):\d+$/.test(address)) throw new ConfigError('SEALFLOW_TEMPORAL_METRICS_ADDRESS', `must be host:port (e.g. 127.0.0.1:9464), got "${address}"`);
  return {
    logFormat: format === null ? (env.NODE_ENV === 'production' ? 'json' : 'plain') : format === 'json' ? 'json' : 'plain',
    logLevel: level as ObservabilitySettings['logLevel'],
    temporalMetricsAddress: address,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SealflowConfig {
  const dataDir = resolve(nonEmpty(env, 'SEALFLOW_DATA_DIR') ?? 'data');
  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL (leave it unset for the embedded SQLite database)');
  }
  const adminToken = nonEmpty(env, 'SEALFLOW_ADMIN_TOKEN');
  if (adminToken && adminToken.length < 16) {
    throw new ConfigError('SEALFLOW_ADMIN_TOKEN', 'must be at least 16 characters long');
  }
  const temporalAddress = nonEmpty(env, 'TEMPORAL_ADDRESS');
  if (temporalAddress && !/^[^\s:]+:\d+$/.test(temporalAddress)) {
    throw new ConfigError('TEMPORAL_ADDRESS', `must be host:port, got "${temporalAddress}"`);
  }
  retiredFaceProvider(env);
  return {
    port: port(env, 'PORT', 3000),
    healthPort: nonEmpty(env, 'SEALFLOW_HEALTH_PORT') === null ? null : port(env, 'SEALFLOW_HEALTH_PORT', 0),
    dataDir,
    databaseUrl,
    sqlitePath: resolve(dataDir, 'sealflow.db'),
    temporal: {
      address: temporalAddress,
      namespace: nonEmpty(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: nonEmpty(env, 'TEMPORAL_TASK_QUEUE') ?? 'sealflow-contracts',
      devServerPort: port(env, 'TEMPORAL_DEV_PORT', 7233),
      devServerUiPort: port(env, 'TEMPORAL_DEV_UI_PORT', 8233),
    },
    adminToken,
    masterKey: nonEmpty(env, 'SEALFLOW_MASTER_KEY') === null ? null : parseMasterKey(env.SEALFLOW_MASTER_KEY!),
    tsaUrl: httpUrl(env, 'SEALFLOW_TSA_URL'),
    archiveRenewalMarginMs: archiveRenewalMargin(env),
    publicUrl: httpUrl(env, 'SEALFLOW_PUBLIC_URL') ?? `http://localhost:${port(env, 'PORT', 3000)}`,
    notices: noticeSettings(env),
    notify: notifySettings(env),
    identityProviders: identityProviders(env),
    outboundAllow: parseOutboundAllow(env.SEALFLOW_OUTBOUND_ALLOW, (message) => {
      throw new ConfigError('SEALFLOW_OUTBOUND_ALLOW', message);
    }),
    anchor: { tsaUrl: httpUrl(env, 'SEALFLOW_ANCHOR_TSA_URL'), everyMs: anchorPeriod(env) },
    observability: observabilitySettings(env),
  };
}
