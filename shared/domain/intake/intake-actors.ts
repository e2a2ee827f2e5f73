import type { Actor } from '../actor.ts';

/**
 * The identities intake acts as. They hold the `integration` role, so `createTicket` takes the customer
 * from the input and scopes the idempotency claim to them: `email-intake:<key>`, `webhook:<source>:<key>`,
 * `event:<source>:<key>`.
 */
export const emailIntakeActor: Actor = {
  id: 'email-intake',
  name: 'E-mail intake',
  roles: ['integration'],
  channel: 'email',
};

export const webhookActor = (source: string): Actor => ({
  id: `webhook:${source}`,
  name: `Webhook ${source}`,
  roles: ['integration'],
  channel: 'webhook',
});

export const eventActor = (source: string): Actor => ({
  id: `event:${source}`,
  name: `Event source ${source}`,
  roles: ['integration'],
  channel: 'event',
});
