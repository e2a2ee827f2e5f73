import { Tag, Tooltip } from 'antd';
import type { TargetView, TicketSummary } from '../api.ts';
import { useNow } from '../clock.ts';
import { useI18n } from '../i18n.tsx';

export type SlaLevel = 'ok' | 'warning' | 'breached' | 'paused' | 'met' | 'none';

const colours: Record<SlaLevel, string> = {
  ok: 'green',
  warning: 'orange',
  breached: 'red',
  paused: 'default',
  met: 'blue',
  none: 'default',
};

/** The state of one target at `now`: breached past its due time, warning past its warning instant. */
export function targetLevel(t: TargetView, now: number): SlaLevel {
  if (t.state === 'breached') return 'breached';
  if (t.state === 'met') return 'met';
  if (t.state === 'paused' || !t.dueAt) return 'paused';
  if (Date.parse(t.dueAt) <= now) return 'breached';
  if (t.warnAt && Date.parse(t.warnAt) <= now) return 'warning';
  return 'ok';
}

/** The target a queue cares about: the running one due first, else the latest breached one. */
export function headlineTarget(ticket: Pick<TicketSummary, 'sla'>): TargetView | undefined {
  const targets = ticket.sla.targets ?? [];
  const running = targets
    .filter((t) => t.state === 'running' && t.dueAt)
    .sort((a, b) => a.dueAt!.localeCompare(b.dueAt!));
  return running[0] ?? targets.find((t) => t.state === 'breached') ?? targets[0];
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const minutes = Math.floor(abs / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const secs = Math.floor((abs % 60_000) / 1000);
  if (days) return `${days}d ${hours}h`;
  if (hours) return `${hours}h ${String(mins).padStart(2, '0')}m`;
  return `${mins}m ${String(secs).padStart(2, '0')}s`;
}

/** A live countdown for one target, coloured by its state (ok / warning / breached). */
export function SlaBadge({ target, label }: { target: TargetView | undefined; label?: boolean }) {
  const { t } = useI18n();
  const now = useNow();
  if (!target) return <Tag data-sla="none">{t('noSla')}</Tag>;
  const level = targetLevel(target, now);
  const due = target.dueAt ? Date.parse(target.dueAt) : null;
  const text =
    level === 'met' || level === 'paused' || due === null
      ? t(level)
      : due > now
        ? `${formatDuration(due - now)}`
        : `${t('overdue')} ${formatDuration(now - due)}`;
  return (
    <Tooltip
      title={`${t(target.target)} · ${t(level)}${target.dueAt ? ` · ${new Date(target.dueAt).toLocaleString()}` : ''}`}
    >
      <Tag color={colours[level]} data-sla={level} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {label ? `${t(target.target)} ` : ''}
        {text}
      </Tag>
    </Tooltip>
  );
}
