import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Actor } from '../../domain/actor.ts';
import { auditEvent } from '../../domain/audit/audit-event.ts';
import { DomainError } from '../../domain/errors.ts';
import { runOnce } from '../../domain/intake/intake-ledger.ts';
import { safeFilename } from '../../domain/intake/safe-filename.ts';
import { defaultPortalConfig, type PortalConfig } from '../../domain/portal/portal-config.ts';
import { canonicalPhone, normalizePhone, samePhone } from '../../domain/ticket/customer-contact.ts';
import { readProductText } from '../../domain/ticket/product-region.ts';
import { type NewTicket, type Ticket, ticketNumberPattern } from '../../domain/ticket/ticket.entity.ts';
import { createTicket } from '../../use-cases/create-ticket.ts';
import { recordInboundMessage } from '../../use-cases/inbound-message.ts';
import { productPrefixes } from '../../use-cases/product-region.ts';
import { storeAttachments } from '../attachments.ts';
import type { ChannelTicketDeps } from '../deps.ts';
import { portalRate, portalReport } from '../portal-report.ts';
import { defaultFormLimits, type FormLimits, type ParsedForm, parseForm } from './form-data.ts';
import { readPortalConfig } from './portal-config.ts';
import {
  confirmationPage,
  errorPage,
  type IntakeValues,
  intakeForm,
  lookupForm,
  portalHeaders,
  statusPage,
} from './portal-pages.ts';
import { type Lang, langOf, type PortalText, portalCategories, portalText } from './portal-text.ts';

/**
 * The portal's abuse controls. Bodies are capped below what a Lambda accepts (6 MB, base64 included);
 * counters are per client IP and per e-mail over sliding windows (DynamoDB, see RateCounter).
 */
export const portalLimits = {
  submitBodyBytes: 4 * 1024 * 1024,
  statusBodyBytes: 64 * 1024,
  form: {
    ...defaultFormLimits,
    maxFields: 20,
    maxFiles: 3,
    maxFileBytes: 3 * 1024 * 1024,
  } satisfies FormLimits,
  submitsPerIp: 10,
  submitsPerEmail: 5,
  submitWindowMinutes: 60,
  lookupsPerIp: 30,
  lookupWindowMinutes: 10,
  repliesPerIp: 20,
  replyWindowMinutes: 60,
};

/** A page the portal answers with: the status, the markup and its headers (CSP, no caching). */
export interface PortalPage {
  status: number;
  html: string;
  headers: Record<string, string>;
}

/** What a portal route gets: the lower-cased headers, query, raw body and the caller's IP. */
export interface PortalRequest {
  headers: Record<string, string>;
  query?: Record<string, string | undefined> | undefined;
  rawBody?: Buffer;
  sourceIp?: string;
}

/** A page under the portal's configuration; `script` for the intake form (the upload progress). */
const page = (status: number, markup: string, config: PortalConfig, script = false): PortalPage => ({
  status,
  html: markup,
  headers: portalHeaders(config, { script }),
});

/** The identity the portal writes under; the customer it writes for is in the ticket. */
const portalActor = (sourceIp?: string): Actor => ({
  id: 'portal',
  name: 'Customer portal',
  roles: ['integration'],
  channel: 'web',
  ...(sourceIp ? { sourceIp } : {}),
});

const newNonce = () => randomBytes(18).toString('base64url');
const nonceOf = (value: string | undefined) => (value && /^[A-Za-z0-9_-]{16,64}$/.test(value) ? value : null);

const lang = (request: PortalRequest, form?: ParsedForm) =>
  langOf(form?.fields.lang ?? request.query?.lang, request.headers['accept-language']);

/** `GET /portal`: the intake form. */
export async function showIntakeForm(
  request: PortalRequest,
  deps: Pick<ChannelTicketDeps, 'channels'>,
): Promise<PortalPage> {
  const config = await readPortalConfig(deps);
  return page(200, intakeForm(lang(request), newNonce(), {}, {}, undefined, config), config, true);
}

/** `GET /portal/status`: the lookup form, the number filled in when the link carried it. */
export async function showLookupForm(
  request: PortalRequest,
  deps: Pick<ChannelTicketDeps, 'channels'>,
): Promise<PortalPage> {
  const config = await readPortalConfig(deps);
  const number = request.query?.number?.trim().toUpperCase().slice(0, 20);
  return page(200, lookupForm(lang(request), number ? { number } : {}, undefined, config), config);
}

const Email = z.email().max(254);
/** A phone number as customers type it: digits with spaces, dashes, dots or brackets, a leading +. */
const phonePattern = /^\+?\d{5,20}$/;

function validateIntake(fields: Record<string, string>, t: PortalText) {
  const values: IntakeValues = {
    subject: fields.subject?.trim() ?? '',
    description: fields.description?.replace(/\r\n/g, '\n').trim() ?? '',
    name: fields.name?.trim() ?? '',
    email: fields.email?.trim() ?? '',
    phone: fields.phone?.trim() ?? '',
    category: fields.category?.trim() ?? '',
    location: fields.location?.trim() ?? '',
    product: fields.product?.trim() ?? '',
    region: fields.region?.trim() ?? '',
  };
  const errors: Record<string, string> = {};
  const limit = (field: keyof IntakeValues, max: number, required = false) => {
    const value = values[field] ?? '';
    if (required && !value) errors[field] = t.required;
    else if (value.length > max) errors[field] = t.tooLong;
  };
  limit('subject', 200, true);
  limit('description', 20_000, true);
  limit('name', 120);
  limit('phone', 40);
  limit('location', 300);
  limit('product', 100);
  limit('region', 60);
  // An e-mail address or a phone number, at least one: with a phone only, updates go by SMS.
  if (!values.email && !values.phone) {
    errors.email = t.contactRequired;
    errors.phone = t.contactRequired;
  }
  if (values.email && !Email.safeParse(values.email).success) errors.email = t.invalidEmail;
  if (values.phone && !errors.phone && !phonePattern.test(normalizePhone(values.phone)))
    errors.phone = t.invalidPhone;
  if (values.category && !portalCategories.some((c) => c.value === values.category))
    errors.category = t.invalid;
  return { values, errors };
}

/** "31.23, 121.47" is a position; anything else is an address. */
function locationOf(text: string): NewTicket['location'] {
  const m = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,，]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const lat = Number(m[1]);
  const lng = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lng) <= 180 ? { lat, lng } : undefined;
}

async function overLimit(
  deps: ChannelTicketDeps,
  checks: { scope: string; subject: string | undefined; limit: number; windowMinutes: number }[],
): Promise<boolean> {
  const now = deps.clock.now();
  for (const check of checks) {
    if (!check.subject) continue;
    const count = await deps.channels.rates.hit(check.scope, check.subject, now, check.windowMinutes);
    if (count > check.limit) {
      deps.logger.warn('portal.rate_limited', { scope: check.scope, count, limit: check.limit });
      return true;
    }
  }
  return false;
}

/**
 * `POST /portal`: opens a ticket from the intake form.
 *
 * 1. Parse the form within the size limits; a filled honeypot gets a thank-you page and no ticket.
 * 2. Validate (re-render the form with each field's problem); count the IP and the e-mail.
 * 3. `createTicket` as the portal for the customer named, keyed by the form's nonce (a reload or a
 *    double click opens one ticket); keep the attachments.
 * 4. Show the ticket number. The acknowledgement mail follows from `ticket.created` (channel `web`).
 */
export async function submitIntake(request: PortalRequest, deps: ChannelTicketDeps): Promise<PortalPage> {
  let form: ParsedForm;
  try {
    form = parseForm(request.rawBody ?? Buffer.alloc(0), request.headers['content-type'], portalLimits.form);
  } catch (error) {
    const l = lang(request);
    if (error instanceof DomainError && error.kind === 'too_large') {
      const config = await readPortalConfig(deps);
      const { tooLarge } = portalText[l];
      return page(
        413,
        intakeForm(l, newNonce(), {}, { attachments: tooLarge }, tooLarge, config),
        config,
        true,
      );
    }
    throw error;
  }
  const config = await readPortalConfig(deps);
  const l = lang(request, form);
  const t = portalText[l];
  if (form.fields.website) {
    deps.logger.warn('portal.honeypot', { sourceIp: request.sourceIp });
    return page(200, confirmationPage(l, null, config), config);
  }
  const nonce = nonceOf(form.fields.nonce);
  const { values, errors } = validateIntake(form.fields, t);
  if (Object.keys(errors).length)
    return page(400, intakeForm(l, nonce ?? newNonce(), values, errors, t.invalid, config), config, true);

  const limited = await overLimit(deps, [
    {
      scope: 'portal-submit-ip',
      subject: request.sourceIp,
      limit: portalLimits.submitsPerIp,
      windowMinutes: portalLimits.submitWindowMinutes,
    },
    {
      scope: 'portal-submit-email',
      subject: values.email ? values.email.toLowerCase() : `tel:${canonicalPhone(values.phone ?? '')}`,
      limit: portalLimits.submitsPerEmail,
      windowMinutes: portalLimits.submitWindowMinutes,
    },
  ]);
  if (limited)
    return page(429, intakeForm(l, nonce ?? newNonce(), values, {}, t.tooMany, config), config, true);

  const location = values.location ? locationOf(values.location) : undefined;
  // "空调 KFR-35GW", "KFR-35GW" or "洗衣机": a model with its line, or a line (docs/analytics.md).
  const product = values.product ? readProductText(values.product, await productPrefixes(deps)) : null;
  const input: NewTicket = {
    subject: values.subject!,
    description: values.description!,
    priority: 'normal',
    ...(values.category ? { category: values.category } : {}),
    customer: {
      ...(values.email ? { email: values.email } : {}),
      tier: 'standard',
      ...(values.name ? { name: values.name } : {}),
      ...(values.phone ? { phone: values.phone } : {}),
    },
    tags: [],
    customFields: values.location ? { location: values.location } : {},
    ...(location ? { location } : {}),
    ...(product ? { product } : {}),
    ...(values.region ? { region: values.region } : {}),
  };
  let ticket: Ticket;
  try {
    ({ ticket } = await createTicket(input, portalActor(request.sourceIp), deps, nonce ?? undefined));
  } catch (error) {
    if (error instanceof DomainError && error.code === 'IDEMPOTENCY.KEY_REUSED') {
      return page(422, intakeForm(l, newNonce(), values, {}, t.resubmitted, config), config, true);
    }
    throw error;
  }
  await storeAttachments(
    ticket.id,
    'web',
    form.files.map((f) => ({
      filename: safeFilename(f.filename),
      contentType: f.contentType,
      size: f.content.length,
      sha256: createHash('sha256').update(f.content).digest('hex'),
      inline: false,
      content: f.content,
    })),
    deps,
  );
  return page(201, confirmationPage(l, ticket, config), config);
}

const withinReopenWindow = (ticket: Ticket, now: Date, days: number) =>
  !ticket.resolvedAt || now.getTime() - Date.parse(ticket.resolvedAt) <= days * 86_400_000;

/**
 * `POST /portal/status`: `action=lookup` shows the ticket found by number and e-mail (progress, public
 * thread, attachments); `action=reply` adds the customer's reply first. A wrong pair gets the same
 * answer as an unknown number, and lookups are counted per IP, so numbers cannot be probed.
 */
export async function postStatus(request: PortalRequest, deps: ChannelTicketDeps): Promise<PortalPage> {
  const form = parseForm(request.rawBody ?? Buffer.alloc(0), request.headers['content-type'], {
    ...portalLimits.form,
    maxFiles: 0,
  });
  const config = await readPortalConfig(deps);
  const l = lang(request, form);
  const t = portalText[l];
  const number = (form.fields.number ?? '').trim().toUpperCase().slice(0, 20);
  // One field takes either: an address (it has an @) or the phone number the ticket was opened with.
  const email = (form.fields.email ?? form.fields.phone ?? '').trim().slice(0, 254);
  const byPhone = !email.includes('@');
  const replying = form.fields.action === 'reply';
  const rating = form.fields.action === 'rate';

  const limited = await overLimit(deps, [
    {
      scope: 'portal-lookup-ip',
      subject: request.sourceIp,
      limit: portalLimits.lookupsPerIp,
      windowMinutes: portalLimits.lookupWindowMinutes,
    },
    ...(replying
      ? [
          {
            scope: 'portal-reply-ip',
            subject: request.sourceIp,
            limit: portalLimits.repliesPerIp,
            windowMinutes: portalLimits.replyWindowMinutes,
          },
        ]
      : []),
  ]);
  if (limited) return page(429, lookupForm(l, { number, email }, t.tooMany, config), config);

  const contactValid = byPhone ? phonePattern.test(normalizePhone(email)) : Email.safeParse(email).success;
  const found =
    ticketNumberPattern.test(number) && contactValid ? await deps.tickets.getByNumber(number) : null;
  const matches = (ticket: Ticket) =>
    byPhone
      ? samePhone(ticket.customer.phone, email)
      : ticket.customer.email?.toLowerCase() === email.toLowerCase();
  // A child ticket is internal (docs/collaboration.md): the customer follows the parent only.
  if (!found || found.parentId || !matches(found)) {
    return page(404, lookupForm(l, { number, email }, t.notFound, config), config);
  }
  // What the customer's own replies and views are recorded under: the address, or `tel:` and the number.
  const address = byPhone ? `tel:${canonicalPhone(email)}` : email;
  let ticket = found;
  const now = deps.clock.now();
  const reopenable = withinReopenWindow(ticket, now, deps.channels.settings.reopenWindowDays);
  const canReply = (s: Ticket) => s.status !== 'closed' && (s.status !== 'resolved' || reopenable);
  const customer = {
    id: `portal:${address.toLowerCase()}`,
    ...(ticket.customer.name ? { name: ticket.customer.name } : {}),
    email: address,
    roles: ['customer' as const],
    channel: 'web' as const,
    ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
  };
  let notice: string | undefined;
  let alert: string | undefined;
  let ratingError: string | undefined;

  if (rating && !form.fields.website) {
    // The closing report's rating, from the status page (docs/closing-report.md).
    const rated = await portalRate(
      ticket,
      form.fields,
      { ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}) },
      l,
      deps,
    );
    ({ ticket } = rated);
    ({ notice, alert, error: ratingError } = rated);
  } else if (replying && !form.fields.website) {
    const body = (form.fields.reply ?? '').replace(/\r\n/g, '\n').trim();
    const nonce = nonceOf(form.fields.nonce) ?? newNonce();
    if (!body || body.length > 20_000) {
      alert = body ? t.tooLong : t.required;
    } else if (!canReply(ticket)) {
      alert = ticket.status === 'closed' ? t.closedNotice : t.staleNotice;
    } else {
      const wasResolved = ticket.status === 'resolved';
      const run = await runOnce(
        deps.channels.ledger,
        `portal-reply:${ticket.id}:${nonce}`,
        now,
        60,
        async () => {
          const result = await recordInboundMessage(
            ticket.id,
            {
              body,
              public: true,
              author: {
                address,
                ...(ticket.customer.name ? { name: ticket.customer.name } : {}),
                kind: 'customer',
              },
              channel: 'web',
              reopen: wasResolved,
              ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
            },
            deps,
          );
          return { outcome: 'replied', ticketId: result.ticket.id };
        },
      );
      ticket = (await deps.tickets.get(ticket.id)) ?? ticket;
      notice =
        wasResolved && !run.duplicate && ticket.status === 'open'
          ? `${t.replySent} ${t.reopenedNotice}`
          : t.replySent;
    }
  } else {
    await deps.tickets.appendAudit([
      auditEvent(deps.ids.next(), ticket.id, 'viewed', customer, now, ticket.version),
    ]);
  }

  const [messages, attachments] = await Promise.all([
    deps.tickets.messages(ticket.id),
    deps.channels.attachmentRecords.list(ticket.id),
  ]);
  return page(
    200,
    statusPage(l, {
      config,
      ticket,
      messages: messages.filter((m) => m.public),
      attachments: attachments.filter((a) => !a.inline),
      email,
      canReply: canReply(ticket),
      nonce: newNonce(),
      report: await portalReport(ticket, l, { number, email }, deps, {
        timeZone: config.timeZone,
        ...(ratingError ? { error: ratingError } : {}),
      }),
      ...(notice ? { notice } : {}),
      ...(alert ? { alert } : {}),
      ...(ticket.status === 'closed' && !alert ? { alert: t.closedNotice } : {}),
    }),
    config,
  );
}

/** Domain errors as a portal page in the visitor's language (never JSON, never a stack trace). */
export async function asPortalPage(
  request: PortalRequest,
  back: '/portal' | '/portal/status',
  run: () => Promise<PortalPage> | PortalPage,
): Promise<PortalPage> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const l: Lang = lang(request);
    const t = portalText[l];
    const status =
      error.kind === 'too_large'
        ? 413
        : error.kind === 'rate_limited'
          ? 429
          : error.kind === 'not_found'
            ? 404
            : 400;
    const message = status === 413 ? t.tooLarge : status === 429 ? t.tooMany : t.invalid;
    return page(status, errorPage(l, message, back), defaultPortalConfig);
  }
}
