import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import type { ShownField, SourceStatus } from '../../../shared/domain/customer360/customer-lookup.ts';
import type { Customer360View } from '../../../shared/use-cases/customer-360.ts';
import type { Ticket } from '../api.ts';
import { useApp } from '../app-context.ts';
import { type Lang, useI18n } from '../i18n.tsx';

const statusColor: Record<SourceStatus, string> = {
  ok: 'success',
  timeout: 'warning',
  error: 'error',
  malformed: 'volcano',
  not_mapped: 'default',
};

const locale = (lang: Lang) => (lang === 'zh' ? 'zh-CN' : 'en-GB');

function dateText(iso: string, lang: Lang) {
  // A date-only value is a calendar day (a contract's last day): shown as that day, not shifted by zone.
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  return new Date(dateOnly ? `${iso}T00:00:00Z` : iso).toLocaleDateString(locale(lang), {
    dateStyle: 'medium',
    ...(dateOnly ? { timeZone: 'UTC' } : {}),
  } as Intl.DateTimeFormatOptions);
}

function FieldValue({ field }: { field: ShownField }) {
  const { t, lang } = useI18n();
  const { value } = field;
  if (value === null || value === '') return <>—</>;
  if (field.format === 'date' && typeof value === 'string') {
    const past = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59Z` : value) < Date.now();
    return (
      <Space size={4}>
        <span>{dateText(value, lang)}</span>
        {past && <Tag color="error">{t('c360_expired')}</Tag>}
      </Space>
    );
  }
  if (field.format === 'money' && typeof value === 'number') {
    return (
      <>
        {new Intl.NumberFormat(locale(lang), {
          style: field.currency ? 'currency' : 'decimal',
          ...(field.currency ? { currency: field.currency } : {}),
        }).format(value)}
      </>
    );
  }
  if (Array.isArray(value)) {
    if (!value.length) return <Typography.Text type="secondary">{t('c360_empty')}</Typography.Text>;
    return (
      <ul style={{ margin: 0, paddingInlineStart: 18 }}>
        {value.map((item, i) => (
          // Items are display strings; two equal repairs on one day are still two rows.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is read-only and never reordered
          <li key={i}>{item}</li>
        ))}
      </ul>
    );
  }
  return <>{String(value)}</>;
}

/**
 * The customer as other systems know them (docs/integrations.md, "Customer 360"): each configured
 * source with its status, its fields (contract validity, past repairs…) and when it was fetched; one
 * source failing shows as that source's tag, never as the panel's failure. Refresh asks every source
 * again, past the cache.
 */
export function Customer360Panel({ ticket }: { ticket: Ticket }) {
  const { t, lang, format } = useI18n();
  const { api } = useApp();
  const queryClient = useQueryClient();
  const [refreshing, setRefreshing] = useState(false);
  const key = ['customer-360', ticket.id];
  const view = useQuery({
    queryKey: key,
    queryFn: () => api.get<Customer360View>(`/tickets/${ticket.id}/customer-360`),
    staleTime: 60_000,
  });

  const refresh = async () => {
    setRefreshing(true);
    try {
      const fresh = await api.get<Customer360View>(`/tickets/${ticket.id}/customer-360`, { refresh: 'true' });
      queryClient.setQueryData(key, fresh);
    } finally {
      setRefreshing(false);
    }
  };

  const ids = Object.entries(view.data?.customer.externalIds ?? {});
  return (
    <Card
      title={t('c360_title')}
      loading={view.isLoading}
      extra={
        <Button size="small" loading={refreshing} onClick={refresh}>
          {t('c360_refresh')}
        </Button>
      }
    >
      {view.isError && <Alert type="error" showIcon message={t('c360_failed')} />}
      {view.data && (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          {ids.length > 0 && (
            <Typography.Text type="secondary">
              {t('c360_ids')}: {ids.map(([system, id]) => `${system} ${id}`).join(' · ')}
            </Typography.Text>
          )}
          {view.data.sources.length === 0 && (
            <Typography.Text type="secondary">{t('c360_none')}</Typography.Text>
          )}
          {view.data.sources.map((source) => (
            <section key={source.name} aria-label={source.title[lang]}>
              <Space size={6} wrap style={{ marginBottom: 6 }}>
                <Typography.Text strong>{source.title[lang]}</Typography.Text>
                <Tag color={statusColor[source.status]}>{t(`c360_status_${source.status}`)}</Tag>
                {source.cached && <Tag>{t('c360_cached')}</Tag>}
                <Tooltip title={new Date(source.fetchedAt).toLocaleString(locale(lang))}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {format('c360_fetchedAt', {
                      at: new Date(source.fetchedAt).toLocaleTimeString(locale(lang), { timeStyle: 'short' }),
                    })}
                  </Typography.Text>
                </Tooltip>
              </Space>
              {source.status === 'not_mapped' && (
                <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
                  {t('c360_notMappedHint')}
                </Typography.Paragraph>
              )}
              {source.message && source.status !== 'ok' && source.status !== 'not_mapped' && (
                // The other system's failure in the words the server logged it with: for the admin to act on.
                <Typography.Paragraph type="secondary" style={{ marginBottom: 0, fontSize: 12 }}>
                  {source.message}
                </Typography.Paragraph>
              )}
              {source.fields.length > 0 && (
                <Descriptions column={1} size="small">
                  {source.fields.map((field) => (
                    <Descriptions.Item key={field.label.en} label={field.label[lang]}>
                      <FieldValue field={field} />
                    </Descriptions.Item>
                  ))}
                </Descriptions>
              )}
            </section>
          ))}
        </Space>
      )}
    </Card>
  );
}
