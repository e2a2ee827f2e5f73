import { reactionEdges } from './aws/reaction-edges.ts';
import { once, platformWith } from './lambda.ts';
import { wireReactions } from './wire-reactions.ts';
import { wireTickets } from './wire-tickets.ts';

/** The dispatcher's functions: the platform with EventBridge, Step Functions, SES, SNS, chat and SQS. */
const reactionPlatform = /* @__PURE__ */ once(() => platformWith(reactionEdges));

/** The outbox dispatcher of this container (`ticket-changed`, `outbox-retry`). */
export const dispatcher = /* @__PURE__ */ once(
  () =>
    wireReactions(process.env, reactionPlatform(), wireTickets(process.env, reactionPlatform())).dispatcher,
);
