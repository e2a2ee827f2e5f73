import * as z from 'zod';
import { Channel, Role } from '../actor.ts';

/** A reply on a ticket's thread: public (sent to the customer) or an internal note. */
export const Message = z.object({
  id: z.string(),
  ticketId: z.string(),
  body: z.string(),
  public: z.boolean(),
  author: z.object({ id: z.string(), name: z.string().optional(), role: Role }),
  channel: Channel,
  at: z.string(),
});
export type Message = z.infer<typeof Message>;
