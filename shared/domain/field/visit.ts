import * as z from 'zod';
import { DomainError } from '../errors.ts';
import { haversineKm } from '../routing/geo.ts';

/**
 * Field visits (docs/field-service.md): a field engineer's trip to a ticket's site, kept on the ticket
 * (`visits`), each step also an audit event (`visit`) with its time and position.
 *
 * on-the-way (start) → arrived (arrive, optional) → on-site (check-in) → completed (check-out)
 */
export const visitActions = ['start', 'arrive', 'check-in', 'check-out'] as const;
export const VisitAction = z.enum(visitActions);
export type VisitAction = z.infer<typeof VisitAction>;

export const visitStatuses = ['on-the-way', 'arrived', 'on-site', 'completed'] as const;
export const VisitStatus = z.enum(visitStatuses);
export type VisitStatus = z.infer<typeof VisitStatus>;

/** A position from the browser's geolocation: degrees, and its accuracy in metres. */
export const Position = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  accuracy: z.number().min(0).max(100_000),
});
export type Position = z.infer<typeof Position>;

/** A client-generated id that makes a step idempotent (also accepted as the `Idempotency-Key` header). */
export const ClientId = z
  .string()
  .trim()
  .min(8)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces');

export const VisitStep = z.object({
  action: z.enum([...visitActions, 'record', 'sign-off']),
  at: z.string(),
  by: z.string(),
  position: Position.nullable(),
  clientId: z.string(),
  /** check-in: metres from the ticket's location (null when the ticket has none). */
  distanceMeters: z.number().nullable().optional(),
  /** check-in: further than the allowed radius (flagged, not refused). */
  outsideRadius: z.boolean().optional(),
});
export type VisitStep = z.infer<typeof VisitStep>;

export const PartUsed = z.object({
  name: z.string().trim().min(1).max(120),
  quantity: z.number().positive().max(10_000),
  unit: z.string().trim().min(1).max(20).optional(),
});
export type PartUsed = z.infer<typeof PartUsed>;

export const photoTags = ['before', 'after'] as const;
export const VisitPhoto = z.object({
  attachmentId: z.string().min(1).max(64),
  tag: z.enum(photoTags),
});
export type VisitPhoto = z.infer<typeof VisitPhoto>;

export const SignOff = z.object({
  signerName: z.string(),
  attachmentId: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  at: z.string(),
  position: Position.nullable(),
  sourceIp: z.string().nullable(),
});
export type SignOff = z.infer<typeof SignOff>;

/** One visit as the ticket keeps it. */
export const Visit = z.object({
  id: z.string(),
  engineer: z.string(),
  status: VisitStatus,
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  /** Set when the check-in was further from the site than the radius allowed. */
  flagged: z.boolean(),
  steps: z.array(VisitStep),
  notes: z.array(z.object({ at: z.string(), text: z.string(), clientId: z.string() })),
  parts: z.array(PartUsed.extend({ at: z.string() })),
  photos: z.array(VisitPhoto.extend({ at: z.string() })),
  signOff: SignOff.nullable(),
  summary: z.string().nullable(),
});
export type Visit = z.infer<typeof Visit>;

/** What a deployment decides about visits (FIELD_CHECKIN_RADIUS_METERS, FIELD_RESOLVE_ON_CHECKOUT). */
export interface FieldPolicy {
  checkInRadiusMeters: number;
  resolveOnCheckOut: boolean;
  /** Largest visit photo (bytes); photos must be JPEG, PNG or WebP. */
  photoMaxBytes: number;
  /** Largest signature image (bytes, decoded). */
  signatureMaxBytes: number;
}

export const defaultFieldPolicy: FieldPolicy = {
  checkInRadiusMeters: 500,
  resolveOnCheckOut: true,
  photoMaxBytes: 5 * 1024 * 1024,
  signatureMaxBytes: 256 * 1024,
};

export const photoTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** The visit still under way on a ticket (at most one), or null. */
export const openVisit = (visits: readonly Visit[] | undefined) =>
  (visits ?? []).find((v) => v.status !== 'completed') ?? null;

/** The step (or sign-off) a client id was recorded with, on any visit. */
export function findByClientId(visits: readonly Visit[] | undefined, clientId: string) {
  for (const visit of visits ?? []) {
    const step = visit.steps.find((s) => s.clientId === clientId);
    if (step) return { visit, step };
  }
  return null;
}

/** The statuses a visit must be in for each step. */
const requires: Record<VisitAction, readonly (VisitStatus | null)[]> = {
  start: [null],
  arrive: ['on-the-way'],
  'check-in': ['on-the-way', 'arrived'],
  'check-out': ['on-site'],
};

const next: Record<VisitAction, VisitStatus> = {
  start: 'on-the-way',
  arrive: 'arrived',
  'check-in': 'on-site',
  'check-out': 'completed',
};

export const visitOutOfOrder = (action: string, status: VisitStatus | null, allowed: readonly string[]) =>
  new DomainError(
    'conflict',
    'VISIT.OUT_OF_ORDER',
    `A visit ${status ? `that is ${status}` : 'not yet started'} cannot take the step ${action}`,
    {
      status,
      action,
      expected: allowed,
      fields: [
        { path: 'action', message: `Not now: the visit is ${status ?? 'not started'}`, code: 'out_of_order' },
      ],
    },
  );

export const notAssignedEngineer = (ticketId: string, assignee: string | null) =>
  new DomainError(
    'forbidden',
    'VISIT.NOT_ASSIGNED',
    `Only the field engineer assigned to ticket ${ticketId} records its visits`,
    { assignee },
  );

export const clientIdReused = (clientId: string, action: string) =>
  new DomainError(
    'unprocessable',
    'VISIT.CLIENT_ID_REUSED',
    `The id ${clientId} was used before for another step (${action})`,
    { fields: [{ path: 'clientId', message: `Already used for ${action}`, code: 'reused' }] },
  );

/** Metres between a position and the ticket's location, to the metre. */
export const distanceMeters = (from: { lat: number; lng: number }, to: { lat: number; lng: number }) =>
  Math.round(haversineKm(from, to) * 1000);

/**
 * Applies one lifecycle step to the ticket's visits, returning them and the step recorded. Throws
 * VISIT.OUT_OF_ORDER (409) for a step the visit is not ready for.
 */
export function applyVisitStep(
  visits: readonly Visit[],
  input: {
    action: VisitAction;
    position: Position;
    clientId: string;
    by: string;
    visitId: string;
    summary?: string;
    location: { lat: number; lng: number } | null;
    policy: FieldPolicy;
  },
  now: Date,
): { visits: Visit[]; visit: Visit; step: VisitStep } {
  const at = now.toISOString();
  const current = openVisit(visits);
  const status = current?.status ?? null;
  const allowed = requires[input.action];
  if (!allowed.includes(status)) {
    const expected = visitActions.filter((a) => requires[a].includes(status));
    throw visitOutOfOrder(input.action, status, expected);
  }
  const step: VisitStep = {
    action: input.action,
    at,
    by: input.by,
    position: input.position,
    clientId: input.clientId,
  };
  if (input.action === 'check-in') {
    const distance = input.location ? distanceMeters(input.position, input.location) : null;
    step.distanceMeters = distance;
    step.outsideRadius = distance !== null && distance > input.policy.checkInRadiusMeters;
  }
  const base: Visit = current ?? {
    id: input.visitId,
    engineer: input.by,
    status: 'on-the-way',
    startedAt: at,
    completedAt: null,
    flagged: false,
    steps: [],
    notes: [],
    parts: [],
    photos: [],
    signOff: null,
    summary: null,
  };
  const visit: Visit = {
    ...base,
    status: next[input.action],
    steps: [...base.steps, step],
    flagged: base.flagged || step.outsideRadius === true,
    ...(input.action === 'check-out' ? { completedAt: at, summary: input.summary ?? null } : {}),
  };
  const others = visits.filter((v) => v.id !== visit.id);
  return { visits: [...others, visit], visit, step };
}

/** Minutes to drive `km` in town (a rough 25 km/h, at least 5 minutes), for the customer's ETA notice. */
export const etaMinutes = (km: number) => Math.max(5, Math.round(((km / 25) * 60) / 5) * 5);
