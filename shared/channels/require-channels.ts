import type { ApiDeps } from '../http/route.ts';
import type { ChannelTicketDeps } from './ports.ts';

/** The route's deps with their channels; a function wired without them is a deployment fault. */
export function requireChannels(deps: ApiDeps): ChannelTicketDeps {
  if (!deps.channels) throw new Error('This function needs the channel dependencies (channelLambdaDeps)');
  return deps as ChannelTicketDeps;
}
