import type { Contact, ContactDirectory } from '../domain/sla/contacts.ts';
import type { Locale } from '../domain/sla/notification-templates.ts';
import type { SlaChannel } from '../domain/sla/policy.ts';
import type { ResolvedRecipient } from '../domain/sla/sla-clock.ts';

/** One message to send: the channel actually used (SMS and chat fall back to e-mail), and where. */
export interface Delivery {
  channel: SlaChannel;
  to: string;
  locale: Locale;
  /** Who, for logs and history: `assignee:u-1`, `team_supervisor:service-desk`, `address`. */
  who: string;
}

const pick = (contact: Contact, channel: SlaChannel): { channel: SlaChannel; to: string } | null => {
  const direct = channel === 'email' ? contact.email : channel === 'sms' ? contact.phone : contact.chat;
  if (direct) return { channel, to: direct };
  // No phone or webhook for this person: e-mail still reaches them.
  return contact.email ? { channel: 'email', to: contact.email } : null;
};

/** The locale of a fixed address: a Slack hook is read in English, the rest in Chinese. */
const addressLocale = (address: string): Locale => (/hooks\.slack\.com/i.test(address) ? 'en' : 'zh');

/**
 * Turns the clock's recipients (roles on the ticket, or fixed addresses) into deliveries:
 * the assignee, the team supervisor (of the ticket's team, or the default team while unrouted), the
 * manager (the team's escalation contact) and on-call (the fixed on-call line, else the team's
 * escalation contact). Duplicates (the same channel and address) are sent once.
 */
export async function deliveriesFor(
  recipients: readonly ResolvedRecipient[],
  directory: ContactDirectory,
): Promise<{ deliveries: Delivery[]; unreachable: string[] }> {
  const deliveries: Delivery[] = [];
  const unreachable: string[] = [];
  const add = (who: string, contact: Contact | null, channel: SlaChannel) => {
    const target = contact && pick(contact, channel);
    if (!target) {
      unreachable.push(who);
      return;
    }
    if (deliveries.some((d) => d.channel === target.channel && d.to === target.to)) return;
    deliveries.push({ ...target, locale: contact!.locale, who });
  };
  const teamOf = async (team: string | null) => {
    const id = team ?? (await directory.defaultTeam());
    return { id, team: id ? await directory.team(id) : null };
  };

  for (const r of recipients) {
    if ('address' in r) {
      if (!deliveries.some((d) => d.channel === r.channel && d.to === r.address)) {
        deliveries.push({
          channel: r.channel,
          to: r.address,
          locale: addressLocale(r.address),
          who: 'address',
        });
      }
      continue;
    }
    if (r.role === 'assignee') {
      add(`assignee:${r.agentId}`, await directory.agent(r.agentId), r.channel);
      continue;
    }
    const { id, team } = await teamOf(r.team);
    const supervisor = team?.supervisor ? await directory.agent(team.supervisor) : null;
    if (r.role === 'team_supervisor')
      add(`team_supervisor:${id}`, supervisor ?? team?.escalation ?? null, r.channel);
    else if (r.role === 'manager') add(`manager:${id}`, team?.escalation ?? supervisor, r.channel);
    else add(`on_call:${id}`, (await directory.onCall()) ?? team?.escalation ?? supervisor, r.channel);
  }
  return { deliveries, unreachable };
}
