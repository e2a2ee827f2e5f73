import { Card, Descriptions, Form, Input, Modal, Rate, Typography } from 'antd';
import { useState } from 'react';
import { ApiError, type Ticket } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';

/** An action on the ticket, run by the ticket view (its version, the 412 flow, the refresh). */
interface Action {
  label: string;
  run: (version: number) => Promise<unknown>;
  onDone?: () => void;
}
type Perform = (action: Action) => Promise<void>;

const shownAt = (iso: string, lang: 'zh' | 'en') =>
  new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });

/**
 * The resolve action's dialog: what was done is required (the customer reads it in the closing report,
 * docs/closing-report.md). The API's field errors show next to the field; a refusal for open children
 * goes back to the ticket view (`onRefused`) with the summary, so a forced resolve can carry it.
 */
export function ResolveDialog({
  ticket,
  open,
  onClose,
  perform,
  onRefused,
}: {
  ticket: Ticket;
  open: boolean;
  onClose: () => void;
  perform: Perform;
  onRefused: (error: unknown, summary: string) => void;
}) {
  const { t } = useI18n();
  const { api } = useApp();
  const [form] = Form.useForm<{ summary: string }>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async ({ summary }: { summary: string }) => {
    setBusy(true);
    try {
      await perform({
        label: t('to_resolved'),
        run: (version) =>
          api.send('POST', `/tickets/${ticket.id}/transitions`, { to: 'resolved', summary }, version),
      });
      form.resetFields();
      setError(null);
      onClose();
    } catch (caught) {
      const field = caught instanceof ApiError ? caught.fields.find((f) => f.path === 'summary') : undefined;
      if (field) setError(t('resolve_required'));
      else {
        onClose();
        onRefused(caught, summary);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('resolve_title')}
      okText={t('resolve_ok')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-action': 'confirm-resolve' } as Record<string, string>}
      destroyOnHidden
    >
      <Form form={form} name="resolve" layout="vertical" onFinish={submit} requiredMark>
        <Form.Item
          name="summary"
          label={t('resolve_summary')}
          extra={t('resolve_summaryHint')}
          rules={[{ required: true, whitespace: true, message: t('resolve_required') }]}
          {...(error ? { validateStatus: 'error' as const, help: error } : {})}
        >
          <Input.TextArea
            autoFocus
            rows={4}
            maxLength={4000}
            showCount
            onChange={() => setError(null)}
            data-testid="resolution-summary-input"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The resolution (what was done, by whom, when) and the customer's rating, once there are any. */
export function ResolutionCard({ ticket }: { ticket: Ticket }) {
  const { t, lang } = useI18n();
  const directory = useDirectory();
  const resolution = ticket.resolution;
  const rating = ticket.feedback?.rating ?? null;
  if (!resolution && !rating) return null;
  const byName = (id: string) => directory.data?.agents.find((a) => a.id === id)?.name;
  return (
    <Card title={t('report_title')} data-testid="resolution-card">
      <Descriptions column={1} size="small">
        {resolution && (
          <Descriptions.Item label={t('resolve_summary')}>
            <div>
              <Typography.Paragraph
                style={{ whiteSpace: 'pre-wrap', marginBottom: 4 }}
                data-testid="resolution-summary"
              >
                {resolution.summary}
              </Typography.Paragraph>
              <Typography.Text type="secondary">
                {resolution.byName ?? byName(resolution.by) ?? resolution.by} · {shownAt(resolution.at, lang)}
              </Typography.Text>
            </div>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('report_rating')}>
          {rating ? (
            <div data-testid="customer-rating">
              <Rate disabled value={rating.score} aria-label={`${rating.score} / 5`} />
              <Typography.Text strong style={{ marginLeft: 8 }}>
                {rating.score} / 5
              </Typography.Text>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>
                {rating.comment || t('report_noComment')}
              </Typography.Paragraph>
              <Typography.Text type="secondary">{shownAt(rating.at, lang)}</Typography.Text>
            </div>
          ) : (
            <Typography.Text type="secondary">{t('report_noRating')}</Typography.Text>
          )}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
