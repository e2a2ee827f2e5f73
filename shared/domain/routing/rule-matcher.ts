import type { Ticket } from '../ticket/ticket.entity.ts';
import { haversineKm } from './geo.ts';
import type { RoutingConfig, RoutingRule, RuleConditions } from './routing-config.ts';

/** What rules look at, taken from a ticket once per decision. */
export type RoutableTicket = Pick<
  Ticket,
  | 'id'
  | 'subject'
  | 'description'
  | 'priority'
  | 'category'
  | 'intent'
  | 'channel'
  | 'customer'
  | 'customFields'
  | 'location'
  | 'createdAt'
> &
  Partial<Pick<Ticket, 'team' | 'assignee' | 'status'>>;

/** Case- and width-insensitive form of text (full-width Ｒｅｆｕｎｄ reads as refund). */
export const normalize = (text: string) => text.normalize('NFKC').toLowerCase();

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One regular expression for a keyword list. Keywords starting with a Latin letter or digit match at a
 * word start and, unless written with a trailing `*`, at a word end; others (Chinese) match anywhere.
 */
export function keywordPattern(keywords: readonly string[]): RegExp {
  const parts = keywords.map((raw) => {
    const prefix = raw.endsWith('*');
    const word = normalize(prefix ? raw.slice(0, -1) : raw).trim();
    const body = escapeRegExp(word).replace(/\s+/g, '\\s+');
    const start = /^[a-z0-9]/.test(word) ? '(?<![a-z0-9])' : '';
    const end = !prefix && /[a-z0-9]$/.test(word) ? '(?![a-z0-9])' : '';
    return `${start}${body}${end}`;
  });
  return new RegExp(parts.join('|'), 'u');
}

interface TicketFacts {
  ticket: RoutableTicket;
  text(): string;
  region(): string | null;
}

type Test = (facts: TicketFacts) => boolean;

interface CompiledRule {
  rule: RoutingRule;
  tests: Test[];
}

export interface CompiledConfig {
  config: RoutingConfig;
  rules: CompiledRule[];
}

const compiled = new WeakMap<RoutingConfig, CompiledConfig>();

/** The config with every rule's conditions turned into tests, built once per config object. */
export function compileConfig(config: RoutingConfig): CompiledConfig {
  let c = compiled.get(config);
  if (!c) {
    c = {
      config,
      rules: config.rules.filter((r) => r.enabled).map((rule) => ({ rule, tests: testsFor(rule.when) })),
    };
    compiled.set(config, c);
  }
  return c;
}

const inList = (values: readonly string[]) => {
  const set = new Set(values.map(normalize));
  return (value: string | null | undefined) => value != null && set.has(normalize(value));
};

function testsFor(when: RuleConditions): Test[] {
  const tests: Test[] = [];
  if (when.priorities) {
    const set = new Set<string>(when.priorities);
    tests.push((f) => set.has(f.ticket.priority));
  }
  if (when.tiers) {
    const set = new Set<string>(when.tiers);
    tests.push((f) => set.has(f.ticket.customer.tier));
  }
  if (when.channels) {
    const set = new Set<string>(when.channels);
    tests.push((f) => set.has(f.ticket.channel));
  }
  if (when.categories) {
    const has = inList(when.categories);
    tests.push((f) => has(f.ticket.category));
  }
  if (when.intents) {
    const has = inList(when.intents);
    tests.push((f) => has(f.ticket.intent));
  }
  if (when.customFields) {
    for (const [field, accepted] of Object.entries(when.customFields)) {
      const values = (Array.isArray(accepted) ? accepted : [accepted]).map((v) =>
        typeof v === 'string' ? normalize(v) : v,
      );
      tests.push((f) => {
        const v = Object.hasOwn(f.ticket.customFields, field) ? f.ticket.customFields[field] : undefined;
        return v !== undefined && values.includes(typeof v === 'string' ? normalize(v) : v);
      });
    }
  }
  if (when.regions) {
    const has = inList(when.regions);
    tests.push((f) => has(f.region()));
  }
  // Text last: the costliest test runs only when the cheap ones pass.
  if (when.keywords) {
    const pattern = keywordPattern(when.keywords);
    tests.push((f) => pattern.test(f.text()));
  }
  if (when.notKeywords) {
    const pattern = keywordPattern(when.notKeywords);
    tests.push((f) => !pattern.test(f.text()));
  }
  return tests;
}

function factsOf(ticket: RoutableTicket, config: RoutingConfig): TicketFacts {
  let text: string | undefined;
  let region: string | null | undefined;
  return {
    ticket,
    text: () => {
      text ??= normalize(`${ticket.subject}\n${ticket.description}`);
      return text;
    },
    region: () => {
      if (region === undefined) region = regionOf(ticket, config);
      return region;
    },
  };
}

/** `customFields.region` if set, else the first configured region whose circle holds the location. */
export function regionOf(ticket: RoutableTicket, config: RoutingConfig): string | null {
  const given = ticket.customFields.region;
  if (typeof given === 'string' && given.trim()) return given.trim();
  const at = ticket.location;
  if (!at) return null;
  return config.regions.find((r) => haversineKm(r.center, at) <= r.radiusKm)?.id ?? null;
}

/** The first enabled rule whose conditions all hold, or null. */
export function matchRule(ticket: RoutableTicket, config: RoutingConfig): RoutingRule | null {
  const facts = factsOf(ticket, config);
  for (const { rule, tests } of compileConfig(config).rules) {
    if (tests.every((t) => t(facts))) return rule;
  }
  return null;
}

const han = /\p{Script=Han}/gu;

/** The language a ticket is written in, as routing needs it: `zh` if it has Han characters, else `en`. */
export function detectLanguage(ticket: Pick<RoutableTicket, 'subject' | 'description'>): 'zh' | 'en' {
  const matches = `${ticket.subject} ${ticket.description}`.match(han);
  return matches && matches.length >= 2 ? 'zh' : 'en';
}
