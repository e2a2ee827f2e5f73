import { DateTime } from 'luxon';
import type { SlaChannel, SlaTarget } from './policy.ts';

/** The languages SLA messages are written in. */
export type Locale = 'zh' | 'en';

/** What an SLA warning or escalation message says. */
export interface SlaMessageContext {
  kind: 'warning' | 'escalation';
  ticket: { number: string; subject: string; priority: string; status: string };
  target: SlaTarget;
  /** When the target is (was) due. */
  dueAt: string;
  /** Business minutes left (warning) or overdue (escalation); the sign is ignored. */
  minutes: number;
  /** The warning threshold crossed. */
  percent?: number;
  /** The escalation level. */
  level?: number;
  /** Where the ticket can be opened. */
  link: string;
  /** The zone the due time is shown in (the policy calendar's). */
  timeZone: string;
}

export interface RenderedMessage {
  /** E-mail subject; chat cards use it as a title; SMS has none. */
  subject: string;
  body: string;
}

const targetNames: Record<SlaTarget, Record<Locale, string>> = {
  firstResponse: { zh: '首次响应', en: 'first response' },
  nextResponse: { zh: '再次响应', en: 'next response' },
  resolution: { zh: '解决', en: 'resolution' },
};

const priorityNames: Record<string, Record<Locale, string>> = {
  low: { zh: '低', en: 'low' },
  normal: { zh: '普通', en: 'normal' },
  high: { zh: '高', en: 'high' },
  urgent: { zh: '紧急', en: 'urgent' },
};

const statusNames: Record<string, Record<Locale, string>> = {
  new: { zh: '待受理', en: 'new' },
  open: { zh: '处理中', en: 'open' },
  pending: { zh: '等待反馈', en: 'pending' },
  resolved: { zh: '已解决', en: 'resolved' },
  closed: { zh: '已归档', en: 'closed' },
};

/** `7 分钟`, `2 小时 5 分钟`, `1 天 3 小时` / `7 min`, `2 h 5 min`, `1 d 3 h`; under a minute counts as 1. */
export function formatDuration(minutes: number, locale: Locale): string {
  const total = Math.max(1, Math.round(Math.abs(minutes)));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  const units = locale === 'zh' ? { d: '天', h: '小时', m: '分钟' } : { d: 'd', h: 'h', m: 'min' };
  const parts =
    days > 0
      ? [`${days} ${units.d}`, ...(hours > 0 ? [`${hours} ${units.h}`] : [])]
      : [...(hours > 0 ? [`${hours} ${units.h}`] : []), ...(mins > 0 ? [`${mins} ${units.m}`] : [])];
  return parts.join(' ');
}

const formatDue = (dueAt: string, timeZone: string) =>
  `${DateTime.fromISO(dueAt, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm')} (${timeZone})`;

const label = (names: Record<string, Record<Locale, string>>, key: string, locale: Locale) =>
  names[key]?.[locale] ?? key;

/**
 * An SLA warning or escalation in Chinese or English, for one channel. Every message names the ticket,
 * the target, the time left or overdue and a link; e-mail and chat add the due time, priority and
 * status; SMS keeps to one short line.
 */
export function renderSlaMessage(
  context: SlaMessageContext,
  locale: Locale,
  channel: SlaChannel,
): RenderedMessage {
  const { ticket, kind } = context;
  const target = targetNames[context.target][locale];
  const time = formatDuration(context.minutes, locale);
  const due = formatDue(context.dueAt, context.timeZone);
  const priority = label(priorityNames, ticket.priority, locale);
  const status = label(statusNames, ticket.status, locale);
  const level = context.level ?? 1;

  if (locale === 'zh') {
    const subject =
      kind === 'warning'
        ? `【SLA 预警】${ticket.number} ${target}还剩 ${time}`
        : `【SLA 升级 L${level}】${ticket.number} ${target}已超时 ${time}`;
    if (channel === 'sms') {
      const text =
        kind === 'warning'
          ? `【工单 SLA 预警】${ticket.number} ${target}还剩 ${time}，请尽快处理：${context.link}`
          : `【工单 SLA 升级 L${level}】${ticket.number} ${target}已超时 ${time}，请立即处理：${context.link}`;
      return { subject: '', body: text };
    }
    const lead =
      kind === 'warning'
        ? `工单 ${ticket.number}「${ticket.subject}」的${target}将于 ${due} 到期，还剩 ${time}` +
          (context.percent !== undefined ? `（已用 ${context.percent}%）。` : '。')
        : `工单 ${ticket.number}「${ticket.subject}」的${target}已于 ${due} 到期，已超时 ${time}。已升级至第 ${level} 级，请立即处理。`;
    return {
      subject,
      body: [lead, `优先级：${priority} · 状态：${status}`, `查看工单：${context.link}`].join('\n'),
    };
  }

  const subject =
    kind === 'warning'
      ? `[SLA warning] ${ticket.number}: ${target} due in ${time}`
      : `[SLA escalation L${level}] ${ticket.number}: ${target} overdue by ${time}`;
  if (channel === 'sms') {
    const text =
      kind === 'warning'
        ? `Gongdan SLA warning: ${ticket.number} ${target} due in ${time}. ${context.link}`
        : `Gongdan SLA escalation L${level}: ${ticket.number} ${target} overdue by ${time}. Act now: ${context.link}`;
    return { subject: '', body: text };
  }
  const lead =
    kind === 'warning'
      ? `The ${target} of ticket ${ticket.number} "${ticket.subject}" is due at ${due}: ${time} left` +
        (context.percent !== undefined ? ` (${context.percent}% of the target used).` : '.')
      : `The ${target} of ticket ${ticket.number} "${ticket.subject}" was due at ${due} and is ${time} overdue. ` +
        `Escalated to level ${level}: please act now.`;
  return {
    subject,
    body: [lead, `Priority: ${priority} · Status: ${status}`, `Open the ticket: ${context.link}`].join('\n'),
  };
}
