// The sample record expressions are tried on: typed in (JSON) in a small editor under any
// expression field, kept per flow in this browser, or the first of the data schema's
// `examples` when nothing was typed. Without one, expressions show no result.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';

const STORAGE_PREFIX = 'sealflow.sample.';

interface Samples {
  /** Sample text per flow key, as typed. */
  texts: Record<string, string>;
  setText(flowKey: string, text: string): void;
}

function stored(flowKey: string): string | undefined {
  try {
    return localStorage.getItem(STORAGE_PREFIX + flowKey) ?? undefined;
  } catch {
    return undefined;
  }
}

export const useSamples = create<Samples>()((set, get) => ({
  texts: {},
  setText: (flowKey, text) => {
    try {
      if (text.trim() === '') localStorage.removeItem(STORAGE_PREFIX + flowKey);
      else localStorage.setItem(STORAGE_PREFIX + flowKey, text);
    } catch {
      /* storage refused: the sample lasts as long as the page */
    }
    set({ texts: { ...get().texts, [flowKey]: text } });
  },
}));

export interface Sample {
  /** The record, when there is one and it parses. */
  value?: Record<string, unknown>;
  text: string;
  /** Where it came from. */
  source: 'typed' | 'schema' | 'none';
  /** The typed text is not a JSON object. */
  error?: string;
}

const parsed = new Map<string, Sample>();

/** The sample of a flow: typed (or stored) text first, else the data schema's first example. */
export function sampleOf(flowKey: string | undefined, typed: string | undefined, schema: unknown): Sample {
  const text = typed ?? (flowKey ? stored(flowKey) : undefined);
  if (text !== undefined && text.trim() !== '') {
    const cached = parsed.get(text);
    if (cached) return cached;
    let sample: Sample;
    try {
      const value = JSON.parse(text) as unknown;
      sample = value && typeof value === 'object' && !Array.isArray(value) ? { value: value as Record<string, unknown>, text, source: 'typed' } : { text, source: 'typed', error: 'object' };
    } catch (error) {
      sample = { text, source: 'typed', error: error instanceof Error ? error.message : String(error) };
    }
    if (parsed.size > 50) parsed.clear();
    parsed.set(text, sample);
    return sample;
  }
  const example = (schema as { examples?: unknown[] } | undefined)?.examples?.[0];
  if (example && typeof example === 'object' && !Array.isArray(example)) return { value: example as Record<string, unknown>, text: JSON.stringify(example, null, 2), source: 'schema' };
  return { text: '', source: 'none' };
}

export function useSample(flowKey: string | undefined, schema: unknown): Sample {
  const typed = useSamples((s) => (flowKey ? s.texts[flowKey] : undefined));
  return sampleOf(flowKey, typed, schema);
}

/** The sample data editor: a JSON text area shared by every expression field of the flow. */
export function SampleEditor({ flowKey, sample }: { flowKey: string; sample: Sample }) {
  const { t } = useTranslation();
  const setText = useSamples((s) => s.setText);
  const [text, setLocal] = useState(sample.text);
  const errorId = useId();
  return (
    <div className="expr-sample" data-testid="sample-editor">
      <label>
        {t('expr.sampleLabel')}
        <textarea
          value={text}
          rows={8}
          spellCheck={false}
          data-testid="sample-text"
          aria-invalid={!!sample.error}
          aria-describedby={sample.error ? errorId : undefined}
          placeholder='{ "amount": 1000 }'
          onChange={(e) => {
            setLocal(e.target.value);
            setText(flowKey, e.target.value);
          }}
        />
      </label>
      {sample.error && (
        <p className="expr-sample-error" id={errorId} role="alert">
          {sample.error === 'object' ? t('expr.sampleNotObject') : t('expr.sampleInvalid', { message: sample.error })}
        </p>
      )}
      <p className="hint">{t('expr.sampleHint')}</p>
    </div>
  );
}
