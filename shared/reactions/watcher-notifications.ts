import { redactedMessage } from '../domain/redact.ts';
import type { OutboxRecord } from '../domain/ticket/ticket-change.ts';
import { defineReaction } from './reaction.ts';
import { sendOnce } from './send-once.ts';

/** The changes watchers hear of. */
const watched = ['ticket.replied', 'ticket.status_changed', 'ticket.merged'] as const;
type Watched = (typeof watched)[number];

const isWatched = (name: string): name is Watched => (watched as readonly string[]).includes(name);

/** Agents this record's mentions already tell (add-reply renders those), so they get one mail, not two. */
const mentionedIn = (record: OutboxRecord) =>
  new Set(record.notifications.filter((n) => n.who?.startsWith('mention:')).map((n) => n.who!.slice(8)));

const excerpt = (body: string) => (body.length > 600 ? `${body.slice(0, 600)}…` : body);

/**
 * Tells a ticket's watchers (docs/collaboration.md) of its public replies, internal notes, status
 * changes and merge, by e-mail to their profile address, each once per event and watcher (the
 * sent-ledger). Not the one who made the change, and not an agent the same note mentions. Reads the
 * watchers and the message from the ticket as it is now (bodies are never in records).
 */
export const watcherNotifications = defineReaction({
  name: 'watcher-notifications',
  handles: (record) => record.events.some((e) => isWatched(e.name)),
  async run(record, deps) {
    const ticket = await deps.tickets.get(record.ticketId);
    const watchers = (ticket?.watchers ?? []).filter((w) => w !== record.actor.id);
    if (!ticket || watchers.length === 0) return;
    const skip = mentionedIn(record);
    const merged = record.events.some((e) => e.name === 'ticket.merged');
    const messages = record.events.some((e) => e.name === 'ticket.replied')
      ? await deps.tickets.messages(ticket.id)
      : [];

    const failed: string[] = [];
    for (const event of record.events) {
      if (!isWatched(event.name) || (merged && event.name === 'ticket.status_changed')) continue;
      const d = event.detail as Record<string, unknown>;
      const message =
        event.name === 'ticket.replied' ? messages.find((m) => m.id === d.messageId) : undefined;
      if (event.name === 'ticket.replied' && !message) continue;
      const kind =
        event.name === 'ticket.merged'
          ? 'watch.merged'
          : event.name === 'ticket.status_changed'
            ? 'watch.status'
            : message!.public
              ? 'watch.reply'
              : 'watch.note';
      const author = message?.author.name ?? message?.author.email ?? message?.author.id;
      const subject = {
        'watch.merged': `[${ticket.number}] merged into ${String(d.intoNumber)} / 已合并到 ${String(d.intoNumber)}`,
        'watch.status': `[${ticket.number}] ${String(d.from)} → ${String(d.to)} / 状态变更`,
        'watch.reply': `[${ticket.number}] new reply by ${author} / 新回复`,
        'watch.note': `[${ticket.number}] internal note by ${author} / 新内部备注`,
      }[kind];
      const body =
        kind === 'watch.merged'
          ? `${ticket.number} (${ticket.subject}) was merged into ${String(d.intoNumber)}; follow that ticket from now on.`
          : kind === 'watch.status'
            ? `${ticket.number} (${ticket.subject}) moved from ${String(d.from)} to ${String(d.to)}.`
            : `${author} on ${ticket.number} (${ticket.subject}):\n\n${excerpt(message!.body)}`;
      for (const agentId of watchers) {
        if (skip.has(agentId) && kind === 'watch.note') continue;
        const key = `notify:watch:${event.id}:${agentId}`;
        try {
          await sendOnce(deps.sent, key, deps.clock.now(), async () => {
            const agent = await deps.routing.agents.get(agentId);
            if (!agent?.email) return { outcome: 'no-address', ticketId: ticket.id };
            await deps.notifier.send({
              channel: 'email',
              to: agent.email,
              subject,
              body: `${body}\n\nYou follow this ticket; unfollow it in the console.`,
              ticketId: ticket.id,
              kind,
              idempotencyKey: key,
            });
            deps.metrics.count('NotificationsSent', 1, { channel: 'email' });
            return { outcome: 'sent', ticketId: ticket.id };
          });
        } catch (error) {
          deps.metrics.count('NotificationsFailed', 1, { channel: 'email' });
          deps.logger.error('notification.failed', {
            ticketId: ticket.id,
            key,
            kind,
            who: `watcher:${agentId}`,
            error: redactedMessage(error),
          });
          failed.push(`${kind} to watcher:${agentId}`);
        }
      }
    }
    if (failed.length) throw new Error(`Not sent: ${failed.join('; ')}`);
  },
});
