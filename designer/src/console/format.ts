// Numbers, money and times as people in the chosen language read them.
import i18next from 'i18next';

const locale = () => (i18next.language === 'zh' ? 'zh-CN' : 'en-GB');

export const formatAmount = (amount: number | null | undefined) =>
  amount == null ? '—' : new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CNY', maximumFractionDigits: 2 }).format(amount);

export const formatTime = (at: string | null | undefined) =>
  at ? new Intl.DateTimeFormat(locale(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date(at)) : '—';

export const formatDate = (at: string | null | undefined) => (at ? new Intl.DateTimeFormat(locale(), { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at)) : '—');

/** "3 days 4 hours" style, for how long something has waited or a stage took. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 60_000) return i18next.t('console.duration.seconds', { seconds: Math.max(0, Math.round(ms / 1000)) });
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const t = i18next.t.bind(i18next);
  if (days > 0) return t('console.duration.daysHours', { days, hours });
  if (hours > 0) return t('console.duration.hoursMinutes', { hours, minutes: minutes % 60 });
  return t('console.duration.minutes', { minutes });
}

export const since = (at: string | null | undefined) => (at ? formatDuration(Date.now() - new Date(at).getTime()) : '—');
