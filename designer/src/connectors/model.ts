// What the connectors screen reads from and sends to the hub (GET/POST/PUT /api/connectors…),
// and the small pure helpers it needs (unit-tested in model.test.ts).
import type { JsonSchema } from './SettingsForm';

export interface ConnectorKind {
  id: string;
  displayName: string;
  description: string;
  settings: JsonSchema;
  secretFields: string[];
  triggers: Array<{ kind: 'poll'; defaultEveryMinutes: number } | { kind: 'webhook' }>;
  actions: string[];
  defaultMapping?: string;
}

export interface ConnectorInstanceView {
  id: string;
  connector: string;
  name: string | null;
  flow: string;
  mapping: string;
  trigger: { kind: 'poll'; everyMinutes: number } | { kind: 'webhook' };
  enabled: boolean;
  orgUnit: string | null;
  publicSettings: Record<string, unknown>;
  secretsSet: string[];
  webhook: { url: string; auth: string } | null;
  health: { lastSyncAt?: string | null; recordsRead?: number; contractsStarted?: number; errors?: number; consecutiveFailures?: number; lastError?: string | null } | null;
}

export interface MappingPreview {
  ok: boolean;
  data?: Record<string, unknown>;
  issues: Array<{ path: string; message: string }>;
  mappingError?: { message: string; position?: number; token?: string; expression: string };
  flow?: { key: string; version: number; status: string };
}

export interface SampleAnswer {
  sample: { sourceKey: string; record: unknown; version: string | null; skip: string | null } | null;
}

/** The form's state: one instance being set up or changed. */
export interface InstanceDraft {
  id: string;
  name: string;
  connector: string;
  flow: string;
  trigger: 'poll' | 'webhook';
  everyMinutes: number;
  webhookAuth: 'hmac-sha256' | 'bearer';
  /** Write-only, like the settings' secrets: empty keeps what the hub holds. */
  webhookSecret: string;
  enabled: boolean;
  orgUnit: string;
  settings: Record<string, unknown>;
  mapping: string;
}

/** Line and column (from 1) of a character offset in a text, for "line 3, column 14". */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** Messages by JSON path, from the API's issue list. */
export function byPath(issues: Array<{ path: string; message: string }>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { path, message } of issues) (out[path] ??= []).push(message);
  return out;
}

/** The body of POST /api/connectors (new) or PUT /api/connectors/:id (existing): secrets only when typed. */
export function instanceBody(draft: InstanceDraft, existing: boolean): Record<string, unknown> {
  const trigger =
    draft.trigger === 'poll'
      ? { kind: 'poll', everyMinutes: draft.everyMinutes }
      : { kind: 'webhook', ...(draft.webhookSecret ? { auth: draft.webhookAuth === 'bearer' ? { kind: 'bearer', token: draft.webhookSecret } : { kind: 'hmac-sha256', secret: draft.webhookSecret } } : {}) };
  const body: Record<string, unknown> = {
    name: draft.name.trim() || (existing ? null : undefined),
    settings: draft.settings,
    trigger,
    flow: draft.flow,
    mapping: draft.mapping,
    enabled: draft.enabled,
    orgUnit: draft.orgUnit.trim() || null,
  };
  if (!existing) Object.assign(body, { id: draft.id, connector: draft.connector });
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}
