// Every problem of the flow with its JSON path; a click opens the card it belongs to.
import { useTranslation } from 'react-i18next';
import type { ValidationIssue } from '../../flows';
import { cardForPath, layoutFlow } from './canvas/layout';
import { useEditor } from './store';
import { useUi } from './ui';

export function Problems({ issues, server }: { issues: ValidationIssue[]; server: ValidationIssue[] }) {
  const { t } = useTranslation();
  const flow = useEditor((s) => s.flow);
  const { select, setTab } = useUi();
  const all = [...issues, ...server.filter((s) => !issues.some((i) => i.path === s.path && i.message === s.message))];
  const open = (path: string) => {
    if (!flow) return;
    const card = cardForPath(layoutFlow(flow), path);
    setTab('canvas');
    select(card?.path ?? '', true);
  };
  return (
    <section className="problems" aria-label={t('editor.problems')} data-testid="problems">
      <h2>
        {t('editor.problems')} <span className={all.length ? 'count bad' : 'count'}>{all.length}</span>
      </h2>
      {all.length === 0 ? (
        <p className="muted">{t('editor.noProblems')}</p>
      ) : (
        <ul>
          {all.map((issue) => (
            <li key={`${issue.path} ${issue.message}`}>
              <button type="button" data-path={issue.path} onClick={() => open(issue.path)}>
                <code>{issue.path}</code> <span>{issue.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
