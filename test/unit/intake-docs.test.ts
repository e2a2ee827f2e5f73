import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIntakeEvent } from '#shared/domain/intake/intake-events.ts';
import { WebhookSourceConfig, webhookSignature } from '#shared/domain/intake/webhook.ts';

const doc = readFileSync(new URL('../../docs/channels.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json ([\w.-]+)\n([\s\S]*?)```/g)].map((m) => ({
  tag: m[1]!,
  json: m[2]!,
}));

describe('docs/channels.md', () => {
  it('has an example for both inbound events and a webhook source', () => {
    expect(examples.map((e) => e.tag).sort()).toEqual([
      'ticket.create.requested',
      'ticket.update.requested',
      'webhook-source',
    ]);
  });

  it.each(examples)('gives a $tag example that the code accepts', ({ tag, json }) => {
    const value: unknown = JSON.parse(json);
    if (tag === 'webhook-source') expect(WebhookSourceConfig.safeParse(value).success).toBe(true);
    else expect(parseIntakeEvent(value).name).toBe(tag);
  });

  it('shows the signature the openssl recipe computes for its sample', () => {
    const secret = /SECRET='([^']+)'/.exec(doc)![1]!;
    const body = /BODY='([^']+)'/.exec(doc)![1]!;
    const [, ts, hex] = /With `TS=(\d+)` that body signs to\s+`([0-9a-f]{64})`/.exec(doc)!;
    expect(webhookSignature(secret, ts!, body)).toBe(hex);
  });
});
