import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml } from '#shared/channels/portal/html.ts';
import {
  confirmationPage,
  errorPage,
  intakeForm,
  lookupForm,
  pageHeaders,
  portalHeaders,
  statusPage,
} from '#shared/channels/portal/portal-pages.ts';
import { langOf } from '#shared/channels/portal/portal-text.ts';
import { defaultPortalConfig } from '#shared/domain/portal/portal-config.ts';
import type { Message } from '#shared/domain/ticket/message.ts';
import type { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { ticket as baseTicket } from '../../fixtures/tickets.ts';

const xss = `"><script>alert('x')</script><img src=x onerror=alert(1)>\`&`;

/** Elements the payload would have produced had any of it survived unescaped. */
const injected = /<script|<img/i;

/** The one script the intake form loads: the portal's own file (upload progress), never inline. */
const ownScript = /<script src="\/portal\/assets\/upload\.js\?v=[0-9a-f]{12}" defer><\/script>/;

/** No part of the page is the raw payload, and no element came out of it. */
const expectEscaped = (markup: string) => {
  const page = markup.replace(ownScript, '');
  expect(page).not.toContain(xss);
  expect(page).not.toContain(`"><script>`);
  expect(page).not.toMatch(injected);
};

/** A ticket whose every customer-written field carries the payload. */
const ticket = (overrides: Partial<Ticket> = {}): Ticket =>
  baseTicket({
    id: '01TICKET',
    number: 'GD-000042',
    subject: xss,
    description: xss,
    status: 'open',
    customer: { email: 'zhao@example.com', name: xss, tier: 'standard' },
    createdBy: 'portal',
    updatedAt: '2026-11-20T09:00:00.000Z',
    version: 3,
    ...overrides,
  });

const message = (author: Message['author'], body = xss): Message => ({
  id: `M${Math.random()}`,
  ticketId: '01TICKET',
  body,
  public: true,
  author,
  channel: 'web',
  at: '2026-11-20T08:30:00.000Z',
});

describe('escapeHtml()', () => {
  it('escapes the characters that end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\``)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;',
    );
  });

  it('drops control characters but keeps tabs and line breaks', () => {
    expect(escapeHtml('a\u0000b\u0007c\td\ne\r\n')).toBe('abc\td\ne\r\n');
  });

  it('turns anything into text', () => {
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml(null)).toBe('null');
  });
});

describe('html``', () => {
  it('escapes every interpolation', () => {
    expect(html`<p title="${xss}">${xss}</p>`.value).toBe(
      `<p title="${escapeHtml(xss)}">${escapeHtml(xss)}</p>`,
    );
    expectEscaped(html`<p title="${xss}">${xss}</p>`.value);
  });

  it('keeps nested templates as markup and renders arrays item by item', () => {
    const items = ['<b>', 'ok'];
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.value).toBe(
      '<ul><li>&lt;b&gt;</li><li>ok</li></ul>',
    );
  });

  it('renders null, undefined and false as nothing, and 0 as 0', () => {
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('is the only way to make SafeHtml from text, besides the explicit constructor', () => {
    expect(html`${new SafeHtml('<i>trusted</i>')}`.value).toBe('<i>trusted</i>');
  });
});

describe('portal pages', () => {
  it('escape a payload in every intake field, the error messages and the alert', () => {
    // Act
    const page = intakeForm(
      'zh',
      'nonce-1234567890abcdef',
      { subject: xss, description: xss, name: xss, email: xss, phone: xss, category: xss, location: xss },
      { subject: xss, email: xss },
      xss,
    );

    // Assess
    expectEscaped(page);
    expect(page).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
  });

  it('escape the ticket, the thread, participants and attachment names on the status page', () => {
    // Act
    const page = statusPage('en', {
      ticket: ticket(),
      messages: [
        message({ id: 'portal:zhao', role: 'customer', email: 'zhao@example.com', name: xss }),
        message({ id: 'email:boss', role: 'customer', email: 'boss@example.com', name: xss }),
        message({ id: 'u1', role: 'agent', name: xss }),
      ],
      attachments: [
        {
          ticketId: '01TICKET',
          filename: xss,
          contentType: 'text/html',
          size: 3,
          sha256: 'a'.repeat(64),
          inline: false,
          storageKey: 'k',
          channel: 'web',
          at: '2026-11-20T08:00:00.000Z',
        },
      ],
      email: xss,
      canReply: true,
      nonce: 'nonce-1234567890abcdef',
      notice: xss,
      alert: xss,
    });

    // Assess
    expectEscaped(page);
    expect(page).toContain('id="ticket-number">GD-000042<');
    expect(page).toContain('aria-current="step">Open<');
  });

  it('escape what the lookup form, the confirmation and the error page echo', () => {
    expectEscaped(lookupForm('zh', { number: xss, email: xss }, xss));
    expectEscaped(confirmationPage('en', ticket({ number: xss })));
    expectEscaped(errorPage('zh', xss, '/portal'));
  });

  it('are usable on a phone and allow exactly their own stylesheet, and no inline script', () => {
    // Act
    const page = intakeForm('en', 'nonce-1234567890abcdef');
    const formHeaders = portalHeaders(defaultPortalConfig, { script: true });
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;

    // Assess
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<html lang="en">');
    expect(pageHeaders['content-security-policy']).toContain(
      `style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`,
    );
    expect(pageHeaders['content-security-policy']).toMatch(/^default-src 'none';/);
    expect(pageHeaders['content-security-policy']).not.toContain('script-src');
    // The intake form loads the upload-progress script from the portal itself, and nothing inline.
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toMatch(ownScript);
    expect(formHeaders['content-security-policy']).toContain("script-src 'self'; connect-src 'self'");
    expect(formHeaders['content-security-policy']).not.toContain('unsafe');
    expect(lookupForm('en')).not.toContain('<script');
  });

  it('hide the honeypot from people but not from bots', () => {
    const page = intakeForm('zh', 'nonce-1234567890abcdef');
    expect(page).toMatch(/<div class="hp" aria-hidden="true">[\s\S]*name="website" tabindex="-1"/);
  });

  it('hide the reply form on a ticket that cannot take replies', () => {
    const page = statusPage('zh', {
      ticket: ticket({ status: 'closed' }),
      messages: [],
      attachments: [],
      email: 'zhao@example.com',
      canReply: false,
      nonce: 'nonce-1234567890abcdef',
    });
    expect(page).not.toContain('name="reply"');
  });
});

describe('langOf()', () => {
  it('prefers the explicit choice, then Accept-Language, then Chinese', () => {
    expect(langOf('en', 'zh-CN')).toBe('en');
    expect(langOf(undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(langOf(undefined, 'zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(langOf('fr', undefined)).toBe('zh');
  });
});
