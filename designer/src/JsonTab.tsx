// The definition as text. What is typed is parsed and, when it is JSON, becomes the flow
// (validated like any edit); the text shown is the flow itself, so designer → JSON →
// designer changes nothing.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowDefinition, ValidationIssue } from '../../flows';
import { useEditor } from './store';

export const flowText = (flow: FlowDefinition) => JSON.stringify(flow, null, 2);

export function JsonTab({ flow, issues }: { flow: FlowDefinition; issues: ValidationIssue[] }) {
  const { t } = useTranslation();
  const setFlow = useEditor((s) => s.setFlow);
  const [text, setText] = useState(() => flowText(flow));
  const [parseError, setParseError] = useState<string | null>(null);
  const applied = useRef(flow);

  // An undo or another change from outside the text replaces it.
  useEffect(() => {
    if (flow !== applied.current) {
      applied.current = flow;
      setText(flowText(flow));
      setParseError(null);
    }
  }, [flow]);

  const change = (next: string) => {
    setText(next);
    let value: unknown;
    try {
      value = JSON.parse(next);
    } catch (error) {
      setParseError((error as Error).message);
      return;
    }
    setParseError(null);
    if (JSON.stringify(value) === JSON.stringify(applied.current)) return;
    applied.current = value as FlowDefinition;
    setFlow(value as FlowDefinition);
  };

  return (
    <div className="json-tab">
      <p className="muted">{t('json.hint')}</p>
      {parseError && (
        <p className="error" role="alert" data-testid="json-error">
          {t('json.parseError', { message: parseError })}
        </p>
      )}
      <textarea data-testid="json" aria-label="JSON" spellCheck={false} value={text} onChange={(e) => change(e.target.value)} aria-invalid={!!parseError || issues.length > 0} />
    </div>
  );
}
