import { createHash } from 'node:crypto';
import type { AttachmentRecord } from '../../domain/intake/intake.ports.ts';
import { defaultPortalConfig, type PortalConfig } from '../../domain/portal/portal-config.ts';
import { samePhone } from '../../domain/ticket/customer-contact.ts';
import { type Status, statusLabels } from '../../domain/ticket/lifecycle.ts';
import type { Message } from '../../domain/ticket/message.ts';
import type { Ticket } from '../../domain/ticket/ticket.entity.ts';
import { html, SafeHtml } from './html.ts';
import { type Lang, portalCategories, portalText } from './portal-text.ts';
import { customerTime } from './portal-time.ts';
import { uploadScriptPath } from './upload-script.ts';

/** Small, mobile-first, no external assets; allowed by the page's CSP through its hash. */
const css = `
*{box-sizing:border-box}body{margin:0;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#0b5cad;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
header a{color:#fff;text-decoration:none}header nav a{margin-left:1rem}.brand{font-weight:600}
main{max-width:44rem;margin:0 auto;padding:1rem}section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
h1{font-size:1.35rem;margin:.25rem 0 .75rem}h2{font-size:1.1rem;margin:.5rem 0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,select,textarea{width:100%;font:inherit;padding:.55rem .6rem;border:1px solid #8c959f;border-radius:6px;background:#fff}
textarea{min-height:8rem}button{margin-top:1rem;font:inherit;font-weight:600;padding:.65rem 1.4rem;border:0;border-radius:6px;background:#0b5cad;color:#fff;width:100%}
@media(min-width:40rem){button{width:auto}}.hint{color:#57606a;font-size:.9rem}.error{color:#b42318;font-size:.9rem;margin:.25rem 0 0}
.notice{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:.6rem .8rem}.alert{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:.6rem .8rem}
.number{font-size:1.6rem;font-weight:700;letter-spacing:.04em}.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
ol.steps{list-style:none;display:flex;gap:.25rem;padding:0;margin:.5rem 0;flex-wrap:wrap}ol.steps li{flex:1 1 5rem;text-align:center;padding:.35rem .25rem;border-radius:4px;background:#eaeef2;font-size:.85rem}
ol.steps li.done{background:#b6e3ff}ol.steps li.current{background:#0b5cad;color:#fff;font-weight:600}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:.5rem 0}dt{color:#57606a}dd{margin:0}
.message{border-top:1px solid #d0d7de;padding:.6rem 0}.message .who{font-weight:600}.message .when{color:#57606a;font-size:.85rem}
.message p{white-space:pre-wrap;overflow-wrap:anywhere;margin:.35rem 0}ul.files{padding-left:1.2rem}
button.reject{background:#b42318;margin-left:.5rem}@media(max-width:40rem){button.reject{margin-left:0}}
.brand img{height:2rem;max-width:8rem;object-fit:contain;vertical-align:middle;margin-right:.5rem;background:#fff;border-radius:4px;padding:2px}
.phone{white-space:nowrap}footer{max-width:44rem;margin:0 auto;padding:0 1rem 2rem;color:#57606a;font-size:.85rem}footer a{color:#0b5cad}
.expect{background:#ddf4ff;border:1px solid #54aeff;border-radius:6px;padding:.6rem .8rem}
ul.progress{list-style:none;padding:0;margin:.5rem 0}ul.progress li{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center;font-size:.9rem;margin:.25rem 0}
ul.progress .name{flex:1 1 10rem;overflow-wrap:anywhere}ul.progress progress{flex:1 1 8rem;height:.9rem}ul.progress .pct{min-width:3rem;text-align:right}
fieldset.score{border:0;padding:0;margin:.75rem 0}fieldset.score legend{font-weight:600;margin-bottom:.25rem}
label.choice{display:flex;align-items:center;gap:.6rem;font-weight:400;margin:.3rem 0;padding:.5rem .6rem;border:1px solid #d0d7de;border-radius:6px;min-height:2.75rem}label.choice input{width:auto;margin:0}
`;
const cssHash = createHash('sha256').update(css).digest('base64');
/** The stylesheet is a constant of this module, never input, so it is the one markup made by hand. */
const stylesheet = new SafeHtml(css);

/** Security headers of every portal page: a strict CSP (no scripts at all), no caching, no framing. */
export const pageHeaders = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${cssHash}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The origin a configured logo URL is loaded from (validated https), for the CSP's `img-src`. */
const logoOrigin = (config: PortalConfig) =>
  !config.logoImage && config.logoUrl ? new URL(config.logoUrl).origin : null;

/**
 * The headers of a portal page under the portal's configuration: `img-src` also allows the configured
 * logo's origin (and nothing else); a page with the upload script allows scripts from the portal itself
 * (`script-src 'self'`, no inline script) and its upload request (`connect-src 'self'`).
 */
export function portalHeaders(config: PortalConfig, options: { script?: boolean } = {}) {
  const origin = logoOrigin(config);
  return {
    ...pageHeaders,
    'content-security-policy': [
      "default-src 'none'",
      `style-src 'sha256-${cssHash}'`,
      `img-src 'self'${origin ? ` ${origin}` : ''}`,
      ...(options.script ? ["script-src 'self'", "connect-src 'self'"] : []),
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

/** The company's name in the page's language: configured, or the default brand. */
export const brandName = (lang: Lang, config: PortalConfig) =>
  config.companyName[lang] ?? portalText[lang].brand;

const logo = (config: PortalConfig) => {
  const src = config.logoImage ? `/portal/assets/logo?v=${config.version}` : config.logoUrl;
  return src ? html`<img src="${src}" alt="" id="brand-logo">` : null;
};

const phoneHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

function footer(lang: Lang, config: PortalConfig) {
  const t = portalText[lang];
  const note = config.privacyNote[lang] ?? t.privacyDefault;
  return html`<footer id="portal-footer">
${config.servicePhone ? html`<p>${t.servicePhone}: <a class="phone" href="${phoneHref(config.servicePhone)}">${config.servicePhone}</a></p>` : null}
<p id="privacy-note">${note}${config.privacyUrl ? html` <a href="${config.privacyUrl}" rel="noopener">${t.privacyLink}</a>` : null}</p>
</footer>`;
}

const otherLang = (lang: Lang): Lang => (lang === 'zh' ? 'en' : 'zh');

export function layout(
  lang: Lang,
  title: string,
  body: SafeHtml,
  /** The portal page this is (its language switch links back to it); null: a page outside the portal's navigation. */
  here: '/portal' | '/portal/status' | null,
  config: PortalConfig = defaultPortalConfig,
  options: { script?: boolean } = {},
): string {
  const t = portalText[lang];
  const brand = brandName(lang, config);
  return html`<!doctype html>
<html lang="${t.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · ${brand}</title>
<style>${stylesheet}</style>
${options.script ? html`<script src="${uploadScriptPath}" defer></script>` : null}
</head>
<body>
<header><a class="brand" id="brand" href="/portal?lang=${lang}">${logo(config)}<span id="brand-name">${brand}</span></a>
${here ? html`<nav><a href="/portal?lang=${lang}">${t.newRequest}</a><a href="/portal/status?lang=${lang}">${t.trackRequest}</a><a href="${here}?lang=${otherLang(lang)}" hreflang="${portalText[otherLang(lang)].htmlLang}">${t.other}</a></nav>` : null}</header>
<main>${body}</main>
${footer(lang, config)}
</body>
</html>
`.value;
}

/**
 * A page outside the portal's navigation (an approval or rating link's): the same stylesheet, headers,
 * brand and footer, without the portal's menu.
 */
export const bareLayout = (lang: Lang, title: string, body: SafeHtml, config?: PortalConfig): string =>
  layout(lang, title, body, null, config);

const honeypot = (lang: Lang) =>
  html`<div class="hp" aria-hidden="true"><label for="website">${portalText[lang].honeypot}</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>`;

const fieldError = (errors: Record<string, string>, field: string) =>
  errors[field] ? html`<p class="error" id="${field}-error">${errors[field]}</p>` : null;

const described = (errors: Record<string, string>, field: string) =>
  errors[field] ? html` aria-invalid="true" aria-describedby="${field}-error"` : null;

export interface IntakeValues {
  subject?: string;
  description?: string;
  name?: string;
  email?: string;
  phone?: string;
  category?: string;
  location?: string;
  product?: string;
  region?: string;
}

/** The intake form. `nonce` makes a resubmission (reload, double click) open one ticket only. */
export function intakeForm(
  lang: Lang,
  nonce: string,
  values: IntakeValues = {},
  errors: Record<string, string> = {},
  alert?: string,
  config: PortalConfig = defaultPortalConfig,
): string {
  const t = portalText[lang];
  const input = (field: keyof IntakeValues, label: string, attrs: SafeHtml, required = false) => html`
<label for="${field}">${label}${required ? ' *' : ''}</label>
<input id="${field}" name="${field}" value="${values[field] ?? ''}"${attrs}${required ? html` required` : null}${described(errors, field)}>
${fieldError(errors, field)}`;
  return layout(
    lang,
    t.formTitle,
    html`<section>
<h1>${t.formTitle}</h1>
<p class="hint">${t.formIntro}</p>
${alert ? html`<p class="alert" role="alert">${alert}</p>` : null}
<form method="post" action="/portal" enctype="multipart/form-data" id="intake" data-uploading="${t.uploading}" data-upload-failed="${t.uploadFailed}">
<input type="hidden" name="nonce" value="${nonce}">
<input type="hidden" name="lang" value="${lang}">
${input('subject', t.subject, html` maxlength="200"`, true)}
<label for="description">${t.description} *</label>
<textarea id="description" name="description" maxlength="20000" required${described(errors, 'description')}>${values.description ?? ''}</textarea>
${fieldError(errors, 'description')}
<label for="category">${t.category}</label>
<select id="category" name="category"${described(errors, 'category')}>
<option value="">${t.chooseCategory}</option>
${portalCategories.map(
  (c) =>
    html`<option value="${c.value}"${values.category === c.value ? html` selected` : null}>${c[lang]}</option>`,
)}
</select>
${fieldError(errors, 'category')}
${input('name', t.name, html` maxlength="120" autocomplete="name"`)}
<p class="hint" id="contact-hint">${t.contactHint}</p>
${input('email', t.email, html` type="email" maxlength="254" autocomplete="email" aria-describedby="contact-hint"`)}
${input('phone', t.phone, html` type="tel" maxlength="40" autocomplete="tel" aria-describedby="contact-hint"`)}
${input('location', t.location, html` maxlength="300"`)}
${input('product', t.product, html` maxlength="100"`)}
${input('region', t.region, html` maxlength="60" autocomplete="address-level1"`)}
<label for="attachments">${t.attachments}</label>
<input id="attachments" name="attachments" type="file" multiple>
${fieldError(errors, 'attachments')}
<ul class="progress" id="upload-progress" aria-live="polite"></ul>
${honeypot(lang)}
<button type="submit">${t.submit}</button>
</form>
</section>`,
    '/portal',
    config,
    { script: true },
  );
}

/** "We will reply by …": the first response's due time from the ticket's SLA, in the customer's zone. */
function expectedReply(lang: Lang, ticket: Pick<Ticket, 'sla' | 'firstRespondedAt'>, config: PortalConfig) {
  const due = ticket.sla?.firstResponseDueAt;
  if (!due || ticket.firstRespondedAt) return null;
  const t = portalText[lang];
  return html`<p class="expect" id="expected-response">${t.expectReplyBefore} ${when(due, lang, config)}${t.expectReplyAfter}</p>`;
}

export function confirmationPage(
  lang: Lang,
  ticket: Pick<Ticket, 'number' | 'sla' | 'customer' | 'firstRespondedAt'> | null,
  config: PortalConfig = defaultPortalConfig,
): string {
  const t = portalText[lang];
  // A bot that filled the honeypot is thanked like anyone else, but gets no number.
  if (!ticket) {
    return layout(
      lang,
      t.receivedTitle,
      html`<section><h1>${t.receivedTitle}</h1><p>${t.receivedText}</p></section>`,
      '/portal',
      config,
    );
  }
  return layout(
    lang,
    t.submittedTitle,
    html`<section>
<h1>${t.submittedTitle}</h1>
<p>${t.submittedText}</p>
<p class="number" id="ticket-number">${ticket.number}</p>
${expectedReply(lang, ticket, config)}
<p class="hint">${ticket.customer.email ? t.submittedHint : t.submittedHintSms}</p>
${config.servicePhone ? html`<p class="hint">${t.urgentCall} <a class="phone" href="${phoneHref(config.servicePhone)}">${config.servicePhone}</a></p>` : null}
<p><a href="/portal/status?lang=${lang}&amp;number=${encodeURIComponent(ticket.number)}">${t.trackRequest}</a></p>
</section>`,
    '/portal',
    config,
  );
}

export function lookupForm(
  lang: Lang,
  values: { number?: string; email?: string } = {},
  alert?: string,
  config: PortalConfig = defaultPortalConfig,
): string {
  const t = portalText[lang];
  return layout(
    lang,
    t.lookupTitle,
    html`<section>
<h1>${t.lookupTitle}</h1>
<p class="hint">${t.lookupIntro}</p>
${alert ? html`<p class="alert" role="alert">${alert}</p>` : null}
<form method="post" action="/portal/status">
<input type="hidden" name="action" value="lookup">
<input type="hidden" name="lang" value="${lang}">
<label for="number">${t.number} *</label>
<input id="number" name="number" value="${values.number ?? ''}" placeholder="GD-000123" maxlength="20" autocapitalize="characters" required>
<label for="email">${t.emailOrPhone} *</label>
<input id="email" name="email" value="${values.email ?? ''}" maxlength="254" autocomplete="email" required>
<button type="submit">${t.lookup}</button>
</form>
</section>`,
    '/portal/status',
    config,
  );
}

const steps: Status[] = ['new', 'open', 'pending', 'resolved', 'closed'];

function when(iso: string, lang: Lang, config: PortalConfig) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return html`<time datetime="${d.toISOString()}">${customerTime(d, lang, config.timeZone)}</time>`;
}

export interface StatusView {
  ticket: Ticket;
  /** Public messages only, oldest first. */
  messages: Message[];
  attachments: AttachmentRecord[];
  /** The address or phone number the customer looked it up with (kept in the reply form). */
  email: string;
  /** The portal's branding and time zone (defaults when absent). */
  config?: PortalConfig;
  /** Whether a reply is possible (not closed, not resolved past the reopen window). */
  canReply: boolean;
  notice?: string;
  alert?: string;
  /** A fresh nonce for the reply form (a double submit records one reply). */
  nonce: string;
  /** A resolved ticket's closing report and rating form (`channels/portal-report.ts`). */
  report?: SafeHtml | null;
}

export function statusPage(lang: Lang, view: StatusView): string {
  const t = portalText[lang];
  const { ticket } = view;
  const config = view.config ?? defaultPortalConfig;
  const current = steps.indexOf(ticket.status);
  const isCustomer = (address: string) =>
    address.toLowerCase() === ticket.customer.email?.toLowerCase() ||
    (address.startsWith('tel:') && samePhone(address.slice(4), ticket.customer.phone));
  const author = (m: Message) =>
    m.author.role === 'customer'
      ? m.author.email && !isCustomer(m.author.email)
        ? (m.author.name ?? m.author.email)
        : t.you
      : `${t.support}${m.author.name ? ` · ${m.author.name}` : ''}`;
  return layout(
    lang,
    `${ticket.number} · ${t.status}`,
    html`<section>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : null}
${view.alert ? html`<p class="alert" role="alert">${view.alert}</p>` : null}
<h1><span id="ticket-number">${ticket.number}</span> · ${ticket.subject}</h1>
<dl>
<dt>${t.status}</dt><dd id="ticket-status">${statusLabels[ticket.status][lang]}</dd>
<dt>${t.created}</dt><dd>${when(ticket.createdAt, lang, config)}</dd>
<dt>${t.updated}</dt><dd>${when(ticket.updatedAt, lang, config)}</dd>
</dl>
${ticket.status === 'closed' || ticket.status === 'resolved' ? null : expectedReply(lang, ticket, config)}
<h2>${t.progress}</h2>
<ol class="steps" aria-label="${t.progress}">
${steps.map(
  (s, i) =>
    html`<li class="${i === current ? 'current' : i < current ? 'done' : ''}"${i === current ? html` aria-current="step"` : null}>${statusLabels[s][lang]}</li>`,
)}
</ol>
<p class="description">${ticket.description}</p>
${
  view.attachments.length
    ? html`<h2>${t.attachmentsOnTicket}</h2><ul class="files">${view.attachments.map((a) => html`<li>${a.filename}</li>`)}</ul>`
    : null
}
</section>
${view.report ?? null}
<section>
<h2>${t.thread}</h2>
${view.messages.length ? null : html`<p class="hint">${t.noMessages}</p>`}
${view.messages.map(
  (m) =>
    html`<article class="message"><span class="who">${author(m)}</span> <span class="when">${when(m.at, lang, config)}</span><p>${m.body}</p></article>`,
)}
</section>
${
  view.canReply
    ? html`<section>
<form method="post" action="/portal/status">
<input type="hidden" name="action" value="reply">
<input type="hidden" name="lang" value="${lang}">
<input type="hidden" name="number" value="${ticket.number}">
<input type="hidden" name="email" value="${view.email}">
<input type="hidden" name="nonce" value="${view.nonce}">
<label for="reply">${t.reply}</label>
<textarea id="reply" name="reply" maxlength="20000" required></textarea>
${honeypot(lang)}
<button type="submit">${t.sendReply}</button>
</form>
</section>`
    : null
}`,
    '/portal/status',
    config,
  );
}

export function errorPage(
  lang: Lang,
  message: string,
  back: '/portal' | '/portal/status',
  config: PortalConfig = defaultPortalConfig,
): string {
  const t = portalText[lang];
  return layout(
    lang,
    t.errorTitle,
    html`<section><h1>${t.errorTitle}</h1><p class="alert" role="alert">${message}</p><p><a href="${back}?lang=${lang}">${t.back}</a></p></section>`,
    back,
    config,
  );
}
