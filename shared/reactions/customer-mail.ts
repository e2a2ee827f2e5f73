import { customerMailOf, sendCustomerMail } from '../channels/customer-notify.ts';
import { defineReaction } from './reaction.ts';
import { sendOnce } from './send-once.ts';

/**
 * Mails the customer what the change owes them (`customerMailOf`): acknowledgements, agents' public
 * replies, status notices. Each mail is sent under its own key in the sent-ledger, so a retried record
 * sends only what did not go out; a failure fails the reaction, which is tried again later.
 */
export const customerMail = defineReaction({
  name: 'customer-mail',
  handles: (record) => customerMailOf(record).length > 0,
  async run(record, deps) {
    for (const { key, plan } of customerMailOf(record)) {
      await sendOnce(deps.sent, key, deps.clock.now(), async () => {
        try {
          const outcome = await sendCustomerMail(record.ticketId, plan, deps, key);
          if (outcome === 'sent') deps.metrics.count('NotificationsSent', 1, { channel: 'email' });
          return { outcome, ticketId: record.ticketId };
        } catch (error) {
          deps.metrics.count('NotificationsFailed', 1, { channel: 'email' });
          throw error;
        }
      });
    }
  },
});
