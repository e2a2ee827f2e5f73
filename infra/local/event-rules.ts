import type { LocalRule } from './event-bus.ts';

/**
 * The in-process bus's rules: for each EventBridge rule of the stack, the same pattern with a local
 * target calling the same handler. None yet; consumers (notifications, SLA, analytics) add theirs here.
 */
export const localRules: readonly LocalRule[] = [];
