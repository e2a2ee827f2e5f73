import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { type FieldError, StickyBar, useFieldErrors } from '../components/field-errors.tsx';
import { useI18n } from '../i18n.tsx';

type TargetName = 'firstResponse' | 'nextResponse' | 'resolution';
const targetNames: TargetName[] = ['firstResponse', 'nextResponse', 'resolution'];
/** The vocabularies of shared/domain/sla/policy.ts (escalationRoles, SlaChannel, slaPriorities). */
const roles = ['assignee', 'team_supervisor', 'manager', 'on_call'] as const;
const channels = ['email', 'sms', 'chat'] as const;
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const clocks = ['elapsed', 'business'] as const;
/** The form's stand-in for `reassignTo.assignee: null` (leave the ticket with the team, unassigned). */
const unassigned = '__unassigned__';

type Recipient = { role: string; channel: string } | { address: string; channel: string };

interface Level {
  level: number;
  afterBreachMinutes: number | null;
  clock?: string;
  notify?: Recipient[];
  raisePriorityTo?: string;
  reassignTo?: { team?: string; assignee?: string | null };
  targets?: TargetName[];
  [other: string]: unknown;
}

interface Policy {
  id: string;
  name: string;
  enabled: boolean;
  targets: Partial<Record<TargetName, { minutes: number; warnAtPercent?: number[] }>>;
  warnAtPercent: number[];
  warningRecipients?: Recipient[];
  escalation?: Level[];
  [other: string]: unknown;
}

interface SlaConfigView {
  version: number;
  policies: Policy[];
  updatedAt: string;
  /** Null for the configuration the system seeded. */
  updatedBy: { id: string; name?: string } | null;
}

/** A recipient as the form edits it: a role or a fixed address, either way with a channel. */
interface RecipientRow {
  kind: 'role' | 'address';
  role?: string;
  address?: string;
  channel: string;
}

/**
 * A level as the form edits it: the level read, whole (so fields this screen does not show go back as
 * they were), with its recipients as rows and `reassignTo.assignee: null` as {@link unassigned}.
 */
interface LevelRow {
  level: number;
  afterBreachMinutes: number | null;
  clock?: string;
  notify: RecipientRow[];
  raisePriorityTo?: string;
  reassignTo: { team?: string; assignee?: string };
  targets?: TargetName[];
  [other: string]: unknown;
}

/** The form's values: the editable parts of each policy; the rest (match, calendar…) is kept as read. */
interface FormValues {
  policies: {
    name: string;
    enabled: boolean;
    minutes: Partial<Record<TargetName, number | null>>;
    warnAt: number | null;
    warningRecipients: RecipientRow[];
    escalation: LevelRow[];
  }[];
}

const recipientRow = (r: Recipient): RecipientRow =>
  'role' in r
    ? { kind: 'role', role: r.role, channel: r.channel }
    : { kind: 'address', address: r.address, channel: r.channel };

/** A row as the API takes it; an empty address is sent as typed, so the API's message explains it. */
const recipientOut = (r: RecipientRow): Recipient =>
  r.kind === 'role'
    ? { role: r.role ?? '', channel: r.channel }
    : { address: r.address ?? '', channel: r.channel };

function levelRow({ notify, reassignTo, ...level }: Level): LevelRow {
  const assignee = reassignTo?.assignee;
  return {
    ...level,
    notify: (notify ?? []).map(recipientRow),
    reassignTo: {
      team: reassignTo?.team,
      assignee: assignee === null ? unassigned : assignee,
    },
  };
}

/** A level as the API takes it: an unset choice is left out, the delay is sent as typed (not clamped). */
function levelOut({ notify, reassignTo, raisePriorityTo, targets, ...level }: LevelRow): Level {
  const out: Level = { ...level, notify: notify.map(recipientOut) };
  if (raisePriorityTo) out.raisePriorityTo = raisePriorityTo;
  if (targets?.length) out.targets = targets;
  const move: NonNullable<Level['reassignTo']> = {};
  if (reassignTo.team) move.team = reassignTo.team;
  if (reassignTo.assignee) move.assignee = reassignTo.assignee === unassigned ? null : reassignTo.assignee;
  if (Object.keys(move).length > 0) out.reassignTo = move;
  return out;
}

/** Paths the form shows beside an input; the API's other paths are listed in the alert. */
const placed = [
  /^policies\.\d+\.(name|enabled|warnAtPercent|targets\.(firstResponse|nextResponse|resolution)\.minutes)(\.|$)/,
  /^policies\.\d+\.escalation\.\d+\.(afterBreachMinutes|clock|targets|raisePriorityTo|reassignTo\.(team|assignee))(\.|$)/,
  /^policies\.\d+\.(escalation\.\d+\.notify|warningRecipients)\.\d+(\.|$)/,
];

/**
 * SLA policies as forms, not JSON: names, targets in business minutes, the warning threshold, who is
 * warned, and the escalation chain (per level: delay after the breach, clock, recipients, priority raise,
 * reassignment). The API's field errors appear beside their fields; the version read is sent as
 * If-Match, so a change made meanwhile by someone else is a 412 explained here, not overwritten.
 */
export default function AdminSla() {
  const { api } = useApp();
  const { t, format } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const directory = useDirectory();
  const [form] = Form.useForm<FormValues>();
  const { errors, show: showErrors, fieldError, clear: listChanged } = useFieldErrors();
  const [problem, setProblem] = useState<{ conflict: boolean; text: string; others: string[] } | null>(null);
  const [saving, setSaving] = useState(false);
  const config = useQuery({
    queryKey: ['config', 'sla'],
    queryFn: async () => {
      const { body, etag } = await api.getWithEtag<SlaConfigView>('/config/sla');
      return { ...body, etag: etag ?? String(body.version) };
    },
    refetchOnWindowFocus: false,
  });

  const load = useCallback(
    (view: SlaConfigView) => {
      form.resetFields();
      form.setFieldsValue({
        policies: view.policies.map((p) => ({
          name: p.name,
          enabled: p.enabled,
          minutes: Object.fromEntries(targetNames.map((n) => [n, p.targets[n]?.minutes ?? null])),
          warnAt: p.warnAtPercent[0] ?? null,
          warningRecipients: (p.warningRecipients ?? []).map(recipientRow),
          escalation: (p.escalation ?? []).map(levelRow),
        })),
      });
      listChanged();
    },
    [form, listChanged],
  );

  useEffect(() => {
    if (config.data) load(config.data);
  }, [config.data, load]);

  const save = async () => {
    const current = config.data!;
    // Every value, registered or not: a level's fields this screen does not show ride along.
    const values = form.getFieldsValue(true) as FormValues;
    const policies = current.policies.map((p, i) => {
      const edited = values.policies[i]!;
      const targets: Policy['targets'] = {};
      for (const n of targetNames) {
        const minutes = edited.minutes[n];
        if (minutes !== null && minutes !== undefined) targets[n] = { ...p.targets[n], minutes };
      }
      return {
        ...p,
        name: edited.name,
        enabled: edited.enabled,
        targets,
        warnAtPercent: edited.warnAt === null ? [] : [edited.warnAt, ...p.warnAtPercent.slice(1)],
        warningRecipients: (edited.warningRecipients ?? []).map(recipientOut),
        escalation: (edited.escalation ?? []).map(levelOut),
      };
    });
    setSaving(true);
    try {
      await api.send('PUT', '/config/sla', { policies }, current.etag);
      listChanged();
      setProblem(null);
      message.success(t('saved'));
      await queryClient.invalidateQueries({ queryKey: ['config', 'sla'] });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showErrors(error);
      setProblem({
        conflict: error.status === 412,
        text: error.message,
        others: error.fields
          .filter((f) => !placed.some((p) => p.test(f.path)))
          .map((f) => `${f.path}: ${f.message}`),
      });
    } finally {
      setSaving(false);
    }
  };

  if (config.isLoading) return <Card loading />;
  if (config.isError) return <Alert type="error" showIcon title={config.error.message} />;
  const data = config.data!;
  const by = data.updatedBy ? (data.updatedBy.name ?? data.updatedBy.id) : 'Gongdan';
  const teamOptions = (directory.data?.teams ?? []).map((team) => ({
    value: team.id,
    label: `${team.name} (${team.id})`,
  }));
  const agentOptions = [
    { value: unassigned, label: t('sla_unassigned') },
    ...(directory.data?.agents ?? []).map((a) => ({ value: a.id, label: `${a.name} (${a.id})` })),
  ];

  return (
    <Card>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {t('policies')}
        </Typography.Title>
        <Typography.Text type="secondary" data-version={data.version}>
          {t('version')} {data.version} · {t('updatedBy')}: {by} · {new Date(data.updatedAt).toLocaleString()}
        </Typography.Text>
        <Form form={form} layout="vertical" onFinish={save}>
          {data.policies.map((p, i) => (
            <Card
              key={p.id}
              size="small"
              style={{ marginBottom: 12 }}
              title={
                <Space>
                  <Tag>{p.id}</Tag>
                  <span>{p.name}</span>
                </Space>
              }
              data-policy={p.id}
            >
              <Row gutter={12}>
                <Col xs={24} md={10}>
                  <Form.Item
                    name={['policies', i, 'name']}
                    label={t('policyName')}
                    {...fieldError(`policies.${i}.name`)}
                  >
                    <Input aria-label={`${p.id} name`} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item name={['policies', i, 'enabled']} label={t('enabled')} valuePropName="checked">
                    <Switch aria-label={`${p.id} enabled`} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item
                    name={['policies', i, 'warnAt']}
                    label={t('warnAt')}
                    {...fieldError(`policies.${i}.warnAtPercent`)}
                  >
                    <InputNumber aria-label={`${p.id} ${t('warnAt')}`} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </Row>
              <Row gutter={12}>
                {targetNames.map((n) => (
                  <Col xs={24} md={8} key={n}>
                    <Form.Item
                      name={['policies', i, 'minutes', n]}
                      label={`${t(n)} (${t('minutes')})`}
                      {...fieldError(`policies.${i}.targets.${n}.minutes`)}
                    >
                      <InputNumber
                        aria-label={`${p.id} ${n}`}
                        data-field={`${p.id}.${n}`}
                        style={{ width: '100%' }}
                      />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
              <Typography.Title level={2} style={{ fontSize: 15, margin: '4px 0 8px' }}>
                {t('sla_warningRecipients')}
              </Typography.Title>
              <RecipientList
                form={form}
                name={['policies', i, 'warningRecipients']}
                path={['policies', i, 'warningRecipients']}
                apiPath={`policies.${i}.warningRecipients`}
                who={format('sla_ariaWarning', { policy: p.id })}
                fieldError={fieldError}
                listChanged={listChanged}
              />
              <Typography.Title level={2} style={{ fontSize: 15, margin: '16px 0 4px' }}>
                {t('sla_escalation')}
              </Typography.Title>
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                {t('sla_escalationHint')}
              </Typography.Paragraph>
              <Form.List name={['policies', i, 'escalation']}>
                {(levels, { add, remove }) => (
                  <div data-escalation={p.id}>
                    {levels.map((field, j) => {
                      const at = `policies.${i}.escalation.${field.name}`;
                      const n =
                        form.getFieldValue(['policies', i, 'escalation', field.name, 'level']) ?? j + 1;
                      const where = format('sla_ariaLevel', { policy: p.id, n });
                      return (
                        <Card
                          key={field.key}
                          size="small"
                          type="inner"
                          style={{ marginBottom: 8 }}
                          data-level={n}
                          title={format('sla_level', { n })}
                          extra={
                            <Button
                              size="small"
                              danger
                              aria-label={format('sla_ariaRemove', { what: where })}
                              onClick={() => {
                                remove(field.name);
                                listChanged();
                              }}
                            >
                              {t('sla_removeLevel')}
                            </Button>
                          }
                        >
                          <Row gutter={12}>
                            <Col xs={24} sm={12} md={6}>
                              <Form.Item
                                name={[field.name, 'afterBreachMinutes']}
                                label={t('sla_afterBreach')}
                                {...fieldError(`${at}.afterBreachMinutes`)}
                              >
                                <InputNumber
                                  aria-label={`${where} ${t('sla_afterBreach')}`}
                                  style={{ width: '100%' }}
                                />
                              </Form.Item>
                            </Col>
                            <Col xs={24} sm={12} md={6}>
                              <Form.Item
                                name={[field.name, 'clock']}
                                label={t('sla_clock')}
                                {...fieldError(`${at}.clock`)}
                              >
                                <Select
                                  aria-label={`${where} ${t('sla_clock')}`}
                                  options={clocks.map((c) => ({ value: c, label: t(`sla_clock_${c}`) }))}
                                />
                              </Form.Item>
                            </Col>
                            <Col xs={24} md={12}>
                              <Form.Item
                                name={[field.name, 'targets']}
                                label={t('sla_targets')}
                                {...fieldError(`${at}.targets`)}
                              >
                                <Select
                                  mode="multiple"
                                  allowClear
                                  aria-label={`${where} ${t('sla_targets')}`}
                                  placeholder={t('sla_targetsAll')}
                                  options={targetNames.map((tn) => ({ value: tn, label: t(tn) }))}
                                />
                              </Form.Item>
                            </Col>
                          </Row>
                          <Row gutter={12}>
                            <Col xs={24} md={6}>
                              <Form.Item
                                name={[field.name, 'raisePriorityTo']}
                                label={t('sla_raisePriority')}
                                {...fieldError(`${at}.raisePriorityTo`)}
                              >
                                <Select
                                  allowClear
                                  aria-label={`${where} ${t('sla_raisePriority')}`}
                                  placeholder={t('sla_noRaise')}
                                  options={priorities.map((pr) => ({ value: pr, label: t(pr) }))}
                                />
                              </Form.Item>
                            </Col>
                            <Col xs={24} md={9}>
                              <Form.Item
                                name={[field.name, 'reassignTo', 'team']}
                                label={t('sla_reassignTeam')}
                                {...fieldError(`${at}.reassignTo.team`, [`${at}.reassignTo`])}
                              >
                                <Select
                                  allowClear
                                  showSearch
                                  optionFilterProp="label"
                                  aria-label={`${where} ${t('sla_reassignTeam')}`}
                                  placeholder={t('sla_noReassign')}
                                  options={teamOptions}
                                />
                              </Form.Item>
                            </Col>
                            <Col xs={24} md={9}>
                              <Form.Item
                                name={[field.name, 'reassignTo', 'assignee']}
                                label={t('sla_reassignAgent')}
                                {...fieldError(`${at}.reassignTo.assignee`)}
                              >
                                <Select
                                  allowClear
                                  showSearch
                                  optionFilterProp="label"
                                  aria-label={`${where} ${t('sla_reassignAgent')}`}
                                  placeholder={t('sla_noReassign')}
                                  options={agentOptions}
                                />
                              </Form.Item>
                            </Col>
                          </Row>
                          <Typography.Text strong>{t('sla_notify')}</Typography.Text>
                          <RecipientList
                            form={form}
                            name={[field.name, 'notify']}
                            path={['policies', i, 'escalation', field.name, 'notify']}
                            apiPath={`${at}.notify`}
                            who={where}
                            fieldError={fieldError}
                            listChanged={listChanged}
                          />
                        </Card>
                      );
                    })}
                    {levels.length === 0 && (
                      <Typography.Paragraph type="secondary">{t('sla_noLevels')}</Typography.Paragraph>
                    )}
                    <Button
                      type="dashed"
                      disabled={levels.length >= 9}
                      aria-label={format('sla_ariaAddLevel', { policy: p.id })}
                      onClick={() => {
                        const rows = (form.getFieldValue(['policies', i, 'escalation']) ?? []) as LevelRow[];
                        const last = rows[rows.length - 1];
                        const fresh: LevelRow = {
                          level: Math.max(0, ...rows.map((r) => r.level ?? 0)) + 1,
                          afterBreachMinutes: last ? (last.afterBreachMinutes ?? 0) + 60 : 0,
                          clock: 'elapsed',
                          notify: [{ kind: 'role', role: 'manager', channel: 'email' }],
                          reassignTo: {},
                        };
                        add(fresh);
                        listChanged();
                      }}
                    >
                      {t('sla_addLevel')}
                    </Button>
                  </div>
                )}
              </Form.List>
            </Card>
          ))}
          {/* The page is long: saving and its outcome stay in view at the bottom of the window. */}
          <StickyBar>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {problem && (
                <Alert
                  type={problem.conflict ? 'warning' : 'error'}
                  showIcon
                  role="alert"
                  title={
                    problem.conflict
                      ? t('sla_conflictTitle')
                      : problem.others.length > 0 || Object.keys(errors).length > 0
                        ? t('sla_invalid')
                        : problem.text
                  }
                  description={
                    <>
                      {problem.conflict || Object.keys(errors).length > 0 ? problem.text : undefined}
                      {problem.others.length > 0 && (
                        <>
                          <br />
                          {t('sla_otherErrors')}
                          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                            {problem.others.map((o) => (
                              <li key={o}>{o}</li>
                            ))}
                          </ul>
                        </>
                      )}
                    </>
                  }
                  action={
                    problem.conflict ? (
                      <Button
                        size="small"
                        onClick={async () => {
                          setProblem(null);
                          await config.refetch();
                        }}
                      >
                        {t('sla_reloadLatest')}
                      </Button>
                    ) : undefined
                  }
                />
              )}
              <Space>
                <Button type="primary" htmlType="submit" loading={saving}>
                  {t('save')}
                </Button>
                <Button
                  onClick={() => {
                    load(data);
                    setProblem(null);
                  }}
                >
                  {t('sla_discard')}
                </Button>
              </Space>
            </Space>
          </StickyBar>
        </Form>
      </Space>
    </Card>
  );
}

/**
 * Recipients (warning or one escalation level): each a role on the ticket or a fixed address, with its
 * channel. `name` is the list's name where it sits in the form, `path` the same from the form's root.
 */
function RecipientList({
  form,
  name,
  path,
  apiPath,
  who,
  fieldError,
  listChanged,
}: {
  form: FormInstance<FormValues>;
  name: (string | number)[];
  path: (string | number)[];
  apiPath: string;
  who: string;
  fieldError: FieldError;
  listChanged: () => void;
}) {
  const { t, format } = useI18n();
  return (
    <Form.List name={name}>
      {(rows, { add, remove }) => (
        <div style={{ marginTop: 4 }}>
          {rows.map((field, k) => (
            <RecipientRowInputs
              key={field.key}
              form={form}
              index={field.name}
              path={path}
              apiPath={`${apiPath}.${field.name}`}
              label={format('sla_ariaRecipient', { who, n: k + 1 })}
              fieldError={fieldError}
              onRemove={() => {
                remove(field.name);
                listChanged();
              }}
            />
          ))}
          {rows.length === 0 && (
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t('sla_noRecipients')}
            </Typography.Paragraph>
          )}
          <Button
            size="small"
            type="dashed"
            style={{ marginBottom: 12 }}
            disabled={rows.length >= 20}
            aria-label={format('sla_ariaAddRecipient', { who })}
            onClick={() => {
              add({ kind: 'role', role: 'assignee', channel: 'email' } satisfies RecipientRow);
              listChanged();
            }}
          >
            {t('sla_addRecipient')}
          </Button>
        </div>
      )}
    </Form.List>
  );
}

function RecipientRowInputs({
  form,
  index,
  path,
  apiPath,
  label,
  fieldError,
  onRemove,
}: {
  form: FormInstance<FormValues>;
  index: number;
  path: (string | number)[];
  apiPath: string;
  label: string;
  fieldError: FieldError;
  onRemove: () => void;
}) {
  const { t, format } = useI18n();
  const kind = Form.useWatch([...path, index, 'kind'], form) as RecipientRow['kind'] | undefined;
  return (
    <Row gutter={8} align="top" data-recipient={label}>
      <Col xs={24} sm={6} md={5}>
        <Form.Item name={[index, 'kind']} style={{ marginBottom: 8 }}>
          <Select
            aria-label={`${label} ${t('sla_recipientKind')}`}
            options={[
              { value: 'role', label: t('sla_kind_role') },
              { value: 'address', label: t('sla_kind_address') },
            ]}
          />
        </Form.Item>
      </Col>
      <Col xs={24} sm={10} md={10}>
        {kind === 'address' ? (
          <Form.Item
            name={[index, 'address']}
            style={{ marginBottom: 8 }}
            {...fieldError(`${apiPath}.address`, [apiPath, `${apiPath}.role`])}
          >
            <Input aria-label={`${label} ${t('sla_address')}`} placeholder={t('sla_addressPlaceholder')} />
          </Form.Item>
        ) : (
          <Form.Item
            name={[index, 'role']}
            style={{ marginBottom: 8 }}
            {...fieldError(`${apiPath}.role`, [apiPath, `${apiPath}.address`])}
          >
            <Select
              aria-label={`${label} ${t('sla_role')}`}
              options={roles.map((r) => ({ value: r, label: t(`sla_role_${r}`) }))}
            />
          </Form.Item>
        )}
      </Col>
      <Col xs={16} sm={5} md={5}>
        <Form.Item
          name={[index, 'channel']}
          style={{ marginBottom: 8 }}
          {...fieldError(`${apiPath}.channel`)}
        >
          <Select
            aria-label={`${label} ${t('sla_channel')}`}
            options={channels.map((c) => ({ value: c, label: t(`sla_ch_${c}`) }))}
          />
        </Form.Item>
      </Col>
      <Col xs={8} sm={3} md={4}>
        <Button aria-label={format('sla_ariaRemove', { what: label })} onClick={onRemove}>
          {t('cal_remove')}
        </Button>
      </Col>
    </Row>
  );
}
