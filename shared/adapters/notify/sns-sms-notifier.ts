import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { Notification, type Notifier } from '../../domain/notify/notifier.ts';
import { type SentStamp, stampSent, wrongChannel } from './sent.ts';

export interface SnsSmsOptions extends SentStamp {
  /** Shown as the sender where the destination country allows sender ids. */
  senderId?: string;
}

const e164 = /^\+[1-9]\d{6,14}$/;
/** SNS splits longer texts into parts and refuses more than 1,600 characters. */
const maxSmsChars = 1600;

/**
 * SMS through Amazon SNS `Publish` to a phone number, typed `Transactional` (delivered even to numbers
 * that opted out of promotional messages, at the higher-reliability route). The number must be E.164;
 * anything else is refused before it costs a request.
 */
export function snsSmsNotifier(client: SNSClient, options: SnsSmsOptions = {}): Notifier {
  return {
    async send(notification) {
      const n = Notification.parse(notification);
      if (n.channel !== 'sms') throw wrongChannel('SNS', n.channel);
      const phone = n.to.replace(/[\s()-]/g, '');
      if (!e164.test(phone)) throw new Error('SMS needs an E.164 phone number (+8613800000000)');
      const { MessageId } = await client.send(
        new PublishCommand({
          PhoneNumber: phone,
          Message: n.body.length > maxSmsChars ? `${n.body.slice(0, maxSmsChars - 1)}…` : n.body,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(options.senderId
              ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: options.senderId } }
              : {}),
          },
        }),
      );
      return stampSent(n, options, MessageId);
    },
  };
}
