import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Actor } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { DomainError, validationError } from '../domain/errors.ts';
import {
  applyVisitStep,
  ClientId,
  clientIdReused,
  defaultFieldPolicy,
  distanceMeters,
  etaMinutes,
  type FieldPolicy,
  findByClientId,
  notAssignedEngineer,
  openVisit,
  PartUsed,
  Position,
  photoTypes,
  type Visit,
  VisitAction,
  VisitPhoto,
  type VisitStep,
  visitOutOfOrder,
} from '../domain/field/visit.ts';
import { ticketNotActive } from '../domain/routing/routing.errors.ts';
import {
  attachmentIdOf,
  attachmentNotFound,
  attachmentNotUploaded,
  attachmentsUnavailable,
} from '../domain/ticket/attachment-policy.ts';
import { activeStatuses } from '../domain/ticket/lifecycle.ts';
import { type Ticket, touch } from '../domain/ticket/ticket.entity.ts';
import type { OutboxNotification } from '../domain/ticket/ticket-change.ts';
import { changeTicketIf } from '../use-cases/change-ticket.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { routeTicket } from '../use-cases/route-ticket.ts';
import { assignedEvent, releaseUnused } from '../use-cases/ticket-routing.ts';
import { transitionTicket } from '../use-cases/transition-ticket.ts';
import { loadVisible } from '../use-cases/visibility.ts';
import type { ChannelDeps } from './deps.ts';

type Deps = TicketDeps & { channels: ChannelDeps };

const policyOf = (deps: Deps): FieldPolicy => deps.channels.field ?? defaultFieldPolicy;

/** `POST /tickets/{id}/visits`: a step of the visit, or (`record`) notes, parts and photos on site. */
export const VisitRequest = z.discriminatedUnion('action', [
  z
    .object({
      action: VisitAction.exclude(['check-out']),
      ...Position.shape,
      clientId: ClientId.optional(),
    })
    .strict(),
  z
    .object({
      action: z.literal('check-out'),
      ...Position.shape,
      clientId: ClientId.optional(),
      /** What was done: the ticket's resolution summary when check-out resolves it (then required). */
      summary: z.string().trim().min(1).max(4000).optional(),
    })
    .strict(),
  z
    .object({
      action: z.literal('record'),
      lat: Position.shape.lat.optional(),
      lng: Position.shape.lng.optional(),
      accuracy: Position.shape.accuracy.optional(),
      clientId: ClientId.optional(),
      notes: z.string().trim().min(1).max(4000).optional(),
      parts: z.array(PartUsed).max(50).optional(),
      photos: z.array(VisitPhoto).max(20).optional(),
    })
    .strict()
    .refine((r) => r.notes || r.parts?.length || r.photos?.length, {
      message: 'Record notes, parts or photos',
      path: ['notes'],
    }),
]);
export type VisitRequest = z.infer<typeof VisitRequest>;

export const SignOffRequest = z
  .object({
    signerName: z.string().trim().min(1).max(80),
    /** The signature drawn on the screen, as a PNG data URL (`data:image/png;base64,…`). */
    signature: z.string().min(1).max(500_000),
    lat: Position.shape.lat.optional(),
    lng: Position.shape.lng.optional(),
    accuracy: Position.shape.accuracy.optional(),
    clientId: ClientId.optional(),
  })
  .strict();
export type SignOffRequest = z.infer<typeof SignOffRequest>;

export interface VisitOutcome {
  ticket: Ticket;
  visit: Visit;
  step: VisitStep;
  /** True when the client id had been recorded already: nothing new was written. */
  replayed: boolean;
  /** Check-out: whether the ticket was resolved by policy, or why not. */
  resolution?: { resolved: boolean; code?: string; message?: string };
}

const positionOf = (r: {
  lat?: number | undefined;
  lng?: number | undefined;
  accuracy?: number | undefined;
}) =>
  r.lat !== undefined && r.lng !== undefined ? { lat: r.lat, lng: r.lng, accuracy: r.accuracy ?? 0 } : null;

async function assertFieldEngineer(ticket: Ticket, actor: Actor, deps: Deps) {
  if (ticket.assignee !== actor.id) throw notAssignedEngineer(ticket.id, ticket.assignee);
  const agent = await deps.routing.agents.get(actor.id);
  if (!agent?.fieldEngineer) throw notAssignedEngineer(ticket.id, ticket.assignee);
  if (!activeStatuses.includes(ticket.status)) throw ticketNotActive(ticket.id, ticket.status);
}

/** An idempotent answer for a client id seen before (the same action), or a 422 for another action. */
function replayOf(ticket: Ticket, clientId: string, action: string): VisitOutcome | null {
  const found = findByClientId(ticket.visits, clientId);
  if (!found) return null;
  if (found.step.action !== action) throw clientIdReused(clientId, found.step.action);
  return { ticket, visit: found.visit, step: found.step, replayed: true };
}

/** Photos named by a `record` step: uploaded in full to this ticket, and images. */
async function uploadedPhotos(ticketId: string, photos: readonly VisitPhoto[], deps: Deps) {
  const files = deps.channels.files;
  if (!files) throw attachmentsUnavailable();
  const records = await deps.channels.attachmentRecords.list(ticketId);
  const found = [];
  for (const [i, photo] of photos.entries()) {
    const record = records.find((r) => attachmentIdOf(r.sha256, r.filename) === photo.attachmentId);
    if (!record) throw attachmentNotFound(photo.attachmentId, `photos.${i}.attachmentId`);
    if (!(photoTypes as readonly string[]).includes(record.contentType)) {
      throw new DomainError(
        'unsupported_media',
        'VISIT.PHOTO_NOT_IMAGE',
        'Visit photos are JPEG, PNG or WebP images',
        {
          fields: [
            {
              path: `photos.${i}.attachmentId`,
              message: `${record.contentType} is not a photo`,
              code: 'type_refused',
            },
          ],
        },
      );
    }
    if (record.status === 'pending' && (await files.sizeOf(record.storageKey)) !== record.size) {
      throw attachmentNotUploaded(photo.attachmentId, `photos.${i}.attachmentId`);
    }
    found.push({ photo, record });
  }
  return found;
}

/** The customer's notice that the engineer is on the way: e-mail, or SMS when only a phone is known. */
function etaNotice(
  ticket: Ticket,
  actor: Actor,
  minutes: number | null,
  visitId: string,
): OutboxNotification[] {
  const who = actor.name ?? actor.id;
  const eta = minutes === null ? '' : `预计约 ${minutes} 分钟到达。`;
  const etaEn = minutes === null ? '' : ` Expected in about ${minutes} minutes.`;
  const zh = `【工单 ${ticket.number}】工程师 ${who} 已出发前往现场。${eta}`;
  const en = `[${ticket.number}] Engineer ${who} is on the way to you.${etaEn}`;
  const base = { ticketId: ticket.id, kind: 'visit.eta' };
  if (ticket.customer.email) {
    return [
      {
        key: `visit-eta:${visitId}`,
        who: 'customer',
        notification: {
          ...base,
          channel: 'email',
          to: ticket.customer.email,
          subject: `[${ticket.number}] 工程师已出发 / Engineer on the way`,
          body: `${zh}\n\n${en}\n\n${ticket.subject}${ticket.location?.address ? `\n${ticket.location.address}` : ''}`,
        },
      },
    ];
  }
  if (ticket.customer.phone) {
    return [
      {
        key: `visit-eta:${visitId}`,
        who: 'customer',
        notification: { ...base, channel: 'sms', to: ticket.customer.phone, subject: '', body: zh },
      },
    ];
  }
  return [];
}

/**
 * Records a visit step (docs/field-service.md).
 *
 * 1. Only the field engineer assigned to the active ticket (403 otherwise). A client id (the
 *    `Idempotency-Key` header or `clientId`) seen before answers with what it recorded; nothing is written.
 * 2. `record`: photos must be images uploaded in full to the ticket (415, 404, 409).
 * 3. Check-out, when policy resolves on check-out: a summary is required (400) before anything is written.
 * 4. One write through `changeTicket`: the ticket's visits and a `visit` audit event with time and position;
 *    `start` owes the customer the ETA notice (outbox), a check-in computes the distance to the site and
 *    flags one beyond the radius.
 * 5. After check-out the ticket is resolved through the lifecycle (its gates apply; a refusal is reported,
 *    the visit stays completed).
 */
export async function recordVisit(
  id: string,
  request: VisitRequest,
  actor: Actor,
  idempotencyKey: string | undefined,
  deps: Deps,
): Promise<VisitOutcome> {
  const policy = policyOf(deps);
  const clientId = idempotencyKey ?? request.clientId ?? deps.ids.next();
  const current = await loadVisible(id, actor, deps);
  const early = replayOf(current, clientId, request.action);
  if (early) return early;
  await assertFieldEngineer(current, actor, deps);
  if (request.action === 'check-out' && policy.resolveOnCheckOut && !request.summary) {
    throw validationError('The request body has invalid fields', [
      {
        path: 'summary',
        message: 'A resolution summary is required: check-out resolves the ticket',
        code: 'required',
      },
    ]);
  }
  const photos =
    request.action === 'record' && request.photos?.length
      ? await uploadedPhotos(id, request.photos, deps)
      : [];

  let outcome: VisitOutcome | null = null;
  const committed = await changeTicketIf(id, actor, undefined, deps, async (fresh, now) => {
    const replay = replayOf(fresh, clientId, request.action);
    if (replay) {
      outcome = replay;
      return null;
    }
    if (fresh.assignee !== actor.id) throw notAssignedEngineer(id, fresh.assignee);
    if (!activeStatuses.includes(fresh.status)) throw ticketNotActive(id, fresh.status);
    const visits = fresh.visits ?? [];
    let applied: { visits: Visit[]; visit: Visit; step: VisitStep };
    if (request.action === 'record') {
      const open = openVisit(visits);
      if (open?.status !== 'on-site') throw visitOutOfOrder('record', open?.status ?? null, ['check-in']);
      const at = now.toISOString();
      const step: VisitStep = { action: 'record', at, by: actor.id, position: positionOf(request), clientId };
      const visit: Visit = {
        ...open,
        steps: [...open.steps, step],
        notes: request.notes ? [...open.notes, { at, text: request.notes, clientId }] : open.notes,
        parts: [...open.parts, ...(request.parts ?? []).map((p) => ({ ...p, at }))],
        photos: [...open.photos, ...photos.map(({ photo }) => ({ ...photo, at }))],
      };
      applied = { visits: [...visits.filter((v) => v.id !== open.id), visit], visit, step };
    } else {
      applied = applyVisitStep(
        visits,
        {
          action: request.action,
          position: { lat: request.lat, lng: request.lng, accuracy: request.accuracy },
          clientId,
          by: actor.id,
          visitId: deps.ids.next(),
          ...(request.action === 'check-out' && request.summary ? { summary: request.summary } : {}),
          location: fresh.location,
          policy,
        },
        now,
      );
    }
    const ticket: Ticket = { ...touch(fresh, now), visits: applied.visits };
    const { step, visit } = applied;
    const audit: AuditEvent[] = [
      auditEvent(deps.ids.next(), id, 'visit', actor, now, ticket.version, {
        visitId: visit.id,
        action: step.action,
        status: visit.status,
        position: step.position,
        clientId,
        ...(step.action === 'check-in'
          ? {
              distanceMeters: step.distanceMeters,
              outsideRadius: step.outsideRadius,
              radiusMeters: policy.checkInRadiusMeters,
            }
          : {}),
        ...(request.action === 'record'
          ? {
              ...(request.notes ? { notes: request.notes } : {}),
              ...(request.parts?.length ? { parts: request.parts } : {}),
              ...(photos.length ? { photos: photos.map(({ photo }) => photo) } : {}),
            }
          : {}),
        ...(request.action === 'check-out' && request.summary ? { summary: request.summary } : {}),
      }),
    ];
    let notifications: OutboxNotification[] = [];
    if (step.action === 'start') {
      const agent = await deps.routing.agents.get(actor.id);
      const from = agent?.location ?? null;
      const minutes = from && fresh.location ? etaMinutes(distanceMeters(from, fresh.location) / 1000) : null;
      notifications = etaNotice(fresh, actor, minutes, visit.id);
      audit[0]!.data.etaMinutes = minutes;
    }
    outcome = { ticket, visit, step, replayed: false };
    return { ticket, audit, events: [], notifications };
  });
  if (!committed) return outcome!;
  const done = outcome as unknown as VisitOutcome;
  const result: VisitOutcome = { ...done, ticket: committed.ticket };
  if (photos.length) {
    // After the commit (a retry writes the same): the photos belong to the visit now.
    await deps.channels.attachmentRecords.add(
      photos.map(({ record }) => ({ ...record, status: 'stored' as const })),
    );
  }
  if (request.action === 'check-out' && policy.resolveOnCheckOut) {
    result.resolution = await resolveAfterVisit(id, request.summary!, actor, deps);
    if (result.resolution.resolved) result.ticket = (await deps.tickets.get(id)) ?? result.ticket;
  }
  return result;
}

/** Resolves the ticket after a check-out, through the lifecycle and its gates. */
async function resolveAfterVisit(id: string, summary: string, actor: Actor, deps: Deps) {
  try {
    const ticket = await deps.tickets.get(id);
    if (ticket?.status === 'new') await transitionTicket(id, { to: 'open' }, actor, undefined, deps);
    // The summary is the ticket's resolution, which the closing report shows (docs/closing-report.md).
    await transitionTicket(id, { to: 'resolved', summary }, actor, undefined, deps);
    return { resolved: true };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    deps.logger.info('visit.resolve_refused', { ticketId: id, code: error.code });
    return { resolved: false, code: error.code, message: error.message };
  }
}

const pngMagic = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The PNG bytes of a signature data URL; 400 when it is not a PNG, 413 over the limit. */
export function signaturePng(dataUrl: string, maxBytes: number): Buffer {
  const match = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl.trim());
  const bytes = match ? Buffer.from(match[1]!, 'base64') : null;
  if (!bytes || bytes.length < 16 || !bytes.subarray(0, 8).equals(pngMagic)) {
    throw validationError('The request body has invalid fields', [
      { path: 'signature', message: 'A PNG image as a data URL (data:image/png;base64,…)', code: 'not_png' },
    ]);
  }
  if (bytes.length > maxBytes) {
    throw new DomainError(
      'too_large',
      'VISIT.SIGNATURE_TOO_LARGE',
      `The signature is ${bytes.length} bytes; the limit is ${maxBytes}`,
      {
        fields: [{ path: 'signature', message: `At most ${maxBytes} bytes`, code: 'too_big' }],
        maxBytes,
      },
    );
  }
  return bytes;
}

/**
 * `POST /tickets/{id}/sign-off`: the customer's signature on the visit under way (checked in, not yet
 * checked out). Stored as an image attachment; its SHA-256, the signer, time, position and IP go into
 * the visit and the audit trail. Everything is checked before the bytes are written.
 */
export async function signOff(
  id: string,
  request: SignOffRequest,
  actor: Actor,
  idempotencyKey: string | undefined,
  deps: Deps,
): Promise<VisitOutcome> {
  const policy = policyOf(deps);
  const clientId = idempotencyKey ?? request.clientId ?? deps.ids.next();
  const bytes = signaturePng(request.signature, policy.signatureMaxBytes);
  const current = await loadVisible(id, actor, deps);
  const early = replayOf(current, clientId, 'sign-off');
  if (early) return early;
  await assertFieldEngineer(current, actor, deps);
  const open = openVisit(current.visits);
  if (open?.status !== 'on-site') throw visitOutOfOrder('sign-off', open?.status ?? null, ['check-in']);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const filename = `signature-${open.id}.png`;
  const { storageKey } = await deps.channels.attachments.put({
    ticketId: id,
    filename,
    contentType: 'image/png',
    sha256,
    content: bytes,
  });
  const attachmentId = attachmentIdOf(sha256, filename);
  let outcome: VisitOutcome | null = null;
  const committed = await changeTicketIf(id, actor, undefined, deps, (fresh, now) => {
    const replay = replayOf(fresh, clientId, 'sign-off');
    if (replay) {
      outcome = replay;
      return null;
    }
    if (fresh.assignee !== actor.id) throw notAssignedEngineer(id, fresh.assignee);
    const visit = openVisit(fresh.visits);
    if (visit?.status !== 'on-site') throw visitOutOfOrder('sign-off', visit?.status ?? null, ['check-in']);
    const at = now.toISOString();
    const position = positionOf(request);
    const step: VisitStep = { action: 'sign-off', at, by: actor.id, position, clientId };
    const signed: Visit = {
      ...visit,
      steps: [...visit.steps, step],
      signOff: {
        signerName: request.signerName,
        attachmentId,
        sha256,
        size: bytes.length,
        at,
        position,
        sourceIp: actor.sourceIp ?? null,
      },
    };
    const ticket: Ticket = {
      ...touch(fresh, now),
      visits: [...(fresh.visits ?? []).filter((v) => v.id !== visit.id), signed],
    };
    outcome = { ticket, visit: signed, step, replayed: false };
    return {
      ticket,
      audit: [
        auditEvent(deps.ids.next(), id, 'visit', actor, now, ticket.version, {
          visitId: visit.id,
          action: 'sign-off',
          signerName: request.signerName,
          attachmentId,
          sha256,
          size: bytes.length,
          position,
          sourceIp: actor.sourceIp ?? null,
          clientId,
        }),
      ],
      events: [],
    };
  });
  if (committed) {
    await deps.channels.attachmentRecords.add([
      {
        ticketId: id,
        filename,
        contentType: 'image/png',
        size: bytes.length,
        sha256,
        inline: false,
        storageKey,
        channel: 'api',
        at: deps.clock.now().toISOString(),
        status: 'stored',
        uploadedBy: actor.id,
      },
    ]);
  }
  return outcome!;
}

export const DeclineRequest = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();
export type DeclineRequest = z.infer<typeof DeclineRequest>;

/**
 * `POST /tickets/{id}/decline`: the assigned field engineer gives the job back before starting a visit.
 * Routing places it again within its team, without the engineer (their queue when nobody else is free);
 * the reason is in the `assigned` audit event and the routing explanation.
 */
export async function declineJob(id: string, request: DeclineRequest, actor: Actor, deps: TicketDeps) {
  const current = await loadVisible(id, actor, deps);
  if (current.assignee !== actor.id) throw notAssignedEngineer(id, current.assignee);
  if (!activeStatuses.includes(current.status)) throw ticketNotActive(id, current.status);
  const open = openVisit(current.visits);
  if (open) throw visitOutOfOrder('decline', open.status, ['check-out']);
  const config = await deps.routing.config.get();
  const team = current.team;
  const agents = deps.routing.agents;
  const withoutMe = {
    ...agents,
    listByTeam: async (t: string) => (await agents.listByTeam(t)).filter((a) => a.id !== actor.id),
  };
  // A proxy keeps the store's methods bound (they may use `this`).
  const store = new Proxy(agents, {
    get: (target, key) => (key === 'listByTeam' ? withoutMe.listByTeam : Reflect.get(target, key)),
  });
  const routed =
    config && team
      ? await routeTicket(
          { ...current, assignee: null },
          config,
          { agents: store, clock: deps.clock, logger: deps.logger },
          { team },
        )
      : null;
  const now = deps.clock.now();
  const routing = {
    rule: routed?.routing.rule ?? null,
    reason: `Declined by ${actor.name ?? actor.id}: ${request.reason}. ${routed?.routing.reason ?? 'Waiting in the queue.'}`,
    explanation: {
      code: 'person.transferred' as const,
      params: {
        fromTeam: team,
        team,
        by: actor.name ?? actor.id,
        reason: request.reason,
        agent: routed?.assignee ?? null,
      },
    },
    candidates: routed?.routing.candidates ?? [],
    relaxed: routed?.routing.relaxed ?? false,
    decidedAt: now.toISOString(),
  };
  try {
    const committed = await changeTicketIf(id, actor, undefined, deps, (fresh, at) => {
      if (fresh.assignee !== actor.id) throw notAssignedEngineer(id, fresh.assignee);
      const ticket: Ticket = { ...touch(fresh, at), assignee: routed?.assignee ?? null, routing };
      return {
        ticket,
        audit: [
          auditEvent(deps.ids.next(), id, 'visit', actor, at, ticket.version, {
            action: 'decline',
            reason: request.reason,
          }),
          auditEvent(deps.ids.next(), id, 'assigned', actor, at, ticket.version, {
            by: 'person',
            reason: `Declined: ${request.reason}`,
            fromTeam: fresh.team,
            toTeam: ticket.team,
            fromAssignee: fresh.assignee,
            toAssignee: ticket.assignee,
            routing,
          }),
        ],
        events: [assignedEvent(deps.ids.next(), ticket, routing.reason)],
      };
    });
    return committed!.ticket;
  } catch (error) {
    await releaseUnused(routed?.assignee ?? null, id, deps);
    throw error;
  }
}

export const JobsQuery = z.object({
  lat: z.coerce.number().min(-90).max(90).optional(),
  lng: z.coerce.number().min(-180).max(180).optional(),
});
export type JobsQuery = z.infer<typeof JobsQuery>;

export const Job = z.object({
  id: z.string(),
  number: z.string(),
  subject: z.string(),
  description: z.string(),
  status: z.string(),
  priority: z.string(),
  customer: z.object({ name: z.string().optional(), phone: z.string().optional() }),
  location: z.object({ lat: z.number(), lng: z.number(), address: z.string().optional() }).nullable(),
  /** From the position the list was asked for; null without one (or without a site). */
  distanceMeters: z.number().nullable(),
  /** A link that opens the phone's map app at the site (Amap's URI API). */
  navigationUrl: z.string().nullable(),
  visit: z.unknown().nullable(),
  version: z.number().int(),
});
export type Job = z.infer<typeof Job>;

const navigationUrl = (t: Ticket) =>
  t.location
    ? `https://uri.amap.com/marker?position=${t.location.lng},${t.location.lat}&name=${encodeURIComponent(
        t.location.address ?? t.number,
      )}&coordinate=wgs84&callnative=1`
    : null;

/**
 * `GET /field/jobs`: today's jobs of the calling engineer — their active tickets with a site or a visit
 * under way — in visiting order: the visit under way first, then the nearest next from where they are
 * (nearest-neighbour), sites unknown last; without a position, by SLA due time.
 */
export async function listJobs(query: JobsQuery, actor: Actor, deps: TicketDeps): Promise<{ items: Job[] }> {
  const page = await deps.tickets.list({ assignee: actor.id, active: true }, { limit: 100, order: 'due' });
  const tickets = page.items.filter((t) => t.location || openVisit(t.visits));
  const here = query.lat !== undefined && query.lng !== undefined ? { lat: query.lat, lng: query.lng } : null;
  const under = tickets.filter((t) => openVisit(t.visits));
  const rest = tickets.filter((t) => !openVisit(t.visits));
  const ordered: Ticket[] = [...under];
  if (here) {
    let from = here;
    const left = rest.filter((t) => t.location);
    while (left.length) {
      left.sort((a, b) => distanceMeters(from, a.location!) - distanceMeters(from, b.location!));
      const nextStop = left.shift()!;
      ordered.push(nextStop);
      from = nextStop.location!;
    }
    ordered.push(...rest.filter((t) => !t.location));
  } else {
    ordered.push(...rest);
  }
  return {
    items: ordered.map((t) => ({
      id: t.id,
      number: t.number,
      subject: t.subject,
      description: t.description,
      status: t.status,
      priority: t.priority,
      customer: {
        ...(t.customer.name ? { name: t.customer.name } : {}),
        ...(t.customer.phone ? { phone: t.customer.phone } : {}),
      },
      location: t.location,
      distanceMeters: here && t.location ? distanceMeters(here, t.location) : null,
      navigationUrl: navigationUrl(t),
      visit: openVisit(t.visits) ?? (t.visits ?? []).at(-1) ?? null,
      version: t.version,
    })),
  };
}
