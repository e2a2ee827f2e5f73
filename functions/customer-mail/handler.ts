import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { notifyCustomer } from '#shared/channels/customer-notify.ts';
import { channelLambdaDeps } from '#shared/runtime/channel-lambda-deps.ts';

const deps = channelLambdaDeps();

/** Target of the customer-mail rules: acknowledgements, agents' public replies, status notices. */
export const handler = middy<EventBridgeEvent<string, unknown>, void>().handler(async (event) => {
  const outcome = await notifyCustomer(event, deps);
  deps.logger.info('customer_mail.handled', { eventId: event.id, detailType: event['detail-type'], outcome });
});
