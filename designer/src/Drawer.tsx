// The settings of the selected card, each field bound to its JSON path in the flow, with
// the problems at that path shown under it.
import { useTranslation } from 'react-i18next';
import { COMPANY_IDENTITY_LEVELS, PERSON_IDENTITY_LEVELS, requiredIdentity, type FlowDefinition, type IdentityLevel, type ValidationIssue } from '../../flows';
import { remove } from './edits';
import { ExpressionField, wantsExpressionEditor } from './expression/ExpressionField';
import { getAt, isUnder } from './pointer';
import { useEditor } from './store';
import { useUi } from './ui';

function kindOf(path: string): 'trigger' | 'tier' | 'step' | 'document' | 'signer' | 'signing' | 'archive' | null {
  if (path === '') return 'trigger';
  if (/^\/approval\/tiers\/\d+$/.test(path)) return 'tier';
  if (/^\/approval\/tiers\/\d+\/steps\/\d+$/.test(path)) return 'step';
  if (/^\/documents\/\d+$/.test(path)) return 'document';
  if (/^\/signers\/\d+$/.test(path)) return 'signer';
  if (path === '/signing') return 'signing';
  if (path === '/archive') return 'archive';
  return null;
}

type FieldProps = { path: string; label: string; issues: ValidationIssue[]; hint?: string };

function Messages({ path, issues }: { path: string; issues: ValidationIssue[] }) {
  const mine = issues.filter((i) => isUnder(i.path, path));
  if (!mine.length) return null;
  return (
    <ul className="field-errors" data-testid={`errors-${path}`}>
      {mine.map((i) => <li key={i.path + i.message}>{i.path !== path ? `${i.path.slice(path.length + 1)}: ` : ''}{i.message}</li>)}
    </ul>
  );
}

/** A text field; `kind` says how the text maps to the flow value. Empty removes the value. */
function TextField({ path, label, issues, hint, kind = 'text' }: FieldProps & { kind?: 'text' | 'number' | 'integer' | 'list' }) {
  const flow = useEditor((s) => s.flow);
  const setField = useEditor((s) => s.setField);
  const value = getAt(flow, path);
  const shown = kind === 'list' ? (Array.isArray(value) ? value.join(', ') : '') : value === undefined || value === null ? '' : String(value);
  const bad = issues.some((i) => isUnder(i.path, path));
  const change = (raw: string) => {
    if (kind === 'list') {
      const items = raw.split(/[,，]/).map((s) => s.trim());
      setField(path, raw.trim() === '' ? [] : items.filter((s, i) => s !== '' || i === items.length - 1));
    } else if (kind === 'number' || kind === 'integer') setField(path, raw.trim() === '' ? undefined : Number(raw));
    else setField(path, raw === '' ? undefined : raw);
  };
  const id = `field-${path}`;
  return (
    <div className={bad ? 'field bad' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {kind === 'text' && wantsExpressionEditor(path, value) ? (
        <ExpressionField id={id} path={path} label={label} value={shown} invalid={bad} onChange={change} />
      ) : (
      <input
        id={id}
        data-field={path}
        type={kind === 'number' || kind === 'integer' ? 'number' : 'text'}
        value={shown}
        spellCheck={false}
        className={typeof value === 'string' && value.startsWith('=') ? 'expression' : undefined}
        aria-invalid={bad}
        onChange={(e) => change(e.target.value)}
      />
      )}
      {hint && <p className="hint">{hint}</p>}
      <Messages path={path} issues={issues} />
    </div>
  );
}

function SelectField({ path, label, issues, options }: FieldProps & { options: { value: string; label: string }[] }) {
  const flow = useEditor((s) => s.flow);
  const setField = useEditor((s) => s.setField);
  const value = getAt(flow, path);
  const id = `field-${path}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-field={path} value={value === undefined ? '' : String(value)} onChange={(e) => setField(path, e.target.value === '' ? undefined : e.target.value)}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <Messages path={path} issues={issues} />
    </div>
  );
}

/**
 * The real-name verification level a signer must pass (flows/identity-levels), the party's own
 * levels only. A flow from before levels shows its retired verify 'face' as level face
 * (requiredIdentity); choosing a level writes `identity` and drops that verify in one edit.
 */
function IdentityLevelField({ signerPath, party, issues }: { signerPath: string; party: 'person' | 'company'; issues: ValidationIssue[] }) {
  const { t } = useTranslation();
  const flow = useEditor((s) => s.flow);
  const setField = useEditor((s) => s.setField);
  const signer = (getAt(flow, signerPath) ?? {}) as { identity?: IdentityLevel; verify?: string };
  const levels = party === 'person' ? PERSON_IDENTITY_LEVELS : COMPANY_IDENTITY_LEVELS;
  const path = `${signerPath}/identity`;
  const id = `field-${path}`;
  const choose = (value: string) => {
    const { identity: _identity, ...rest } = signer;
    const next: Record<string, unknown> = { ...rest, ...(value ? { identity: value } : {}) };
    if (next.verify === 'face') delete next.verify;
    setField(signerPath, next);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{t('identity.label')}</label>
      <select id={id} data-field={path} value={requiredIdentity(signer) ?? ''} onChange={(e) => choose(e.target.value)}>
        {[{ value: '', label: t('identity.none') }, ...levels.map((level) => ({ value: level, label: t(`identity.levels.${level}`) }))].map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <Messages path={path} issues={issues} />
    </div>
  );
}

function CheckField({ path, label, issues }: FieldProps) {
  const flow = useEditor((s) => s.flow);
  const setField = useEditor((s) => s.setField);
  return (
    <div className="field check">
      <label>
        <input type="checkbox" data-field={path} checked={getAt(flow, path) === true} onChange={(e) => setField(path, e.target.checked ? true : undefined)} /> {label}
      </label>
      <Messages path={path} issues={issues} />
    </div>
  );
}

function TimeoutFields({ base, issues }: { base: string; issues: ValidationIssue[] }) {
  const { t } = useTranslation();
  return (
    <>
      <TextField path={`${base}/timeout`} label={t('drawer.timeout')} issues={issues} />
      <SelectField
        path={`${base}/onTimeout`}
        label={t('drawer.onTimeout')}
        issues={issues}
        options={[{ value: '', label: base === '/approval' ? t('drawer.none') : t('drawer.inherit') }, { value: 'escalate', label: t('drawer.escalate') }, { value: 'remind', label: t('drawer.remind') }, { value: 'reject', label: t('drawer.reject') }]}
      />
      <TextField path={`${base}/escalateTo`} label={t('drawer.escalateTo')} issues={issues} kind="list" />
    </>
  );
}

export function Drawer({ flow, issues }: { flow: FlowDefinition; issues: ValidationIssue[] }) {
  const { t } = useTranslation();
  const selected = useUi((s) => s.selected);
  const select = useUi((s) => s.select);
  if (selected === null) return null;
  const kind = kindOf(selected);
  if (!kind || (kind !== 'trigger' && kind !== 'signing' && kind !== 'archive' && getAt(flow, selected) === undefined)) return null;
  const p = selected;
  const tiers = flow.approval?.tiers ?? [];
  const isDefaultTier = kind === 'tier' && Number(p.split('/').pop()) === tiers.length - 1;
  const removed = kind === 'tier' || kind === 'step' || kind === 'document' || kind === 'signer' ? remove(flow, p) : null;
  const exprHint = t('drawer.expressionHint');
  return (
    <aside className="drawer" aria-label={t(`card.${kind === 'tier' ? 'tier' : kind}`)} data-testid="drawer" data-path={p}>
      <div className="drawer-head">
        <h2>{t(`card.${kind === 'tier' ? 'tier' : kind}`)}</h2>
        <code>{p || '/'}</code>
        <div className="spacer" />
        <button type="button" className="link" onClick={() => select(null)} aria-label={t('drawer.close')} data-testid="drawer-close">✕</button>
      </div>
      <div className="drawer-body">
        {kind === 'trigger' && (
          <>
            <TextField path="/name" label={t('drawer.name')} issues={issues} />
            <TextField path="/description" label={t('drawer.description')} issues={issues} />
            <TextField path="/title" label={t('drawer.title')} issues={issues} hint={exprHint} />
            <TextField path="/approval/amount" label={t('drawer.amount')} issues={issues} hint={exprHint} />
            <TimeoutFields base="/approval" issues={issues} />
          </>
        )}
        {kind === 'tier' &&
          (isDefaultTier ? (
            <>
              <p className="hint">{t('drawer.upToDefault')}</p>
              <Messages path={p} issues={issues.filter((i) => !i.path.startsWith(p + '/steps/'))} />
            </>
          ) : (
            <TextField path={`${p}/upTo`} label={t('drawer.upTo')} issues={issues} kind="number" />
          ))}
        {kind === 'step' && (
          <>
            <TextField path={`${p}/name`} label={t('drawer.name')} issues={issues} />
            <TextField path={`${p}/approvers`} label={t('drawer.approvers')} issues={issues} kind="list" />
            <SelectField path={`${p}/rule`} label={t('drawer.rule')} issues={issues} options={[{ value: '', label: t('card.any') }, { value: 'all', label: t('card.all') }]} />
            <TimeoutFields base={p} issues={issues} />
          </>
        )}
        {kind === 'document' && (
          <>
            <TextField path={`${p}/id`} label={t('drawer.id')} issues={issues} />
            <TextField path={`${p}/template`} label={t('drawer.template')} issues={issues} />
            <TextField path={`${p}/title`} label={t('drawer.docTitle')} issues={issues} hint={exprHint} />
            <TextField path={`${p}/when`} label={t('drawer.when')} issues={issues} />
            <TextField path={`${p}/data`} label={t('drawer.docData')} issues={issues} />
          </>
        )}
        {kind === 'signer' && (
          <>
            <TextField path={`${p}/id`} label={t('drawer.id')} issues={issues} />
            <SelectField path={`${p}/party`} label={t('drawer.party')} issues={issues} options={[{ value: 'company', label: t('card.company') }, { value: 'person', label: t('card.person') }]} />
            <TextField path={`${p}/name`} label={t('drawer.signerName')} issues={issues} hint={exprHint} />
            <TextField path={`${p}/contact/email`} label={t('drawer.email')} issues={issues} />
            <TextField path={`${p}/contact/mobile`} label={t('drawer.mobile')} issues={issues} />
            <TextField path={`${p}/order`} label={t('drawer.order')} issues={issues} kind="integer" />
            <DocumentChoice path={`${p}/documents`} flow={flow} issues={issues} />
            {/* How the signer confirms their intent. Face is a real-name level now (below); a flow from before shows its old value until a level is chosen. */}
            <SelectField path={`${p}/verify`} label={t('drawer.verify')} issues={issues} options={[{ value: '', label: t('drawer.none') }, { value: 'sms-otp', label: t('card.verifySms') }, ...(getAt(flow, `${p}/verify`) === 'face' ? [{ value: 'face', label: t('card.verifyFace') }] : [])]} />
            <IdentityLevelField signerPath={p} party={getAt(flow, `${p}/party`) === 'person' ? 'person' : 'company'} issues={issues} />
            <CheckField path={`${p}/mustRead`} label={t('drawer.mustRead')} issues={issues} />
            <TextField path={`${p}/seal`} label={t('drawer.seal')} issues={issues} />
          </>
        )}
        {kind === 'signing' && (
          <>
            <TextField path="/signing/deadline" label={t('drawer.deadline')} issues={issues} />
            <TextField path="/signing/reminders/every" label={t('drawer.every')} issues={issues} />
            <TextField path="/signing/reminders/max" label={t('drawer.max')} issues={issues} kind="integer" />
          </>
        )}
        {kind === 'archive' && (
          <>
            <TextField path="/archive/folder" label={t('drawer.folder')} issues={issues} hint={exprHint} />
            <TextField path="/archive/retention" label={t('drawer.retention')} issues={issues} />
            <TextField path="/archive/expiry/date" label={t('drawer.expiryDate')} issues={issues} />
            <TextField path="/archive/expiry/remindBefore" label={t('drawer.remindBefore')} issues={issues} />
          </>
        )}
      </div>
      {removed && (
        <div className="drawer-foot">
          <button
            type="button"
            className="danger"
            data-testid="drawer-delete"
            onClick={() => {
              useEditor.getState().setFlow(removed);
              select(null);
            }}
          >
            {t('drawer.delete')}
          </button>
        </div>
      )}
    </aside>
  );
}

function DocumentChoice({ path, flow, issues }: { path: string; flow: FlowDefinition; issues: ValidationIssue[] }) {
  const { t } = useTranslation();
  const setField = useEditor((s) => s.setField);
  const chosen = (getAt(flow, path) as string[] | undefined) ?? [];
  const ids = (flow.documents ?? []).map((d) => d.id);
  return (
    <fieldset className="field">
      <legend>{t('drawer.documents')}</legend>
      {ids.map((id) => (
        <label key={id} className="inline">
          <input type="checkbox" checked={chosen.includes(id)} onChange={(e) => setField(path, e.target.checked ? ids.filter((d) => d === id || chosen.includes(d)) : chosen.filter((d) => d !== id))} /> <code>{id}</code>
        </label>
      ))}
      <Messages path={path} issues={issues} />
    </fieldset>
  );
}
