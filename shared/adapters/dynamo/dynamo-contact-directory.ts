import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Contact, ContactDirectory } from '../../domain/sla/contacts.ts';
import type { Locale } from '../../domain/sla/notification-templates.ts';

interface TeamItem {
  id: string;
  supervisor?: string;
  escalation?: { name?: string; email?: string; phone?: string };
}

const localeOf = (languages: unknown): Locale => {
  const list = Array.isArray(languages) ? languages.map((l) => String(l).toLowerCase()) : [];
  return list.length > 0 && !list.some((l) => l.startsWith('zh')) && list.some((l) => l.startsWith('en'))
    ? 'en'
    : 'zh';
};

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * The people SLA messages go to, read from the ticket table: agents (their profile's e-mail, phone and
 * languages; `AGENT#<id>`/`AGENT` as the agent store keeps them, or the seed's `AGENT`/`<id>`) and the
 * routing configuration's teams (`CONFIG`/`routing`: supervisor, escalation contact, default team).
 * Lookups are cached for `ttlMs`; `onCall` is a deploy setting.
 */
export function dynamoContactDirectory(
  client: DynamoDBClient,
  tableName: string,
  options: { onCall?: Contact | null; ttlMs?: number } = {},
): ContactDirectory {
  const doc = DynamoDBDocumentClient.from(client);
  const ttlMs = options.ttlMs ?? 60_000;
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at <= ttlMs) return hit.value as Promise<T>;
    const value = load();
    cache.set(key, { at: Date.now(), value });
    value.catch(() => cache.delete(key));
    return value;
  };
  const item = async (pk: string, sk: string) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }))).Item;

  const routing = () =>
    cached('routing', async () => {
      const config = (await item('CONFIG', 'routing'))?.config as
        | { teams?: TeamItem[]; defaults?: { team?: string } }
        | undefined;
      return { teams: config?.teams ?? [], defaultTeam: config?.defaults?.team ?? null };
    });

  return {
    agent: (id) =>
      cached(`agent:${id}`, async () => {
        const found = (await item(`AGENT#${id}`, 'AGENT')) ?? (await item('AGENT', id));
        if (!found) return null;
        return {
          name: text(found.name),
          email: text(found.email),
          phone: text(found.phone),
          chat: text(found.chat),
          locale: localeOf(found.languages),
        } satisfies Contact;
      }),
    async team(id) {
      const team = (await routing()).teams.find((t) => t.id === id);
      if (!team) return null;
      const e = team.escalation;
      return {
        supervisor: team.supervisor ?? null,
        escalation:
          e && (e.email || e.phone) ? { name: e.name, email: e.email, phone: e.phone, locale: 'zh' } : null,
      };
    },
    defaultTeam: async () => (await routing()).defaultTeam,
    onCall: async () => options.onCall ?? null,
  };
}
