import * as z from 'zod';
import { DomainError, type FieldIssue, validationError } from '../errors.ts';
import { BusinessCalendar, defaultCalendars } from './calendar.ts';
import { defaultSlaPolicies, policyIssues, SlaPolicies, type SlaPolicy } from './policy.ts';
import type { SlaConfig } from './timer-steps.ts';

/** `PUT /config/sla`: the whole policy set, validated as one document. */
export const SlaPolicyDocument = z.object({ policies: SlaPolicies });
export type SlaPolicyDocument = z.infer<typeof SlaPolicyDocument>;

/** `PUT /config/calendars`: every business calendar, ids unique. */
export const CalendarDocument = z.object({
  calendars: z
    .array(BusinessCalendar)
    .min(1)
    .max(100)
    .superRefine((calendars, ctx) => {
      const seen = new Set<string>();
      calendars.forEach((c, index) => {
        if (seen.has(c.id))
          ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id ${c.id}` });
        seen.add(c.id);
      });
    }),
});
export type CalendarDocument = z.infer<typeof CalendarDocument>;

export const slaConfigNames = ['sla', 'calendars'] as const;
export type SlaConfigName = (typeof slaConfigNames)[number];

export interface SlaConfigDocuments {
  sla: SlaPolicyDocument;
  calendars: CalendarDocument;
}

/** Who made a configuration change, from where. */
export interface ConfigAuthor {
  id: string;
  name?: string;
  role: string;
  sourceIp?: string;
}

/** A stored configuration document and its version (0: nothing stored, the defaults apply). */
export interface ConfigRecord<N extends SlaConfigName = SlaConfigName> {
  name: N;
  version: number;
  config: SlaConfigDocuments[N];
  updatedAt: string | null;
  updatedBy: ConfigAuthor | null;
}

/** One change in a configuration's history: who, when, what (the ids added, removed and changed). */
export interface ConfigChange {
  version: number;
  at: string;
  by: ConfigAuthor;
  summary: { added: string[]; removed: string[]; changed: string[] };
}

/**
 * Where the SLA configuration lives (`CONFIG`/`sla` and `CONFIG`/`calendars` in the ticket table), and
 * the `SlaConfig` the timer and the ticket use cases load it through.
 */
export interface SlaConfigStore extends SlaConfig {
  get<N extends SlaConfigName>(name: N): Promise<ConfigRecord<N>>;
  /**
   * Stores `config` as version `expectedVersion + 1` if `expectedVersion` is still the stored one, with
   * a history item of the change in the same transaction; null (writing nothing) if it is not.
   */
  put<N extends SlaConfigName>(
    name: N,
    config: SlaConfigDocuments[N],
    expectedVersion: number,
    change: ConfigChange,
  ): Promise<ConfigRecord<N> | null>;
  history(name: SlaConfigName, limit?: number): Promise<ConfigChange[]>;
}

/** What applies while nothing is stored: the domain's demo policies and calendars. */
export const defaultSlaDocuments: SlaConfigDocuments = {
  sla: { policies: [...defaultSlaPolicies] },
  calendars: { calendars: [...defaultCalendars] },
};

/** Parses a stored document (defaults filled in); a stored document that no longer parses is a fault. */
export function parseStoredConfig<N extends SlaConfigName>(name: N, raw: unknown): SlaConfigDocuments[N] {
  const schema = name === 'sla' ? SlaPolicyDocument : CalendarDocument;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`Stored ${name} configuration is invalid: ${parsed.error.message}`);
  return parsed.data as SlaConfigDocuments[N];
}

/** Policies naming a calendar that the calendar set lacks, as 400 field details (`policies.2.calendarId`). */
export function checkPolicyCalendars(policies: readonly SlaPolicy[], calendars: readonly BusinessCalendar[]) {
  const issues = policyIssues(
    policies,
    calendars.map((c) => c.id),
  ).map((i): FieldIssue => ({ path: `policies.${i.path}`, message: i.message, code: 'unknown_calendar' }));
  if (issues.length > 0) throw validationError('A policy names a calendar that does not exist', issues);
}

/** Calendars a new calendar set would drop while a policy still uses them, as 400 field details. */
export function checkCalendarsInUse(policies: readonly SlaPolicy[], calendars: readonly BusinessCalendar[]) {
  const ids = new Set(calendars.map((c) => c.id));
  const issues = policies
    .filter((p) => !ids.has(p.calendarId))
    .map(
      (p): FieldIssue => ({
        path: 'calendars',
        message: `calendar ${p.calendarId} is used by policy ${p.id}`,
        code: 'calendar_in_use',
      }),
    );
  if (issues.length > 0) throw validationError('A calendar still in use cannot be removed', issues);
}

/** The ids added, removed and changed between two versions of a document. */
export function summarizeChange(
  before: readonly { id: string }[],
  after: readonly { id: string }[],
): ConfigChange['summary'] {
  const old = new Map(before.map((item) => [item.id, JSON.stringify(item)]));
  const now = new Map(after.map((item) => [item.id, JSON.stringify(item)]));
  return {
    added: [...now.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !now.has(id)),
    changed: [...now.keys()].filter((id) => old.has(id) && old.get(id) !== now.get(id)),
  };
}

export const configVersionMismatch = (name: SlaConfigName, expected: number, actual: number) =>
  new DomainError(
    'precondition_failed',
    'CONFIG.VERSION_MISMATCH',
    `The ${name} configuration is at version ${actual}, not ${expected}: fetch it again and re-apply your change`,
    { expectedVersion: expected, currentVersion: actual },
  );

export const configConflict = (name: SlaConfigName) =>
  new DomainError(
    'conflict',
    'CONFIG.CONCURRENT_UPDATE',
    `The ${name} configuration kept changing: try again`,
  );
