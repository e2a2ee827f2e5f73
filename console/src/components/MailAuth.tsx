import { Alert, Tag, Tooltip } from 'antd';
import type { Message, Ticket } from '../api.ts';
import { useI18n } from '../i18n.tsx';

type MailAuth = NonNullable<Message['mailAuth']>;
type Check = MailAuth['spf'];

const mark: Record<Check, string> = { pass: '✓', fail: '✗', gray: '–' };
const checks = (auth: Pick<MailAuth, 'spf' | 'dkim' | 'dmarc'>) =>
  `SPF ${mark[auth.spf]} DKIM ${mark[auth.dkim]} DMARC ${mark[auth.dmarc]}`;

/** SPF/DKIM/DMARC of a mail as a small tag: green when it passed, red with a warning when it failed. */
export function MailAuthTag({ auth }: { auth: MailAuth }) {
  const { t } = useI18n();
  const failed = auth.verdict === 'fail';
  return (
    <Tooltip title={t('mailAuth_title')}>
      <Tag
        color={failed ? 'red' : auth.verdict === 'pass' ? 'green' : 'default'}
        data-mail-auth={auth.verdict}
        // A phone is narrower than the warning: let it wrap instead of running off the card.
        style={{ whiteSpace: 'normal', maxWidth: '100%' }}
      >
        {failed ? `⚠ ${t('mailAuth_failed')} · ${checks(auth)}` : checks(auth)}
      </Tag>
    </Tooltip>
  );
}

/** Reads `spf=pass dkim=fail dmarc=gray` (the custom field a mail that opened a ticket leaves). */
function parseLine(line: unknown): Pick<MailAuth, 'spf' | 'dkim' | 'dmarc'> | null {
  if (typeof line !== 'string') return null;
  const of = (name: string): Check | null => {
    const value = new RegExp(`${name}=(pass|fail|gray)`).exec(line)?.[1];
    return (value as Check | undefined) ?? null;
  };
  const spf = of('spf');
  const dkim = of('dkim');
  const dmarc = of('dmarc');
  return spf && dkim && dmarc ? { spf, dkim, dmarc } : null;
}

/**
 * The verdicts of the mail that opened a ticket (its custom fields), and for a quarantined one a warning
 * naming the ticket it claimed to belong to. Nothing for tickets that did not come by mail.
 */
export function TicketMailAuth({ ticket }: { ticket: Ticket }) {
  const { t, format } = useI18n();
  const fields = ticket.customFields ?? {};
  const verdict = fields.mailAuth;
  const parsed = parseLine(fields.mailAuthResults);
  if ((verdict !== 'pass' && verdict !== 'fail' && verdict !== 'neutral') || !parsed) return null;
  return (
    <>
      <MailAuthTag auth={{ ...parsed, verdict }} />
      {verdict === 'fail' && (
        <Alert
          type="error"
          showIcon
          style={{ margin: '8px 0 12px' }}
          message={
            typeof fields.mailAuthClaimed === 'string'
              ? format('mailAuth_quarantined', { number: fields.mailAuthClaimed })
              : t('mailAuth_quarantinedNoClaim')
          }
        />
      )}
    </>
  );
}
