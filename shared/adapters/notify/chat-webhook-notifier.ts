import { createHmac } from 'node:crypto';
import { Notification, type Notifier } from '../../domain/notify/notifier.ts';
import { type SentStamp, stampSent, wrongChannel } from './sent.ts';

export const chatFormats = ['wecom', 'dingtalk', 'slack'] as const;
export type ChatFormat = (typeof chatFormats)[number];

const hostFormats: [RegExp, ChatFormat][] = [
  [/^qyapi\.weixin\.qq\.com$/i, 'wecom'],
  [/^oapi\.dingtalk\.com$/i, 'dingtalk'],
  [/^hooks\.slack\.com$/i, 'slack'],
];

/** A chat recipient: which format, the webhook URL, and (DingTalk) the signing secret. */
export interface ChatAddress {
  format: ChatFormat;
  url: URL;
  secret?: string;
}

/**
 * Reads a chat recipient address: a WeCom (企业微信), DingTalk (钉钉) or Slack incoming-webhook URL,
 * recognised by its host, or any HTTPS URL prefixed with its format (`dingtalk:https://…`). A DingTalk
 * robot with "加签" security takes its secret in the URL fragment (`…#secret=SEC…`), which is never sent.
 */
export function parseChatAddress(address: string): ChatAddress {
  const prefixed = /^(wecom|dingtalk|slack):(https:.*)$/i.exec(address.trim());
  const url = new URL(prefixed ? prefixed[2]! : address.trim());
  if (url.protocol !== 'https:') throw new Error('A chat webhook must be an https URL');
  const format =
    (prefixed?.[1]?.toLowerCase() as ChatFormat | undefined) ??
    hostFormats.find(([host]) => host.test(url.hostname))?.[1];
  if (!format)
    throw new Error(
      `Unknown chat webhook host ${url.hostname}: prefix the URL with wecom:, dingtalk: or slack:`,
    );
  const secret = new URLSearchParams(url.hash.slice(1)).get('secret') ?? undefined;
  url.hash = '';
  return { format, url, ...(secret ? { secret } : {}) };
}

/** DingTalk's signed-robot query: `timestamp` and `sign` = Base64(HMAC-SHA256(secret, "timestamp\nsecret")). */
export function dingTalkSign(secret: string, timestampMs: number): { timestamp: string; sign: string } {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return { timestamp: String(timestampMs), sign };
}

const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** WeCom caps markdown content at 4,096 bytes. */
const clipBytes = (text: string, max: number) => {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max
    ? text
    : `${bytes
        .subarray(0, max - 3)
        .toString('utf8')
        .replace(/\uFFFD$/, '')}…`;
};

/** The webhook body each service expects for a titled text message. */
export function chatPayload(format: ChatFormat, subject: string, body: string): unknown {
  const title = subject || body.split('\n')[0]!.slice(0, 60);
  switch (format) {
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: clipBytes(`**${title}**\n${body}`, 4096) } };
    case 'dingtalk':
      // DingTalk markdown needs a blank line for a line break.
      return {
        msgtype: 'markdown',
        markdown: { title, text: `#### ${title}\n\n${body.replace(/\n/g, '\n\n')}` },
      };
    case 'slack':
      return {
        text: `${title}\n${body}`,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: slackEscape(body).slice(0, 3000) } },
        ],
      };
  }
}

export class ChatWebhookError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string | number,
  ) {
    super(message);
    this.name = 'ChatWebhookError';
  }
}

export interface ChatWebhookOptions extends SentStamp {
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** @default 5000 */
  timeoutMs?: number;
}

/**
 * Messages to chat groups through incoming webhooks: WeCom (企业微信群机器人), DingTalk (钉钉自定义机器人,
 * signed when a secret is given) and Slack. WeCom and DingTalk answer HTTP 200 with `errcode` ≠ 0 on
 * failure, Slack a 4xx with a reason: either is thrown as a ChatWebhookError (status and code, never the
 * URL, which holds the webhook's key).
 */
export function chatWebhookNotifier(options: ChatWebhookOptions = {}): Notifier {
  const send = options.fetch ?? fetch;
  return {
    async send(notification) {
      const n = Notification.parse(notification);
      if (n.channel !== 'chat') throw wrongChannel('chat', n.channel);
      const address = parseChatAddress(n.to);
      const url = new URL(address.url);
      if (address.format === 'dingtalk' && address.secret) {
        const { timestamp, sign } = dingTalkSign(address.secret, Date.now());
        url.searchParams.set('timestamp', timestamp);
        url.searchParams.set('sign', sign);
      }
      const response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(chatPayload(address.format, n.subject, n.body)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      const text = await response.text();
      if (!response.ok) {
        throw new ChatWebhookError(
          `${address.format} webhook answered ${response.status}`,
          response.status,
          text.slice(0, 100),
        );
      }
      if (address.format !== 'slack') {
        let reply: { errcode?: number; errmsg?: string } = {};
        try {
          reply = JSON.parse(text) as typeof reply;
        } catch {
          throw new ChatWebhookError(
            `${address.format} webhook answered something other than JSON`,
            response.status,
          );
        }
        if (reply.errcode !== 0) {
          throw new ChatWebhookError(
            `${address.format} webhook refused the message: ${reply.errmsg ?? 'no reason'}`,
            response.status,
            reply.errcode,
          );
        }
      }
      return stampSent(n, options);
    },
  };
}
