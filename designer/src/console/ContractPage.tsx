// One contract: who it waits for and since when, each signer's state, the live timeline,
// the documents, and what the caller may do (approve or reject when it waits for them; nudge,
// cancel, download). The same page is the phone approval page the approval notice links to.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SETTLED_STATUSES, type ApprovalStepState } from '../../../flows';
import { api, links, saveBlob, type ContractDetail, type SessionUser } from './api';
import { namesIn, pendingStepFor, signerState } from './contract-view';
import { useContractEvents } from './events';
import { formatAmount, formatTime, since } from './format';
import { describe, StatusTag } from './Ledger';
import { mayAct, mayDownloadEvidence } from './roles';
import { linkProps } from './routes';

export function ContractPage({ id, user }: { id: string; user: SessionUser }) {
  const { t } = useTranslation();
  const [contract, setContract] = useState<ContractDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(() => {
    api.contract(id).then(
      (c) => (setContract(c), setError(null)),
      (caught) => setError(describe(caught)),
    );
  }, [id]);
  useEffect(load, [load]);
  useContractEvents(load, id);
  // In approval the documents are not generated yet: the approver reads previews from the current data.
  const [previews, setPreviews] = useState<{ id: string }[]>([]);
  const previewing = contract?.status === 'in_approval' && contract.documents.length === 0;
  useEffect(() => {
    if (previewing && contract) api.flowDocuments(contract.flowKey, contract.flowVersion).then(setPreviews, () => setPreviews([]));
  }, [previewing, contract?.flowKey, contract?.flowVersion]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      setNotice(done);
      load();
    } catch (caught) {
      setNotice(describe(caught));
    }
  };

  if (error && !contract)
    return (
      <section className="panel">
        <p className="error" role="alert">
          {error}
        </p>
        <a {...linkProps({ screen: 'ledger' })}>{t('console.contract.backToLedger')}</a>
      </section>
    );
  if (!contract) return <p className="muted">{t('console.loading')}</p>;

  const step = pendingStepFor(contract, user);
  const settled = SETTLED_STATUSES.includes(contract.status);
  const pendingSigners = contract.status === 'signing' ? contract.signers.filter((s) => s.status === 'invited') : [];
  const title = contract.title ?? contract.id;
  const acting = mayAct(user);
  const names = namesIn(contract, user);
  const who = (id: string) => (id === 'system' ? t('console.contract.system') : (names.get(id) ?? id));

  return (
    <article className="contract" aria-labelledby="contract-title" data-testid="contract-page">
      <nav className="crumbs" aria-label={t('console.contract.crumbs')}>
        <a {...linkProps({ screen: 'ledger' })}>{t('console.ledger.title')}</a> / <span>{contract.id}</span>
      </nav>
      <header className="contract-head">
        <h1 id="contract-title">{title}</h1>
        <StatusTag status={contract.status} />
      </header>
      <dl className="facts">
        <div>
          <dt>{t('console.contract.amount')}</dt>
          <dd data-testid="amount">{formatAmount(contract.amount)}</dd>
        </div>
        <div>
          <dt>{t('console.contract.flow')}</dt>
          <dd>
            {contract.flowName} · v{contract.flowVersion}
          </dd>
        </div>
        <div>
          <dt>{t('console.contract.source')}</dt>
          <dd data-testid="source">{contract.source || contract.sourceKey ? [contract.source?.connectorInstance, contract.sourceKey].filter(Boolean).join(' · ') : t('console.contract.noSource')}</dd>
        </div>
        <div>
          <dt>{t('console.contract.startedBy')}</dt>
          <dd>
            {who(contract.startedBy)} · {formatTime(contract.createdAt)}
          </dd>
        </div>
        {contract.signingDeadline && (
          <div>
            <dt>{t('console.contract.deadline')}</dt>
            <dd>{formatTime(contract.signingDeadline)}</dd>
          </div>
        )}
      </dl>

      {step && <ApprovalPanel contract={contract} step={step} onDecided={(decision) => (setNotice(t(decision === 'approve' ? 'console.approval.approved' : 'console.approval.rejected')), load())} />}
      {notice && (
        <p className="notice" role="status" data-testid="contract-notice">
          {notice}
        </p>
      )}

      <WaitingOn contract={contract} />

      <section className="panel" aria-labelledby="documents-title">
        <h2 id="documents-title">{t('console.contract.documents')}</h2>
        <ul className="documents" data-testid="documents">
          {contract.documents.map((doc) => (
            <li key={doc.id}>
              <a href={links.document(contract.id, doc.id)} target="_blank" rel="noopener">
                {doc.title ?? doc.id}.pdf
              </a>
              <span className="muted small">
                {' '}
                {t('console.contract.pages', { count: doc.pages })}
                {doc.signedBy?.length ? ` · ${t('console.contract.signedBy', { count: doc.signedBy.length })}` : ''}
              </span>
            </li>
          ))}
          {previewing &&
            previews.map((doc) => (
              <li key={doc.id} data-preview="true">
                <a href={links.document(contract.id, doc.id)} target="_blank" rel="noopener">
                  {t('console.contract.preview', { name: doc.id })}
                </a>
              </li>
            ))}
          {contract.documents.length === 0 && <li className="muted small">{previewing ? t('console.contract.previewOnly') : t('console.contract.noDocuments')}</li>}
        </ul>
        <div className="row wrap">
          {contract.status === 'completed' && (
            <button type="button" onClick={() => act(async () => saveBlob(await api.signedZip([contract.id]), `${contract.id}-signed.zip`), t('console.contract.downloaded'))} data-testid="signed-zip">
              {t('console.contract.signedPdfs')}
            </button>
          )}
          {contract.evidenceSha256 && (
            <a className="button" href={links.evidence(contract.id)} target="_blank" rel="noopener" data-testid="evidence">
              {t('console.contract.evidence')}
            </a>
          )}
          {mayDownloadEvidence(user) && (
            <a className="button" href={links.evidencePackage(contract.id)} download data-testid="evidence-package">
              {t('console.contract.evidencePackage')}
            </a>
          )}
        </div>
      </section>

      {contract.signers.length > 0 && (
        <section className="panel" aria-labelledby="signers-title">
          <div className="panel-head">
            <h2 id="signers-title">{t('console.contract.signers')}</h2>
            {acting && pendingSigners.length > 0 && (
              <button type="button" onClick={() => act(() => api.nudge(contract.id), t('console.contract.nudgedAll'))} data-testid="nudge-all">
                {t('console.contract.nudgeAll', { count: pendingSigners.length })}
              </button>
            )}
          </div>
          <ul className="signers" data-testid="signers">
            {contract.signers.map((signer) => {
              const state = signerState(signer);
              return (
                <li key={signer.id} data-testid="signer" data-signer={signer.id} data-state={state}>
                  <div className="signer-main">
                    <strong>{signer.name}</strong>
                    <span className={`signer-state state-${state}`}>{t(`console.signerState.${state}`)}</span>
                    <span className="muted small">{t('console.contract.round', { order: signer.order })}</span>
                  </div>
                  <div className="muted small">
                    {[
                      signer.email,
                      signer.mobile,
                      signer.invitedAt && t('console.contract.invitedAt', { at: formatTime(signer.invitedAt) }),
                      signer.openedAt && t('console.contract.openedAt', { at: formatTime(signer.openedAt) }),
                      signer.readAt && t('console.contract.readAt', { at: formatTime(signer.readAt) }),
                      signer.signedAt && t('console.contract.signedAt', { at: formatTime(signer.signedAt) }),
                      signer.lastNudgeAt && t('console.contract.lastNudge', { at: formatTime(signer.lastNudgeAt) }),
                      signer.declineReason && t('console.contract.declined', { reason: signer.declineReason }),
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </div>
                  {acting && contract.status === 'signing' && signer.status === 'invited' && (
                    <button type="button" onClick={() => act(() => api.nudge(contract.id, signer.id), t('console.contract.nudged', { name: signer.name }))} data-testid={`nudge-${signer.id}`}>
                      {t('console.contract.nudge')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <section className="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t('console.contract.timeline')}</h2>
        <ol className="timeline" data-testid="timeline">
          {[...contract.timeline].reverse().map((event, index) => (
            <li key={`${event.at}-${index}`} data-type={event.type}>
              <time dateTime={event.at}>{formatTime(event.at)}</time>
              <span className="event-type">{t(`console.event.${event.type}`, { defaultValue: event.type })}</span>
              <span className="event-actor">{who(event.actor)}</span>
              <span className="event-message">{event.message}</span>
            </li>
          ))}
        </ol>
      </section>

      {acting && !settled && <CancelForm onCancel={(reason) => act(() => api.cancel(contract.id, reason), t('console.contract.cancelled'))} />}
    </article>
  );
}

function WaitingOn({ contract }: { contract: ContractDetail }) {
  const { t } = useTranslation();
  let who: string[] = [];
  let sinceAt: string | null = null;
  let due: string | null = null;
  if (contract.status === 'in_approval' && contract.currentStep !== null) {
    const step = contract.steps.find((s) => s.index === contract.currentStep) ?? contract.steps[contract.currentStep];
    if (step) {
      const decided = new Set(step.decisions.map((d) => d.approver));
      who = [...step.approvers, ...step.escalatedTo].filter((slot) => step.rule === 'any' || !decided.has(slot)).map((slot) => `${step.name}: ${slot.replace(/^(role|user):/, '')}`);
      sinceAt = step.startedAt;
      due = step.dueAt;
    }
  } else if (contract.status === 'signing') {
    const open = contract.signers.filter((s) => s.status === 'invited' || s.status === 'signing');
    who = open.map((s) => s.name);
    sinceAt = open.map((s) => s.invitedAt).filter((at): at is string => Boolean(at)).sort()[0] ?? null;
  }
  if (who.length === 0) return null;
  return (
    <section className="panel waiting" aria-labelledby="waiting-title" data-testid="waiting-on">
      <h2 id="waiting-title">{t('console.contract.waitingOn')}</h2>
      <p>
        <strong>{who.join('、')}</strong>
        {sinceAt && <span className="muted"> · {t('console.contract.waitingSince', { at: formatTime(sinceAt), duration: since(sinceAt) })}</span>}
        {due && <span className="muted"> · {t('console.contract.dueAt', { at: formatTime(due) })}</span>}
      </p>
    </section>
  );
}

function ApprovalPanel({ contract, step, onDecided }: { contract: ContractDetail; step: ApprovalStepState; onDecided: (decision: 'approve' | 'reject') => void }) {
  const { t } = useTranslation();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const decide = async (decision: 'approve' | 'reject') => {
    if (decision === 'reject' && !comment.trim()) return setError(t('console.approval.reasonNeeded'));
    setBusy(true);
    setError(null);
    try {
      await api.decide(contract.id, decision, comment.trim());
      onDecided(decision);
    } catch (caught) {
      setError(describe(caught));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => (event.preventDefault(), void decide('approve'));
  return (
    <section className="panel approval" aria-labelledby="approval-title" data-testid="approval">
      <h2 id="approval-title">{t('console.approval.title', { step: step.name })}</h2>
      <form onSubmit={submit} className="stack">
        <label>
          {t('console.approval.comment')}
          <textarea name="comment" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row decision">
          <button type="submit" className="primary" disabled={busy} data-testid="approve">
            {t('console.approval.approve')}
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => decide('reject')} data-testid="reject">
            {t('console.approval.reject')}
          </button>
        </div>
      </form>
    </section>
  );
}

function CancelForm({ onCancel }: { onCancel: (reason: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  return (
    <details className="panel cancel" data-testid="cancel">
      <summary>{t('console.contract.cancel')}</summary>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim()) void onCancel(reason.trim());
        }}
      >
        <label>
          {t('console.contract.cancelReason')}
          <textarea name="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={2000} />
        </label>
        <div className="row">
          <button type="submit" className="danger">
            {t('console.contract.confirmCancel')}
          </button>
        </div>
      </form>
    </details>
  );
}
