// What each card says about its part of the flow, in the reader's language.
import { useTranslation } from 'react-i18next';
import type { FlowDefinition, ValidationIssue } from '../../../flows';
import { getAt } from '../pointer';
import { roundOrders } from '../edits';
import { tierBound, type CardNode } from './layout';

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

export function CardBody({ node, flow, problems }: { node: CardNode; flow: FlowDefinition; problems: ValidationIssue[] }) {
  const { t } = useTranslation();
  const value = getAt(flow, node.path) as Record<string, unknown> | undefined;
  const v = value ?? {};
  const problemLine = problems.length > 0 && (
    <div className="card-problem" role="note">
      ⚠ {problems[0]!.message}
      {problems.length > 1 ? ` (+${problems.length - 1})` : ''}
    </div>
  );
  switch (node.kind) {
    case 'trigger':
      return (
        <>
          <div className="card-head">{t('card.trigger')}</div>
          <div className="card-title">{flow.name || flow.key}</div>
          <div className="card-line">{t('card.amount')} <code>{text(flow.approval?.amount)}</code></div>
          {problemLine}
        </>
      );
    case 'tier': {
      const bound = tierBound(v.upTo as number | undefined);
      return (
        <>
          <div className="card-title tier-label" data-testid="tier-label">{bound ?? t('card.tierDefault')}</div>
          {problemLine}
        </>
      );
    }
    case 'step': {
      const approvers = list(v.approvers);
      return (
        <>
          <div className="card-head">{t('card.step')}{v.rule === 'all' ? ` · ${t('card.all')}` : ''}</div>
          <div className="card-title">{text(v.name) || t('card.step')}</div>
          <div className="card-line">{approvers.length ? approvers.join('、') : <span className="placeholder">{t('card.noApprovers')}</span>}</div>
          {problemLine}
        </>
      );
    }
    case 'document':
      return (
        <>
          <div className="card-head">{t('card.document')} · <code>{text(v.id)}</code></div>
          <div className="card-title">{text(v.template) || <span className="placeholder">{t('card.noTemplate')}</span>}</div>
          <div className="card-line">{v.when ? t('card.when', { when: text(v.when) }) : text(v.title)}</div>
          {problemLine}
        </>
      );
    case 'signer': {
      const badges = [
        v.party === 'person' ? t('card.person') : t('card.company'),
        v.seal ? t('card.seal', { seal: text(v.seal) }) : null,
        v.verify === 'sms-otp' ? t('card.verifySms') : v.verify === 'face' ? t('card.verifyFace') : null,
        v.mustRead ? t('card.mustRead') : null,
      ].filter(Boolean);
      const round = roundOrders(flow).indexOf((v.order as number | undefined) ?? 1) + 1;
      return (
        <>
          <div className="card-head">{t('card.round', { n: round })} · <code>{text(v.id)}</code></div>
          <div className="card-title"><code>{text(v.name)}</code></div>
          <div className="card-line badges">{badges.map((b) => <span key={b as string} className="badge">{b}</span>)}</div>
          {problemLine}
        </>
      );
    }
    case 'signing': {
      const reminders = v.reminders as { every?: string; max?: number } | undefined;
      return (
        <>
          <div className="card-head">{t('card.signing')}</div>
          <div className="card-title">{v.deadline ? t('card.deadline', { d: text(v.deadline) }) : t('card.noDeadline')}</div>
          <div className="card-line">{reminders?.every ? t('card.reminders', { every: reminders.every, max: reminders.max ?? '—' }) : ''}</div>
          {problemLine}
        </>
      );
    }
    case 'archive':
      return (
        <>
          <div className="card-head">{t('card.archive')}</div>
          <div className="card-title">{v.folder ? <code>{text(v.folder)}</code> : t('card.noArchive')}</div>
          <div className="card-line">{v.retention ? t('card.retention', { r: text(v.retention) }) : ''}</div>
          {problemLine}
        </>
      );
  }
}
