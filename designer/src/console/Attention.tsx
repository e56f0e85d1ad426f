// Needs attention: approvals past their due time, signers past half their deadline,
// contracts expiring within their reminder window, failed contracts with the reason. Refreshed live.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Attention as AttentionLists, type AttentionItem } from './api';
import { useContractEvents } from './events';
import { formatAmount, formatTime } from './format';
import { describe, StatusTag } from './Ledger';
import { linkProps } from './routes';

const GROUPS = ['approvalsOverdue', 'signersPastHalf', 'expiringSoon', 'failed'] as const;

export function Attention() {
  const { t } = useTranslation();
  const [lists, setLists] = useState<AttentionLists | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.attention().then(
      (answer) => (setLists(answer), setError(null)),
      (caught) => setError(describe(caught)),
    );
  }, []);
  useEffect(load, [load]);
  useContractEvents(load);

  return (
    <section className="attention" aria-labelledby="attention-title">
      <div className="page-head">
        <h1 id="attention-title">{t('console.attention.title')}</h1>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {lists && (
        <div className="attention-groups">
          {GROUPS.map((group) => (
            <section key={group} className="panel" aria-labelledby={`attention-${group}`} data-testid={`attention-${group}`}>
              <h2 id={`attention-${group}`}>
                {t(`console.attention.${group}`)} <span className="count">{lists[group]?.total ?? 0}</span>
              </h2>
              <ul className="attention-list">
                {(lists[group]?.items ?? []).map((item: AttentionItem) => (
                  <li key={item.id}>
                    <a {...linkProps({ screen: 'contract', id: item.id })}>{item.title ?? item.id}</a> <StatusTag status={item.status} />
                    <div className="muted small">
                      {formatAmount(item.amount)} · {formatTime(item.updatedAt)}
                      {item.why ? ` · ${typeof item.why === 'string' ? item.why : item.why.message}` : ''}
                    </div>
                  </li>
                ))}
                {(lists[group]?.items ?? []).length === 0 && <li className="muted">{t('console.attention.none')}</li>}
                {lists[group]?.truncated && <li className="muted small">{t('console.attention.truncated', { total: lists[group].total })}</li>}
              </ul>
            </section>
          ))}
        </div>
      )}
    </section>
  );
}
