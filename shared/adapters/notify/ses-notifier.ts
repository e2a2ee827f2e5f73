import { type SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { Notification, type Notifier } from '../../domain/notify/notifier.ts';
import { type SentStamp, stampSent, wrongChannel } from './sent.ts';

export interface SesNotifierOptions extends SentStamp {
  /** The verified sender, e.g. `Gongdan SLA <sla@desk.example.com>`. */
  from: string;
  /** An SES configuration set (bounce and complaint tracking), if any. */
  configurationSet?: string;
}

/** RFC 2047 encoded-word for a header holding non-ASCII text (Chinese subjects and names). */
const encodeHeader = (value: string) =>
  /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;

/** Splits base64 into the 76-character lines MIME requires. */
const wrap76 = (text: string) => text.replace(/.{1,76}/g, '$&\r\n');

/** Header values may not carry line breaks (header injection). */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');

/** A plain-text UTF-8 message with extra headers (threading, `Auto-Submitted`), for SendRawEmail. */
export function rawMessage(from: string, n: ReturnType<typeof Notification.parse>): string {
  const headers: [string, string][] = [
    ['From', from],
    ['To', n.to],
    ...(n.cc?.length ? ([['Cc', n.cc.join(', ')]] as [string, string][]) : []),
    ['Subject', encodeHeader(oneLine(n.subject))],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset=UTF-8'],
    ['Content-Transfer-Encoding', 'base64'],
    ...Object.entries(n.headers ?? {}),
  ];
  const head = headers.map(([k, v]) => `${k}: ${oneLine(v)}`).join('\r\n');
  return `${head}\r\n\r\n${wrap76(Buffer.from(n.body, 'utf8').toString('base64'))}`;
}

/**
 * E-mail through Amazon SES (v1 API, `@aws-sdk/client-ses`): `SendEmail` with a UTF-8 text body, or
 * `SendRawEmail` when the notification carries headers of its own. SES errors (throttling after the
 * SDK's retries, a rejected message, an unverified sender) are thrown to the caller, which decides
 * whether a failed delivery matters.
 */
export function sesNotifier(client: SESClient, options: SesNotifierOptions): Notifier {
  return {
    async send(notification) {
      const n = Notification.parse(notification);
      if (n.channel !== 'email') throw wrongChannel('SES', n.channel);
      const configuration = options.configurationSet
        ? { ConfigurationSetName: options.configurationSet }
        : {};
      if (n.headers && Object.keys(n.headers).length > 0) {
        const { MessageId } = await client.send(
          new SendRawEmailCommand({
            Source: options.from,
            Destinations: [n.to, ...(n.cc ?? [])],
            RawMessage: { Data: Buffer.from(rawMessage(options.from, n), 'utf8') },
            ...configuration,
          }),
        );
        return stampSent(n, options, MessageId);
      }
      const { MessageId } = await client.send(
        new SendEmailCommand({
          Source: options.from,
          Destination: { ToAddresses: [n.to], ...(n.cc?.length ? { CcAddresses: n.cc } : {}) },
          Message: {
            Subject: { Data: n.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: n.body, Charset: 'UTF-8' } },
          },
          ...configuration,
        }),
      );
      return stampSent(n, options, MessageId);
    },
  };
}
