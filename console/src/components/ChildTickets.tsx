import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Form,
  Grid,
  Input,
  List,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { ApiError, type AuditEvent, type Priority, type Status, type Ticket } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';
import { link } from '../Shell.tsx';
import { hasRole } from '../session.ts';

/** An action on the ticket, run by the ticket view (its version, the 412 flow, the refresh). */
interface Action {
  label: string;
  run: (version: number) => Promise<unknown>;
  onDone?: () => void;
}
type Perform = (action: Action) => Promise<void>;

type Child = Ticket['children'][number];

/** A move the API refused because children are still open: where it was going and which children. */
export interface ChildrenRefusal {
  to: Status;
  /** The resolution summary the refused resolve carried; a forced resolve sends it again. */
  summary?: string;
  open: Pick<Child, 'id' | 'number' | 'team' | 'status' | 'assignee'>[];
}

/** The refusal in a failed transition, if open children caused it (`TICKET.OPEN_CHILDREN`). */
export function childrenRefusal(error: unknown, to: Status, summary?: string): ChildrenRefusal | null {
  if (!(error instanceof ApiError) || error.code !== 'TICKET.OPEN_CHILDREN') return null;
  return {
    to,
    ...(summary ? { summary } : {}),
    open: (error.details.openChildren as ChildrenRefusal['open'] | undefined) ?? [],
  };
}

const active: readonly Status[] = ['new', 'open', 'pending'];
const ticketHref = (id: string) => `${import.meta.env.BASE_URL}tickets/${id}`;

/**
 * On a child ticket: the way back to its parent. The parent's number comes from the child's own `created`
 * event (the history the ticket view reads anyway), so showing it costs no read of the parent — a read
 * that would be audited as a view of it.
 */
export function ParentLink({ ticket }: { ticket: Ticket }) {
  const { api } = useApp();
  const { t } = useI18n();
  const history = useQuery({
    queryKey: ['history', ticket.id],
    queryFn: () => api.get<{ items: AuditEvent[] }>(`/tickets/${ticket.id}/history`).then((r) => r.items),
    enabled: !!ticket.parentId,
  });
  if (!ticket.parentId) return null;
  const created = history.data?.find((e) => e.type === 'created');
  const parentNumber = typeof created?.data.parentNumber === 'string' ? created.data.parentNumber : null;
  return (
    <Space size={4} wrap data-testid="parent-link">
      <Tag color="purple">{t('child_isChild')}</Tag>
      <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
        {t('child_parent')}:
      </Typography.Text>
      <a href={ticketHref(ticket.parentId)} onClick={link(`/tickets/${ticket.parentId}`)}>
        {parentNumber ?? t('child_parent')}
      </a>
    </Space>
  );
}

interface NewChild {
  team: string;
  subject: string;
  description: string;
  assignee?: string;
  priority?: Priority;
}

/**
 * The children panel of a ticket: each child's number (a link), subject, team, status and assignee;
 * "new child ticket" for staff while the ticket is active; and, when a resolve was refused because
 * children are open, those children named, with "force resolve with reason" for supervisors and admins.
 */
export function ChildTicketsPanel({
  ticket,
  perform,
  refusal,
  onRefusalClose,
}: {
  ticket: Ticket;
  perform: Perform;
  refusal: ChildrenRefusal | null;
  onRefusalClose: () => void;
}) {
  const { api, session } = useApp();
  const { t, lang } = useI18n();
  const directory = useDirectory();
  const screens = Grid.useBreakpoint();
  const [creating, setCreating] = useState(false);
  const [forcing, setForcing] = useState(false);
  const [form] = Form.useForm<NewChild>();
  const [forceForm] = Form.useForm<{ reason: string }>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const team = Form.useWatch('team', form);
  const staff = hasRole(session, 'agent', 'supervisor', 'admin');
  const mayForce = hasRole(session, 'supervisor', 'admin');
  const canCreate = staff && active.includes(ticket.status);

  const teamName = (id: string | null) => {
    const found = directory.data?.teams.find((x) => x.id === id);
    return found ? (lang === 'zh' ? found.name : found.nameEn) : (id ?? '—');
  };
  const agentName = (id: string | null) =>
    id ? (directory.data?.agents.find((a) => a.id === id)?.name ?? id) : t('unassigned');
  const children = ticket.children ?? [];
  const openCount = children.filter((c) => active.includes(c.status)).length;

  const create = async (values: NewChild) => {
    try {
      await perform({
        label: t('child_created'),
        run: () => api.send('POST', `/tickets/${ticket.id}/children`, clean(values)),
      });
      setErrors({});
      form.resetFields();
      setCreating(false);
    } catch (error) {
      if (error instanceof ApiError) {
        const byField: Record<string, string> = {};
        for (const f of error.fields) byField[f.path] = f.message;
        if (!error.fields.length) byField.team = error.message;
        setErrors(byField);
      }
    }
  };

  const force = async ({ reason }: { reason: string }) => {
    if (!refusal) return;
    try {
      await perform({
        label: t('child_forced'),
        run: (version) =>
          api.send(
            'POST',
            `/tickets/${ticket.id}/transitions`,
            { to: refusal.to, force: true, reason, summary: refusal.summary ?? reason },
            version,
          ),
      });
      forceForm.resetFields();
      setForcing(false);
      onRefusalClose();
    } catch {
      // perform showed the error; the dialog stays open with the reason typed.
    }
  };

  const fieldProps = (name: keyof NewChild) => ({
    validateStatus: errors[name] ? ('error' as const) : undefined,
    help: errors[name],
  });

  return (
    <Card
      title={
        <Space>
          {t('child_title')}
          {children.length > 0 && (
            <Tag color={openCount ? 'orange' : 'green'}>
              {openCount ? t('child_openCount').replace('{n}', String(openCount)) : t('child_allDone')}
            </Tag>
          )}
        </Space>
      }
      data-testid="children-panel"
    >
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        {canCreate && (
          <Button data-action="new-child" onClick={() => setCreating(true)}>
            {t('child_new')}
          </Button>
        )}
        {refusal && (
          <Alert
            type="warning"
            showIcon
            role="alert"
            message={t('child_refusedTitle')}
            description={
              <Space direction="vertical" size={4}>
                <span>{t('child_refusedBody')}</span>
                <Space wrap size={4}>
                  {refusal.open.map((c) => (
                    <a key={c.id} href={ticketHref(c.id)} onClick={link(`/tickets/${c.id}`)}>
                      <Tag color="orange">
                        {c.number} · {teamName(c.team)} · {t(c.status)}
                      </Tag>
                    </a>
                  ))}
                </Space>
              </Space>
            }
            action={
              <Space direction="vertical">
                {mayForce && (
                  <Button size="small" danger data-action="force-resolve" onClick={() => setForcing(true)}>
                    {t('child_force')}
                  </Button>
                )}
                <Button size="small" onClick={onRefusalClose}>
                  {t('cancel')}
                </Button>
              </Space>
            }
          />
        )}
        {children.length && !screens.md ? (
          <List
            size="small"
            dataSource={children}
            renderItem={(c) => (
              <List.Item key={c.id}>
                <Space direction="vertical" size={2}>
                  <Space wrap size={6}>
                    <a href={ticketHref(c.id)} onClick={link(`/tickets/${c.id}`)}>
                      {c.number}
                    </a>
                    <Tag
                      color={active.includes(c.status) ? 'processing' : 'success'}
                      data-child-status={c.status}
                    >
                      {t(c.status)}
                    </Tag>
                  </Space>
                  <Typography.Text>{c.subject}</Typography.Text>
                  <Typography.Text type="secondary">
                    {teamName(c.team)} · {agentName(c.assignee)}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        ) : children.length ? (
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            scroll={{ x: 'max-content' }}
            dataSource={children}
            columns={[
              {
                title: t('number'),
                dataIndex: 'number',
                render: (_: string, c: Child) => (
                  <a href={ticketHref(c.id)} onClick={link(`/tickets/${c.id}`)}>
                    {c.number}
                  </a>
                ),
              },
              { title: t('subject'), dataIndex: 'subject' },
              { title: t('team'), dataIndex: 'team', render: (v: string | null) => teamName(v) },
              {
                title: t('status'),
                dataIndex: 'status',
                render: (s: Status) => (
                  <Tag color={active.includes(s) ? 'processing' : 'success'} data-child-status={s}>
                    {t(s)}
                  </Tag>
                ),
              },
              { title: t('assignee'), dataIndex: 'assignee', render: (v: string | null) => agentName(v) },
            ]}
          />
        ) : (
          <Typography.Text type="secondary">{t('child_none')}</Typography.Text>
        )}
      </Space>

      <Modal
        open={creating}
        title={t('child_new')}
        onCancel={() => {
          setCreating(false);
          setErrors({});
        }}
        onOk={() => form.submit()}
        okText={t('confirm')}
        cancelText={t('cancel')}
        destroyOnHidden
      >
        <Form
          form={form}
          name="new-child"
          layout="vertical"
          onFinish={create}
          onValuesChange={() => setErrors({})}
        >
          <Form.Item
            name="team"
            label={t('team')}
            rules={[{ required: true, message: t('child_required') }]}
            {...fieldProps('team')}
          >
            <Select
              showSearch
              optionFilterProp="label"
              options={(directory.data?.teams ?? []).map((x) => ({
                value: x.id,
                label: lang === 'zh' ? x.name : x.nameEn,
              }))}
            />
          </Form.Item>
          <Form.Item
            name="subject"
            label={t('subject')}
            rules={[{ required: true, whitespace: true, message: t('child_required') }]}
            {...fieldProps('subject')}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="description"
            label={t('child_description')}
            rules={[{ required: true, whitespace: true, message: t('child_required') }]}
            {...fieldProps('description')}
          >
            <Input.TextArea rows={4} maxLength={20_000} />
          </Form.Item>
          <Form.Item name="assignee" label={t('child_assigneeOptional')} {...fieldProps('assignee')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t('child_assigneeHint')}
              options={(directory.data?.agents ?? [])
                .filter((a) => !team || a.teams.includes(team))
                .map((a) => ({ value: a.id, label: `${a.name} · ${t(a.availability)}` }))}
            />
          </Form.Item>
          <Form.Item name="priority" label={t('child_priorityOptional')} {...fieldProps('priority')}>
            <Select
              allowClear
              placeholder={t('child_priorityHint')}
              options={(['urgent', 'high', 'normal', 'low'] as const).map((p) => ({ value: p, label: t(p) }))}
            />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={forcing}
        title={t('child_forceTitle')}
        onCancel={() => setForcing(false)}
        onOk={() => forceForm.submit()}
        okText={t('child_force')}
        okButtonProps={{ danger: true }}
        cancelText={t('cancel')}
        destroyOnHidden
      >
        <Typography.Paragraph>
          {t('child_forceBody').replace('{numbers}', (refusal?.open ?? []).map((c) => c.number).join(', '))}
        </Typography.Paragraph>
        <Form form={forceForm} name="force-resolve" layout="vertical" onFinish={force}>
          <Form.Item
            name="reason"
            label={t('child_forceReason')}
            rules={[{ required: true, whitespace: true, message: t('child_required') }]}
          >
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

/** The request without the optional fields left empty. */
function clean(values: NewChild) {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined && v !== '' && v !== null),
  );
}
