// A connector's settings as a form generated from its own JSON Schema (GET /api/connectors gives
// it, TypeBox-made): a field per property, typed by the schema (text, URL, number, yes/no, a
// choice for an enum), its title as the label and its description as the hint. Secret fields
// (`writeOnly`) are write-only: never filled from the hub, shown as "set" when they hold a value;
// left empty they keep it. The hub validates (the page cannot compile schemas under its CSP):
// its refusals come back with /settings/<name> paths and show at their field.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  format?: string;
  default?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  writeOnly?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

/** The settings a new instance starts with: each property's default. */
export function defaultSettings(schema: JsonSchema): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) if (property.default !== undefined && !property.writeOnly) values[name] = property.default;
  return values;
}

const choicesOf = (property: JsonSchema): unknown[] | null => property.enum ?? (property.anyOf?.every((p) => p.const !== undefined) ? property.anyOf.map((p) => p.const) : null);
const typeOf = (property: JsonSchema) => (Array.isArray(property.type) ? property.type.find((t) => t !== 'null') : property.type);

export function SettingsForm({ schema, values, secretsSet, errors, onChange }: {
  schema: JsonSchema;
  values: Record<string, unknown>;
  /** Secret fields that hold a value at the hub. */
  secretsSet: string[];
  /** Messages by JSON path (/settings/<name>). */
  errors: Record<string, string[]>;
  onChange: (values: Record<string, unknown>) => void;
}) {
  const { t } = useTranslation();
  const base = useId();
  const set = (name: string, value: unknown) => {
    const next = { ...values };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return (
    <div className="settings-form" data-testid="settings-form">
      {Object.entries(schema.properties ?? {}).map(([name, property]) => {
        const id = `${base}-${name}`;
        const required = schema.required?.includes(name) ?? false;
        const fieldErrors = errors[`/settings/${name}`] ?? [];
        const describedBy = [property.description ? `${id}-hint` : '', fieldErrors.length ? `${id}-errors` : ''].filter(Boolean).join(' ') || undefined;
        const common = { id, 'data-setting': name, 'aria-invalid': fieldErrors.length > 0, 'aria-describedby': describedBy, 'aria-required': required };
        const choices = choicesOf(property);
        const type = typeOf(property);
        const value = values[name];
        let input: React.ReactNode;
        if (property.writeOnly) {
          const isSet = secretsSet.includes(name);
          input = (
            <span className="secret">
              <input {...common} type="password" autoComplete="new-password" value={typeof value === 'string' ? value : ''} placeholder={isSet ? t('conn.secretKeep') : ''} onChange={(e) => set(name, e.target.value === '' ? undefined : e.target.value)} />
              {isSet && <span className="tag published" data-testid={`secret-set-${name}`}>{t('conn.secretSet')}</span>}
            </span>
          );
        } else if (choices) {
          input = (
            <select {...common} value={value === undefined ? '' : JSON.stringify(value)} onChange={(e) => set(name, e.target.value === '' ? undefined : JSON.parse(e.target.value))}>
              {!required && <option value="">—</option>}
              {choices.map((choice) => <option key={JSON.stringify(choice)} value={JSON.stringify(choice)}>{String(choice)}</option>)}
            </select>
          );
        } else if (type === 'boolean') {
          input = <input {...common} type="checkbox" checked={value === true} onChange={(e) => set(name, e.target.checked)} />;
        } else if (type === 'integer' || type === 'number') {
          input = (
            <input {...common} type="number" inputMode="numeric" min={property.minimum} max={property.maximum} step={type === 'integer' ? 1 : 'any'} placeholder={property.default !== undefined ? String(property.default) : ''}
              value={typeof value === 'number' ? String(value) : typeof value === 'string' ? value : ''}
              onChange={(e) => set(name, e.target.value === '' ? undefined : Number.isNaN(Number(e.target.value)) ? e.target.value : Number(e.target.value))} />
          );
        } else {
          input = (
            <input {...common} type="text" inputMode={property.format === 'uri' ? 'url' : undefined} spellCheck={false} placeholder={property.format === 'uri' ? 'https://' : property.default !== undefined ? String(property.default) : ''}
              value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)} onChange={(e) => set(name, e.target.value === '' ? undefined : e.target.value)} />
          );
        }
        return (
          <div key={name} className={fieldErrors.length ? 'setting invalid' : 'setting'}>
            <label htmlFor={id}>
              {property.title ?? name}
              {required && <span aria-hidden="true" className="required"> *</span>}
              <code className="muted"> {name}</code>
            </label>
            {input}
            {property.description && <p className="hint" id={`${id}-hint`}>{property.description}</p>}
            {fieldErrors.length > 0 && (
              <ul className="field-errors" id={`${id}-errors`} data-testid={`errors-/settings/${name}`}>
                {fieldErrors.map((message) => <li key={message}>{message}</li>)}
              </ul>
            )}
          </div>
        );
      })}
    </div>
  );
}
