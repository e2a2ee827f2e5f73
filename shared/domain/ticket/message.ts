import * as z from 'zod';
import { Channel, Role } from '../actor.ts';
import { MailAuth } from '../intake/mail-auth.ts';

/** A reply on a ticket's thread: public (sent to the customer) or an internal note. */
export const Message = z.object({
  id: z.string(),
  ticketId: z.string(),
  body: z.string(),
  public: z.boolean(),
  author: z.object({
    id: z.string(),
    name: z.string().optional(),
    role: Role,
    /** Who wrote it by e-mail or the portal: the customer, or someone else on the thread (CC'd). */
    email: z.string().max(320).optional(),
  }),
  channel: Channel,
  at: z.string(),
  /** Agents an internal note names with `@<agentId>` (docs/collaboration.md). */
  mentions: z.array(z.string()).optional(),
  /** Files staff attached to it: attachment ids (`GET /tickets/{id}/attachments`). */
  attachments: z.array(z.string()).optional(),
  /** A message that came by e-mail: SPF, DKIM and DMARC as the receiving server found them. */
  mailAuth: MailAuth.optional(),
  /** On a message copied by a merge: where it was first written. */
  mergedFrom: z.object({ ticketId: z.string(), number: z.string(), messageId: z.string() }).optional(),
});
export type Message = z.infer<typeof Message>;
