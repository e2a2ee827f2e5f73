import type { Locale } from './notification-templates.ts';

/** How to reach one person or duty line, and the language they read. */
export interface Contact {
  name?: string;
  email?: string;
  phone?: string;
  /** A chat webhook (WeCom, DingTalk or Slack incoming-webhook URL). */
  chat?: string;
  locale: Locale;
}

/**
 * Who is who, for SLA messages: agents by id, and per team its supervisor and its escalation contact
 * (the routing configuration's teams). In AWS and locally: the agent profiles and `CONFIG`/`routing`.
 */
export interface ContactDirectory {
  agent(id: string): Promise<Contact | null>;
  team(id: string): Promise<{ supervisor: string | null; escalation: Contact | null } | null>;
  /** The team that takes tickets no rule matched: whose supervisor hears about an unrouted ticket. */
  defaultTeam(): Promise<string | null>;
  /** A fixed on-call line (deploy setting), if any; otherwise a team's escalation contact is on call. */
  onCall(): Promise<Contact | null>;
}
