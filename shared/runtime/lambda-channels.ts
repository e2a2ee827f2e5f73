import type { ChannelDeps } from '../channels/deps.ts';
import type { ApiDeps } from '../http/route.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { authEdges } from './aws/auth-edges.ts';
import { channelEdges } from './aws/channel-edges.ts';
import { once, platformWith } from './lambda.ts';
import { wireAuth } from './wire-auth.ts';
import { wireChannels } from './wire-channels.ts';
import { wireTickets } from './wire-tickets.ts';

/** The channels' functions: the platform with S3 (attachments) and the secret stores (webhooks). */
export const channelPlatform = /* @__PURE__ */ once(() => platformWith({ ...channelEdges, ...authEdges }));
const tickets = /* @__PURE__ */ once(() => wireTickets(process.env, channelPlatform()));
const channels = /* @__PURE__ */ once(() => wireChannels(process.env, channelPlatform(), tickets().tickets));

/** The portal and webhook routes: the API's deps and the channels'. */
export const channelDeps = /* @__PURE__ */ once((): ApiDeps & { channels: ChannelDeps } => ({
  ...tickets(),
  verifyToken: wireAuth(process.env, channelPlatform()),
  channels: channels(),
}));

/** Intake functions outside the API (inbound mail, events from other systems): no token to verify. */
export const intakeDeps = /* @__PURE__ */ once((): TicketDeps & { channels: ChannelDeps } => ({
  ...tickets(),
  channels: channels(),
}));
