import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Drawer,
  Empty,
  Form,
  Grid,
  Input,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import type { EventName } from '../../../shared/events/catalogue.ts';
import type { DeliveryBody, SubscriptionBody } from '../../../shared/http/webhooks-out-schemas.ts';
import { ApiError } from '../api.ts';
import { useApp } from '../app-context.ts';
import { useFieldErrors } from '../components/field-errors.tsx';
import { useI18n } from '../i18n.tsx';

type Subscription = import('zod').infer<typeof SubscriptionBody>;
type Delivery = import('zod').infer<typeof DeliveryBody>;
type DeliveryStatus = Delivery['status'];

/** Every event Gongdan publishes (tsc fails here when the catalogue gains or loses one). */
const eventTypes = Object.keys({
  'ticket.created': 1,
  'ticket.assigned': 1,
  'ticket.status_changed': 1,
  'ticket.replied': 1,
  'ticket.resolved': 1,
  'ticket.closed': 1,
  'ticket.rated': 1,
  'ticket.child_created': 1,
  'ticket.merged': 1,
  'sla.warning': 1,
  'sla.breached': 1,
  'sla.escalated': 1,
  'sla.timer_degraded': 1,
  'sla.timer_restored': 1,
  'approval.requested': 1,
  'approval.decided': 1,
  'approval.delegated': 1,
  'approval.nudged': 1,
  'import.completed': 1,
  'insight.spike_detected': 1,
} satisfies Record<EventName, 1>) as EventName[];

const listKey = ['integrations', 'webhooks'];
const statusColor: Record<DeliveryStatus, string> = {
  pending: 'processing',
  delivered: 'success',
  failed: 'warning',
  dead: 'error',
};
const circuitColor = { closed: 'success', open: 'error', 'half-open': 'warning' } as const;

interface FormValues {
  name: string;
  url: string;
  description?: string;
  types: string[];
  pattern: string;
  secret?: string;
  enabled: boolean;
}

const patternFor = (types: string[]) => JSON.stringify({ 'detail-type': types }, null, 2);
/** The detail-types a pattern names as plain values, for the picker. */
function typesOf(pattern: unknown): string[] {
  const list = (pattern as Record<string, unknown> | null)?.['detail-type'];
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Admin › Integrations: the outbound webhook subscriptions (docs/integrations.md, "Outbound webhooks"),
 * each with its endpoint's circuit; create and edit them (pattern JSON, an event-type picker, a
 * write-only secret), switch them on and off, and read each one's delivery log, redriving dead letters.
 */
export default function AdminIntegrations() {
  const { t } = useI18n();
  const { api } = useApp();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const phone = !(Grid.useBreakpoint().md ?? true);
  const list = useQuery({
    queryKey: listKey,
    queryFn: () => api.get<{ subscriptions: Subscription[] }>('/integrations/webhooks'),
  });
  const [editing, setEditing] = useState<Subscription | 'new' | null>(null);
  const [log, setLog] = useState<string | null>(null);

  const toggle = useMutation({
    mutationFn: (s: Subscription) =>
      api.send('PUT', `/integrations/webhooks/${s.name}`, {
        url: s.url,
        events: s.events,
        ...(s.description ? { description: s.description } : {}),
        enabled: !s.enabled,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
    onError: () => message.error(t('wh_failed')),
  });
  const remove = useMutation({
    mutationFn: (name: string) => api.send('DELETE', `/integrations/webhooks/${name}`),
    onSuccess: () => {
      message.success(t('wh_deleted'));
      return client.invalidateQueries({ queryKey: listKey });
    },
  });

  const subscriptions = list.data?.subscriptions ?? [];
  const actions = (s: Subscription) => (
    <Space wrap>
      <Button size="small" onClick={() => setLog(s.name)}>
        {t('wh_deliveries')}
      </Button>
      <Button size="small" onClick={() => setEditing(s)}>
        {t('wh_edit')}
      </Button>
      <Popconfirm
        title={t('wh_deleteConfirm')}
        onConfirm={() => remove.mutate(s.name)}
        okText={t('wh_delete')}
        cancelText={t('wh_cancel')}
      >
        <Button size="small" danger>
          {t('wh_delete')}
        </Button>
      </Popconfirm>
    </Space>
  );
  return (
    <Card
      title={t('wh_title')}
      extra={
        <Button type="primary" onClick={() => setEditing('new')}>
          {t('wh_new')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('wh_hint')}</Typography.Paragraph>
      {list.isError ? <Alert type="error" showIcon title={t('wh_loadFailed')} /> : null}
      <Table<Subscription>
        rowKey="name"
        loading={list.isLoading}
        dataSource={subscriptions}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('wh_empty')} /> }}
        columns={[
          {
            title: t('wh_name'),
            dataIndex: 'name',
            render: (name: string, s) => (
              <Space direction="vertical" size={phone ? 6 : 0}>
                <Typography.Text strong>{name}</Typography.Text>
                {s.description ? <Typography.Text type="secondary">{s.description}</Typography.Text> : null}
                {phone ? actions(s) : null}
              </Space>
            ),
          },
          ...(phone
            ? []
            : [
                {
                  title: t('wh_url'),
                  dataIndex: 'url',
                  render: (url: string) => <Typography.Text code>{url}</Typography.Text>,
                },
                {
                  title: t('wh_events'),
                  key: 'events',
                  render: (_: unknown, s: Subscription) => {
                    const types = typesOf(s.events);
                    return types.length ? (
                      types.map((type) => <Tag key={type}>{type}</Tag>)
                    ) : (
                      <Typography.Text code>{JSON.stringify(s.events).slice(0, 60)}</Typography.Text>
                    );
                  },
                },
              ]),
          {
            title: t('wh_circuit'),
            key: 'circuit',
            render: (_: unknown, s) => (
              <Tag color={circuitColor[s.circuit.state]}>{t(`wh_circuit_${s.circuit.state}`)}</Tag>
            ),
          },
          {
            title: t('wh_enabled'),
            key: 'enabled',
            render: (_: unknown, s) => (
              <Switch
                checked={s.enabled}
                aria-label={`${t('wh_enabled')} ${s.name}`}
                loading={toggle.isPending && toggle.variables?.name === s.name}
                onChange={() => toggle.mutate(s)}
              />
            ),
          },
          ...(phone
            ? []
            : [
                {
                  title: t('wh_actions'),
                  key: 'actions',
                  render: (_: unknown, s: Subscription) => actions(s),
                },
              ]),
        ]}
      />
      {editing ? (
        <SubscriptionForm
          initial={editing === 'new' ? null : editing}
          phone={phone}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            return client.invalidateQueries({ queryKey: listKey });
          }}
        />
      ) : null}
      {log ? <DeliveryLog name={log} phone={phone} onClose={() => setLog(null)} /> : null}
    </Card>
  );
}

function SubscriptionForm(props: {
  initial: Subscription | null;
  phone: boolean;
  onClose: () => void;
  onSaved: () => unknown;
}) {
  const { t } = useI18n();
  const { api } = useApp();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const { show, fieldError, clear } = useFieldErrors();
  const [saving, setSaving] = useState(false);
  const [patternProblem, setPatternProblem] = useState<string | null>(null);
  const initial = props.initial;

  const save = async (values: FormValues) => {
    clear();
    let events: unknown;
    try {
      events = JSON.parse(values.pattern);
    } catch {
      setPatternProblem(t('wh_badJson'));
      return;
    }
    setPatternProblem(null);
    setSaving(true);
    try {
      await api.send('PUT', `/integrations/webhooks/${initial?.name ?? values.name.trim()}`, {
        url: values.url.trim(),
        events,
        ...(values.description?.trim() ? { description: values.description.trim() } : {}),
        ...(values.secret ? { secret: values.secret } : {}),
        enabled: values.enabled,
      });
      message.success(t('wh_saved'));
      await props.onSaved();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.fields.length) show(error);
      else message.error(error.status === 400 ? error.message : t('wh_failed'));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer
      open
      title={initial ? `${t('wh_edit')} · ${initial.name}` : t('wh_new')}
      width={props.phone ? '100%' : 560}
      onClose={props.onClose}
      extra={
        <Button type="primary" loading={saving} onClick={() => form.submit()}>
          {t('wh_save')}
        </Button>
      }
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{
          name: initial?.name ?? '',
          url: initial?.url ?? 'https://',
          description: initial?.description ?? '',
          types: initial ? typesOf(initial.events) : ['ticket.resolved'],
          pattern: initial ? JSON.stringify(initial.events, null, 2) : patternFor(['ticket.resolved']),
          enabled: initial?.enabled ?? true,
        }}
      >
        {initial ? null : (
          <Form.Item
            label={t('wh_name')}
            name="name"
            rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9-]{0,62}$/, message: t('wh_nameRule') }]}
            {...fieldError('name')}
          >
            <Input placeholder="crm-cases" />
          </Form.Item>
        )}
        <Form.Item label={t('wh_url')} name="url" rules={[{ required: true }]} {...fieldError('url')}>
          <Input placeholder="https://crm.example.com/hooks/gongdan" />
        </Form.Item>
        <Form.Item label={t('wh_description')} name="description" {...fieldError('description')}>
          <Input />
        </Form.Item>
        <Form.Item label={t('wh_types')} name="types" extra={t('wh_typesHint')}>
          <Select
            mode="multiple"
            options={eventTypes.map((e) => ({ value: e, label: e }))}
            onChange={(types: string[]) => form.setFieldValue('pattern', patternFor(types))}
          />
        </Form.Item>
        <Form.Item
          label={t('wh_pattern')}
          name="pattern"
          rules={[{ required: true }]}
          {...(patternProblem
            ? { validateStatus: 'error' as const, help: patternProblem }
            : fieldError('events'))}
        >
          <Input.TextArea rows={6} spellCheck={false} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item
          label={t('wh_secret')}
          name="secret"
          extra={initial ? `${t('wh_secretKeep')} (${initial.secretHint})` : t('wh_secretHint')}
          rules={initial ? [] : [{ required: true, min: 16, message: t('wh_secretRule') }]}
          {...fieldError('secret')}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item label={t('wh_enabled')} name="enabled" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

function DeliveryLog(props: { name: string; phone: boolean; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { api } = useApp();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const key = ['integrations', 'webhooks', props.name, 'deliveries', status];
  const log = useQuery({
    queryKey: key,
    queryFn: () =>
      api.get<{ deliveries: Delivery[] }>(`/integrations/webhooks/${props.name}/deliveries`, {
        status: status || undefined,
        limit: '100',
      }),
    refetchInterval: 5000,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['integrations', 'webhooks', props.name] });
  const redrive = useMutation({
    mutationFn: (id: string) =>
      api.send('POST', `/integrations/webhooks/${props.name}/deliveries/${encodeURIComponent(id)}/redrive`),
    onSuccess: () => {
      message.success(t('wh_redriven'));
      return refresh();
    },
    onError: () => message.error(t('wh_failed')),
  });
  const redriveAll = useMutation({
    mutationFn: () =>
      api.send<{ redriven: number }>('POST', `/integrations/webhooks/${props.name}/dead-letters/redrive`),
    onSuccess: (r) => {
      message.success(`${t('wh_redriven')}: ${r.body.redriven}`);
      return refresh();
    },
  });
  const time = (iso?: string) =>
    iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) : '—';

  return (
    <Drawer
      open
      title={`${t('wh_deliveries')} · ${props.name}`}
      width={props.phone ? '100%' : 880}
      onClose={props.onClose}
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Select<DeliveryStatus | ''>
          aria-label={t('wh_status')}
          value={status}
          onChange={setStatus}
          style={{ width: 160 }}
          options={[
            { value: '', label: t('wh_all') },
            ...(['pending', 'delivered', 'failed', 'dead'] as const).map((s) => ({
              value: s,
              label: t(`wh_status_${s}`),
            })),
          ]}
        />
        <Button onClick={() => redriveAll.mutate()} loading={redriveAll.isPending}>
          {t('wh_redriveAll')}
        </Button>
      </Space>
      <Table<Delivery>
        rowKey="id"
        size="small"
        loading={log.isLoading}
        dataSource={log.data?.deliveries ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('wh_noDeliveries')} /> }}
        expandable={{
          expandedRowRender: (d) => (
            <Table
              rowKey="at"
              size="small"
              pagination={false}
              dataSource={d.attempts}
              columns={[
                { title: t('wh_at'), dataIndex: 'at', render: time },
                { title: t('wh_code'), dataIndex: 'statusCode', render: (c?: number) => c ?? '—' },
                { title: t('wh_duration'), dataIndex: 'durationMs', render: (ms: number) => `${ms} ms` },
                { title: t('wh_error'), dataIndex: 'error', render: (e?: string) => e ?? '' },
              ]}
            />
          ),
        }}
        columns={[
          { title: t('wh_event'), dataIndex: 'eventType' },
          {
            title: t('wh_status'),
            dataIndex: 'status',
            render: (s: DeliveryStatus, d) => (
              <Space size={4}>
                <Tag color={statusColor[s]}>{t(`wh_status_${s}`)}</Tag>
                {d.deferredReason === 'circuit-open' ? <Tag>{t('wh_deferred')}</Tag> : null}
              </Space>
            ),
          },
          { title: t('wh_created'), dataIndex: 'createdAt', render: time },
          { title: t('wh_attempts'), key: 'attempts', render: (_: unknown, d) => d.attempts.length },
          {
            title: t('wh_last'),
            key: 'last',
            render: (_: unknown, d) => {
              const last = d.attempts.at(-1);
              return last ? `${last.statusCode ?? last.error ?? ''} · ${last.durationMs} ms` : '—';
            },
          },
          { title: t('wh_next'), dataIndex: 'nextAttemptAt', render: time },
          {
            title: t('wh_actions'),
            key: 'redrive',
            render: (_: unknown, d) =>
              d.status === 'dead' || d.status === 'failed' ? (
                <Button size="small" onClick={() => redrive.mutate(d.id)}>
                  {t('wh_redrive')}
                </Button>
              ) : null,
          },
        ]}
      />
    </Drawer>
  );
}
