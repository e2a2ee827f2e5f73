import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  Divider,
  Drawer,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { type HTMLAttributes, useEffect, useRef, useState } from 'react';
import { ApiError, type Availability, type FieldIssue } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';

const channels = ['web', 'email', 'api', 'webhook', 'event', 'import', 'phone'] as const;
const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
const zones = Intl.supportedValuesOf('timeZone');
const zoneOptions = (zones.includes('UTC') ? zones : ['UTC', ...zones]).map((z) => ({ value: z, label: z }));
const availabilityColour: Record<Availability, string> = {
  online: 'green',
  away: 'gold',
  offline: 'default',
};

interface Shift {
  timeZone: string;
  windows: { days: number[]; start: string; end: string }[];
}

/** An agent as `GET /agents` lists it: the profile an admin sets plus routing's live state. */
interface AgentRecord {
  id: string;
  name: string;
  email?: string;
  phone?: string;
  teams: string[];
  skills: Record<string, number>;
  languages: string[];
  capacity: { max: number; perChannel: Partial<Record<string, number>> };
  level: number;
  fieldEngineer: boolean;
  availability: Availability;
  shift: Shift | null;
  location: { lat: number; lng: number; address?: string } | null;
  /** Who decides in their place on approvals they leave waiting past the delegation deadline. */
  delegate?: string | null;
  load: { total: number };
  lastAssignedAt: string | null;
  /** The profile's version (sent back as If-Match), and who last wrote it when. */
  profileVersion?: number;
  updatedAt?: string;
  updatedBy?: { id: string; name?: string } | null;
}

/** The form's values, named like the API's paths where the shapes agree. */
interface FormValues {
  id: string;
  name: string;
  email?: string;
  phone?: string;
  teams: string[];
  skills: { name?: string; level?: number | null }[];
  languages: string[];
  capacity: { max: number | null };
  perChannel: { channel?: string; max?: number | null }[];
  level: number;
  fieldEngineer: boolean;
  hasShift: boolean;
  shift: { timeZone: string; windows: { days?: number[]; start?: string; end?: string }[] };
  location: { lat?: number | null; lng?: number | null; address?: string };
  delegate?: string | null;
}

const officeHours: FormValues['shift'] = {
  timeZone: 'Asia/Shanghai',
  windows: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }],
};

const blank = (s: string | undefined) => !s?.trim();

function toForm(agent: AgentRecord | null): FormValues {
  if (!agent) {
    return {
      id: '',
      name: '',
      teams: [],
      skills: [],
      languages: ['zh'],
      capacity: { max: 5 },
      perChannel: [],
      level: 1,
      fieldEngineer: false,
      hasShift: false,
      shift: officeHours,
      location: {},
      delegate: null,
    };
  }
  return {
    id: agent.id,
    name: agent.name,
    email: agent.email ?? '',
    phone: agent.phone ?? '',
    teams: agent.teams,
    skills: Object.entries(agent.skills).map(([name, level]) => ({ name, level })),
    languages: agent.languages,
    capacity: { max: agent.capacity.max },
    perChannel: Object.entries(agent.capacity.perChannel).map(([channel, max]) => ({ channel, max })),
    level: agent.level,
    fieldEngineer: agent.fieldEngineer,
    hasShift: !!agent.shift,
    shift: agent.shift ?? officeHours,
    location: agent.location ?? {},
    delegate: agent.delegate ?? null,
  };
}

/**
 * The `PUT /agents/{id}` body: the whole profile as edited. Values go as typed (no clamping), so the
 * API's 400 names what is wrong. Live load and `lastAssignedAt` belong to routing, and availability
 * to the agent (left out, it is kept), so none of them is sent.
 */
function toBody(v: FormValues) {
  const { lat, lng, address } = v.location ?? {};
  const hasLocation = lat != null || lng != null || !blank(address);
  return {
    name: v.name ?? '',
    ...(blank(v.email) ? {} : { email: v.email!.trim() }),
    ...(blank(v.phone) ? {} : { phone: v.phone!.trim() }),
    teams: v.teams ?? [],
    skills: Object.fromEntries((v.skills ?? []).map((s) => [(s.name ?? '').trim(), s.level ?? null])),
    languages: v.languages ?? [],
    capacity: {
      max: v.capacity?.max ?? null,
      perChannel: Object.fromEntries((v.perChannel ?? []).map((c) => [c.channel ?? '', c.max ?? null])),
    },
    level: v.level,
    fieldEngineer: !!v.fieldEngineer,
    shift: v.hasShift
      ? {
          timeZone: v.shift.timeZone,
          windows: (v.shift.windows ?? []).map((w) => ({
            days: w.days ?? [],
            start: (w.start ?? '').trim(),
            end: (w.end ?? '').trim(),
          })),
        }
      : null,
    location: hasLocation
      ? { lat: lat ?? null, lng: lng ?? null, ...(blank(address) ? {} : { address: address!.trim() }) }
      : null,
    delegate: v.delegate || null,
  };
}

/**
 * Where in the form an API field path belongs, as the form's own path: `skills.billing` is the row
 * holding that skill, `teams.0` the teams select. Null for a path no input shows.
 */
function formPathOf(issue: FieldIssue, v: FormValues): string | null {
  const { path, code } = issue;
  const head = path.split('.')[0] ?? '';
  if (['id', 'name', 'email', 'phone', 'level', 'fieldEngineer', 'delegate'].includes(path)) return path;
  if (head === 'teams' || head === 'languages') return head;
  if (path === 'capacity' || path === 'capacity.max') return 'capacity.max';
  if (path.startsWith('capacity.perChannel.')) {
    const channel = path.slice('capacity.perChannel.'.length);
    const row = (v.perChannel ?? []).findIndex((c) => (c.channel ?? '') === channel);
    if (row >= 0) return `perChannel.${row}.${code === 'invalid_key' ? 'channel' : 'max'}`;
    return 'perChannel';
  }
  if (head === 'capacity') return 'perChannel';
  if (path.startsWith('skills.')) {
    const skill = path.slice('skills.'.length);
    const row = (v.skills ?? []).findIndex((s) => (s.name ?? '').trim() === skill);
    if (row >= 0) return `skills.${row}.${code === 'invalid_key' ? 'name' : 'level'}`;
  }
  if (head === 'skills') return 'skills';
  if (path === 'shift.timeZone') return path;
  const window = path.match(/^shift\.windows\.(\d+)\.(days|start|end)/);
  if (window) return `shift.windows.${window[1]}.${window[2]}`;
  if (head === 'shift') return 'shift.windows';
  const location = path.match(/^location\.(lat|lng|address)/);
  if (location) return `location.${location[1]}`;
  if (head === 'location') return 'location.lat';
  return null;
}

type Editing = { agent: AgentRecord | null; key: number };

/**
 * Agents as a table and a form per agent: teams, skills with proficiency, languages, capacity, level,
 * field work, shift and location. The API's field errors appear beside their inputs. A profile is saved
 * with If-Match of the version read, so an edit made meanwhile by someone else is a 412, explained.
 */
export default function AdminAgents() {
  const { api } = useApp();
  const { t, lang, format } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const directory = useDirectory();
  const [form] = Form.useForm<FormValues>();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<{ conflict: boolean; text: string; unplaced: FieldIssue[] } | null>(
    null,
  );
  const [saving, setSaving] = useState(false);
  const hasShift = Form.useWatch('hasShift', form);
  const formBox = useRef<HTMLDivElement>(null);
  // The first input the API named may be far down the drawer: bring it into view once it shows.
  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    formBox.current?.querySelector('.ant-form-item-has-error')?.scrollIntoView({ block: 'center' });
  }, [errors]);
  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: () => api.get<{ items: AgentRecord[] }>('/agents').then((r) => r.items),
    refetchInterval: 15_000,
  });

  const teamName = (id: string) => {
    const team = directory.data?.teams.find((x) => x.id === id);
    return team ? (lang === 'zh' ? team.name : (team.nameEn ?? team.name)) : id;
  };
  const teamOptions = (directory.data?.teams ?? []).map((x) => ({ value: x.id, label: teamName(x.id) }));
  const languageOptions = ['zh', 'en', 'zh-CN', 'zh-HK', 'zh-TW', 'ja', 'ko'].map((l) => ({
    value: l,
    label: l,
  }));
  const channelOptions = channels.map((c) => ({ value: c, label: t(`agents_ch_${c}`) }));
  const levelOptions = [1, 2, 3].map((l) => ({ value: l, label: t(`agents_level${l}`) }));
  const dayOptions = weekdays.map((d) => ({ value: d, label: t(`agents_day${d}`) }));

  const open = (agent: AgentRecord | null) => {
    setErrors({});
    setProblem(null);
    setEditing({ agent, key: Date.now() });
  };

  const save = async (values: FormValues) => {
    const creating = !editing?.agent;
    const id = creating ? values.id.trim() : editing!.agent!.id;
    setSaving(true);
    try {
      const version = creating ? undefined : editing!.agent!.profileVersion;
      await api.send('PUT', `/agents/${encodeURIComponent(id)}`, toBody(values), version);
      setErrors({});
      setProblem(null);
      setEditing(null);
      message.success(creating ? t('agents_created') : t('saved'));
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['agents'] }),
        queryClient.invalidateQueries({ queryKey: ['directory'] }),
      ]);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const byField: Record<string, string> = {};
      const unplaced: FieldIssue[] = [];
      for (const issue of error.fields) {
        const at = formPathOf(issue, values);
        if (at === null) unplaced.push(issue);
        else byField[at] = byField[at] ? `${byField[at]}; ${issue.message}` : issue.message;
      }
      setErrors(byField);
      const conflict = error.status === 409 || error.status === 412;
      setProblem({
        conflict,
        text: conflict
          ? `${t('agents_conflict')}: ${error.message}`
          : error.fields.length
            ? t('agents_invalid')
            : error.message,
        unplaced,
      });
    } finally {
      setSaving(false);
    }
  };

  /** The API's message for a form path, as Form.Item props. */
  const fieldError = (...path: (string | number)[]) => {
    const message = errors[path.join('.')];
    return message ? { validateStatus: 'error' as const, help: message } : {};
  };

  if (agents.isLoading) return <Card loading />;
  if (agents.isError) return <Alert type="error" showIcon title={agents.error.message} />;
  const rows = agents.data ?? [];
  const current = editing?.agent ?? null;

  return (
    <>
      <Card>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Row justify="space-between" align="middle" gutter={[12, 12]}>
            <Col>
              <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
                {t('agents_title')}
              </Typography.Title>
              <Typography.Text type="secondary">{t('agents_hint')}</Typography.Text>
            </Col>
            <Col>
              <Button type="primary" onClick={() => open(null)} data-action="new-agent">
                {t('agents_new')}
              </Button>
            </Col>
          </Row>
          <Table<AgentRecord>
            rowKey="id"
            size="small"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 1100 }}
            onRow={(r) => ({ 'data-agent': r.id }) as HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t('agents_name'),
                key: 'name',
                width: 150,
                render: (_, r) => (
                  <Space orientation="vertical" size={0}>
                    <Typography.Text strong>{r.name}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {r.id}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('agents_teams'),
                key: 'teams',
                width: 170,
                render: (_, r) => (
                  <Space size={[0, 4]} wrap>
                    {r.teams.map((team) => (
                      <Tag key={team} color="blue">
                        {teamName(team)}
                      </Tag>
                    ))}
                  </Space>
                ),
              },
              {
                title: t('agents_skills'),
                key: 'skills',
                render: (_, r) => (
                  <Space size={[0, 4]} wrap data-skills={r.id}>
                    {Object.entries(r.skills).map(([skill, level]) => (
                      <Tag key={skill}>{`${skill}·${level}`}</Tag>
                    ))}
                  </Space>
                ),
              },
              {
                title: t('agents_capacityShort'),
                key: 'capacity',
                width: 90,
                align: 'right',
                render: (_, r) => <span data-capacity={r.id}>{r.capacity.max}</span>,
              },
              {
                title: t('agents_level'),
                dataIndex: 'level',
                width: 120,
                render: (level: number) => t(`agents_level${level}`),
              },
              {
                title: t('availability'),
                dataIndex: 'availability',
                width: 120,
                render: (a: Availability) => <Tag color={availabilityColour[a]}>{t(a)}</Tag>,
              },
              {
                title: t('agents_location'),
                key: 'location',
                width: 200,
                ellipsis: true,
                render: (_, r) =>
                  r.location ? (
                    <span title={`${r.location.lat}, ${r.location.lng}`}>
                      {r.location.address ?? `${r.location.lat}, ${r.location.lng}`}
                    </span>
                  ) : (
                    '—'
                  ),
              },
              {
                title: t('actions'),
                key: 'edit',
                width: 90,
                fixed: 'right',
                render: (_, r) => (
                  <Button size="small" onClick={() => open(r)} aria-label={`${t('agents_edit')} ${r.name}`}>
                    {t('agents_edit')}
                  </Button>
                ),
              },
            ]}
          />
        </Space>
        <Drawer
          open={!!editing}
          onClose={() => setEditing(null)}
          size={Math.min(760, window.innerWidth)}
          destroyOnHidden
          title={current ? format('agents_editTitle', { name: current.name }) : t('agents_new')}
          footer={
            <Space>
              <Button type="primary" loading={saving} onClick={() => form.submit()} data-action="save-agent">
                {t('save')}
              </Button>
              <Button onClick={() => setEditing(null)}>{t('cancel')}</Button>
            </Space>
          }
        >
          {editing && (
            <div ref={formBox}>
              <Form<FormValues>
                key={editing.key}
                form={form}
                layout="vertical"
                initialValues={toForm(current)}
                onFinish={save}
                data-agent-form={current?.id ?? 'new'}
              >
                {current?.profileVersion !== undefined && (
                  <Typography.Paragraph type="secondary" data-version={current.profileVersion}>
                    {t('version')} {current.profileVersion}
                    {current.updatedAt
                      ? ` · ${t('updatedBy')}: ${current.updatedBy?.name ?? current.updatedBy?.id ?? 'Gongdan'} · ${new Date(current.updatedAt).toLocaleString()}`
                      : ''}
                  </Typography.Paragraph>
                )}
                {problem && (
                  <Alert
                    type={problem.conflict ? 'warning' : 'error'}
                    showIcon
                    role="alert"
                    style={{ marginBottom: 16 }}
                    title={problem.text}
                    description={
                      problem.unplaced.length ? (
                        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                          {problem.unplaced.map((f) => (
                            <li key={`${f.path}:${f.message}`}>
                              {f.path}: {f.message}
                            </li>
                          ))}
                        </ul>
                      ) : problem.conflict ? (
                        <Button
                          size="small"
                          onClick={async () => {
                            await queryClient.invalidateQueries({ queryKey: ['agents'] });
                            const fresh = queryClient
                              .getQueryData<AgentRecord[]>(['agents'])
                              ?.find((a) => a.id === current?.id);
                            open(fresh ?? current);
                          }}
                        >
                          {t('reload')}
                        </Button>
                      ) : undefined
                    }
                  />
                )}
                <Row gutter={12}>
                  <Col xs={24} md={12}>
                    <Form.Item
                      name="id"
                      label={t('agents_id')}
                      extra={current ? undefined : t('agents_idHint')}
                      rules={
                        current
                          ? []
                          : [
                              { required: true, whitespace: true, message: t('agents_idRequired') },
                              {
                                validator: async (_, value: string) => {
                                  if (rows.some((a) => a.id === value?.trim()))
                                    throw new Error(t('agents_idTaken'));
                                },
                              },
                            ]
                      }
                      {...fieldError('id')}
                    >
                      <Input aria-label={t('agents_id')} disabled={!!current} autoComplete="off" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name="name" label={t('agents_name')} {...fieldError('name')}>
                      <Input aria-label={t('agents_name')} autoComplete="off" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name="email" label={t('agents_email')} {...fieldError('email')}>
                      <Input aria-label={t('agents_email')} type="email" autoComplete="off" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name="phone" label={t('agents_phone')} {...fieldError('phone')}>
                      <Input aria-label={t('agents_phone')} type="tel" autoComplete="off" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name="teams" label={t('agents_teams')} {...fieldError('teams')}>
                      <Select
                        mode="multiple"
                        aria-label={t('agents_teams')}
                        options={teamOptions}
                        allowClear
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item
                      name="languages"
                      label={t('agents_languages')}
                      extra={t('agents_languagesHint')}
                      {...fieldError('languages')}
                    >
                      <Select mode="tags" aria-label={t('agents_languages')} options={languageOptions} />
                    </Form.Item>
                  </Col>
                </Row>

                <Divider titlePlacement="start">{t('agents_skills')}</Divider>
                <Typography.Paragraph type="secondary">{t('agents_proficiencyHint')}</Typography.Paragraph>
                <Form.List name="skills">
                  {(fields, { add, remove }) => (
                    <>
                      {fields.map((field, i) => (
                        <Row gutter={8} key={field.key} data-skill-row={i} align="top">
                          <Col flex="auto">
                            <Form.Item
                              name={[field.name, 'name']}
                              rules={[
                                {
                                  validator: async (_, value: string | undefined) => {
                                    const name = (value ?? '').trim();
                                    const all = (form.getFieldValue('skills') as FormValues['skills']) ?? [];
                                    if (name && all.filter((s) => (s?.name ?? '').trim() === name).length > 1)
                                      throw new Error(t('agents_skillDuplicate'));
                                  },
                                },
                              ]}
                              {...fieldError('skills', field.name, 'name')}
                            >
                              <Input
                                aria-label={`${t('agents_skillName')} ${i + 1}`}
                                placeholder={t('agents_skillName')}
                                autoComplete="off"
                              />
                            </Form.Item>
                          </Col>
                          <Col flex="160px">
                            <Form.Item
                              name={[field.name, 'level']}
                              {...fieldError('skills', field.name, 'level')}
                            >
                              <InputNumber
                                aria-label={`${t('agents_proficiency')} ${i + 1}`}
                                placeholder={t('agents_proficiency')}
                                style={{ width: '100%' }}
                              />
                            </Form.Item>
                          </Col>
                          <Col flex="none">
                            <Button
                              onClick={() => remove(field.name)}
                              aria-label={`${t('agents_remove')} ${t('agents_skillName')} ${i + 1}`}
                            >
                              {t('agents_remove')}
                            </Button>
                          </Col>
                        </Row>
                      ))}
                      <Form.Item {...fieldError('skills')}>
                        <Button type="dashed" onClick={() => add({ name: '', level: 3 })} block>
                          {t('agents_addSkill')}
                        </Button>
                      </Form.Item>
                    </>
                  )}
                </Form.List>

                <Divider titlePlacement="start">{t('agents_work')}</Divider>
                <Row gutter={12}>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name={['capacity', 'max']}
                      label={t('agents_capacity')}
                      {...fieldError('capacity.max')}
                    >
                      <InputNumber aria-label={t('agents_capacity')} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item name="level" label={t('agents_level')} {...fieldError('level')}>
                      <Select aria-label={t('agents_level')} options={levelOptions} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item
                      name="fieldEngineer"
                      label={t('agents_fieldEngineer')}
                      valuePropName="checked"
                      {...fieldError('fieldEngineer')}
                    >
                      <Switch aria-label={t('agents_fieldEngineer')} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={16}>
                    <Form.Item
                      name="delegate"
                      label={t('agents_delegate')}
                      extra={t('agents_delegateHelp')}
                      {...fieldError('delegate')}
                    >
                      <Select
                        aria-label={t('agents_delegate')}
                        allowClear
                        showSearch
                        optionFilterProp="label"
                        placeholder={t('agents_delegateNone')}
                        options={(agents.data ?? [])
                          .filter((a) => a.id !== current?.id)
                          .map((a) => ({ value: a.id, label: `${a.name} (${a.id})` }))}
                      />
                    </Form.Item>
                  </Col>
                </Row>
                <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>
                  {t('agents_perChannel')}
                </Typography.Text>
                <Form.List name="perChannel">
                  {(fields, { add, remove }) => (
                    <div style={{ marginTop: 8 }}>
                      {fields.map((field, i) => (
                        <Row gutter={8} key={field.key} align="top">
                          <Col flex="auto">
                            <Form.Item
                              name={[field.name, 'channel']}
                              {...fieldError('perChannel', field.name, 'channel')}
                            >
                              <Select
                                aria-label={`${t('channel')} ${i + 1}`}
                                placeholder={t('channel')}
                                options={channelOptions}
                              />
                            </Form.Item>
                          </Col>
                          <Col flex="160px">
                            <Form.Item
                              name={[field.name, 'max']}
                              {...fieldError('perChannel', field.name, 'max')}
                            >
                              <InputNumber
                                aria-label={`${t('agents_channelMax')} ${i + 1}`}
                                placeholder={t('agents_channelMax')}
                                style={{ width: '100%' }}
                              />
                            </Form.Item>
                          </Col>
                          <Col flex="none">
                            <Button
                              onClick={() => remove(field.name)}
                              aria-label={`${t('agents_remove')} ${t('channel')} ${i + 1}`}
                            >
                              {t('agents_remove')}
                            </Button>
                          </Col>
                        </Row>
                      ))}
                      <Form.Item {...fieldError('perChannel')}>
                        <Button type="dashed" onClick={() => add({ max: 1 })} block>
                          {t('agents_addChannelCap')}
                        </Button>
                      </Form.Item>
                    </div>
                  )}
                </Form.List>

                <Divider titlePlacement="start">{t('agents_shift')}</Divider>
                <Form.Item
                  name="hasShift"
                  label={t('agents_hasShift')}
                  valuePropName="checked"
                  extra={t('agents_shiftHint')}
                >
                  <Switch aria-label={t('agents_hasShift')} />
                </Form.Item>
                {hasShift && (
                  <>
                    <Form.Item
                      name={['shift', 'timeZone']}
                      label={t('agents_timeZone')}
                      {...fieldError('shift.timeZone')}
                    >
                      <Select showSearch aria-label={t('agents_timeZone')} options={zoneOptions} />
                    </Form.Item>
                    <Form.List name={['shift', 'windows']}>
                      {(fields, { add, remove }) => (
                        <>
                          {fields.map((field, i) => (
                            <Card
                              key={field.key}
                              size="small"
                              style={{ marginBottom: 12 }}
                              title={format('agents_window', { n: i + 1 })}
                              extra={
                                <Button
                                  size="small"
                                  onClick={() => remove(field.name)}
                                  aria-label={`${t('agents_remove')} ${format('agents_window', { n: i + 1 })}`}
                                >
                                  {t('agents_remove')}
                                </Button>
                              }
                            >
                              <Form.Item
                                name={[field.name, 'days']}
                                label={t('agents_days')}
                                {...fieldError('shift.windows', field.name, 'days')}
                              >
                                <Checkbox.Group options={dayOptions} />
                              </Form.Item>
                              <Row gutter={12}>
                                <Col span={12}>
                                  <Form.Item
                                    name={[field.name, 'start']}
                                    label={t('agents_start')}
                                    {...fieldError('shift.windows', field.name, 'start')}
                                  >
                                    <Input
                                      aria-label={`${t('agents_start')} ${i + 1}`}
                                      placeholder="09:00"
                                      autoComplete="off"
                                    />
                                  </Form.Item>
                                </Col>
                                <Col span={12}>
                                  <Form.Item
                                    name={[field.name, 'end']}
                                    label={t('agents_end')}
                                    extra={t('agents_endHint')}
                                    {...fieldError('shift.windows', field.name, 'end')}
                                  >
                                    <Input
                                      aria-label={`${t('agents_end')} ${i + 1}`}
                                      placeholder="18:00"
                                      autoComplete="off"
                                    />
                                  </Form.Item>
                                </Col>
                              </Row>
                            </Card>
                          ))}
                          <Form.Item {...fieldError('shift.windows')}>
                            <Button
                              type="dashed"
                              onClick={() => add({ days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' })}
                              block
                            >
                              {t('agents_addWindow')}
                            </Button>
                          </Form.Item>
                        </>
                      )}
                    </Form.List>
                  </>
                )}

                <Divider titlePlacement="start">{t('agents_location')}</Divider>
                <Row gutter={12}>
                  <Col xs={12} md={6}>
                    <Form.Item
                      name={['location', 'lat']}
                      label={t('agents_lat')}
                      {...fieldError('location.lat')}
                    >
                      <InputNumber aria-label={t('agents_lat')} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={6}>
                    <Form.Item
                      name={['location', 'lng']}
                      label={t('agents_lng')}
                      {...fieldError('location.lng')}
                    >
                      <InputNumber aria-label={t('agents_lng')} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item
                      name={['location', 'address']}
                      label={t('agents_address')}
                      {...fieldError('location.address')}
                    >
                      <Input aria-label={t('agents_address')} autoComplete="off" />
                    </Form.Item>
                  </Col>
                </Row>
              </Form>
            </div>
          )}
        </Drawer>
      </Card>
    </>
  );
}
