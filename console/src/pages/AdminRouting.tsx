import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  AutoComplete,
  Button,
  Card,
  Col,
  Dropdown,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { type FieldError, useFieldErrors } from '../components/field-errors.tsx';
import { useI18n } from '../i18n.tsx';

/** The list conditions of a rule's `when` the editor shows; `customFields` rides along untouched. */
const conditionKeys = [
  'intents',
  'categories',
  'keywords',
  'notKeywords',
  'priorities',
  'tiers',
  'channels',
  'regions',
] as const;
type ConditionKey = (typeof conditionKeys)[number];

const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const tiers = ['standard', 'vip'] as const;
const channels = ['web', 'email', 'api', 'webhook', 'event', 'import', 'phone'] as const;
/** Conditions whose values are free text (tags); the others choose from a fixed list. */
const freeText = new Set<ConditionKey>(['intents', 'categories', 'keywords', 'notKeywords']);

interface TeamDoc {
  id: string;
  name: string;
  nameEn?: string;
  supervisor?: string;
  escalation?: { name?: string; email?: string; phone?: string };
  members?: string[];
  [other: string]: unknown;
}

interface RuleDoc {
  id: string;
  name: string;
  enabled?: boolean;
  when?: Partial<Record<ConditionKey, string[]>> & { customFields?: Record<string, unknown> };
  route: {
    team?: string;
    skills?: { skill?: string; minProficiency?: number | null }[];
    /** Omitted: the default; null: none; `auto`: the ticket's language. */
    language?: string | null;
    onsite?: boolean;
    maxDistanceKm?: number | null;
    relax?: unknown[];
    [other: string]: unknown;
  };
  [other: string]: unknown;
}

interface RoutingConfigView {
  version: number;
  updatedAt?: string;
  /** The actor's id; absent for the configuration the system seeded. */
  updatedBy?: string;
  teams: TeamDoc[];
  regions?: { id: string; name: string }[];
  rules: RuleDoc[];
  defaults: { team: string; [other: string]: unknown };
  [other: string]: unknown;
}

/** Added on this screen and not saved yet: its id may still be typed (saved ids stay fixed). */
type Added = { added?: true };

/**
 * The form holds each team and rule whole, so whatever is not on screen (relaxation steps, custom-field
 * conditions, descriptions…) goes back in the PUT untouched.
 */
interface FormValues {
  teams: (TeamDoc & Added)[];
  rules: (RuleDoc & Added)[];
  defaultTeam: string;
}

type Option = { value: string; label: string };

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** A team as the API takes it: empty optional inputs left out rather than sent as "". */
function teamOut({ added: _, ...team }: TeamDoc & Added): TeamDoc {
  const out: TeamDoc = {
    ...team,
    escalation: Object.fromEntries(Object.entries(team.escalation ?? {}).filter(([, v]) => !blank(v))),
  };
  if (blank(out.nameEn)) delete out.nameEn;
  return out;
}

/** A rule as the API takes it: a condition left empty is no condition, a cleared number is unset. */
function ruleOut({ added: _, ...rule }: RuleDoc & Added): RuleDoc {
  const when = { ...rule.when };
  for (const key of conditionKeys) if (!when[key]?.length) delete when[key];
  const route = { ...rule.route };
  if (route.maxDistanceKm === null) delete route.maxDistanceKm;
  if (route.language === undefined) delete route.language;
  return { ...rule, when, route };
}

/** Paths the form shows beside a field; the API's other paths are listed in the alert. */
const placed = [
  /^teams\.\d+\.(id|name|nameEn|supervisor|escalation|members)(\.|$)/,
  /^rules\.\d+\.(id|name|enabled|route\.(team|skills|language|onsite|maxDistanceKm))(\.|$)/,
  /^rules\.\d+\.when\.(intents|categories|keywords|notKeywords|priorities|tiers|channels|regions)(\.|$)/,
  /^defaults\.team$/,
];

/**
 * Teams and routing rules as forms, not JSON. Teams in a table (names, supervisor, escalation contact,
 * members); rules as an ordered list (conditions → team and skills) that can be reordered. The whole
 * document is sent with If-Match of the version read: the API's field errors appear beside their
 * fields, and a change someone else saved meanwhile is a 412 explained here, not overwritten.
 */
export default function AdminRouting() {
  const { api, session } = useApp();
  const { t, format } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const directory = useDirectory();
  const [form] = Form.useForm<FormValues>();
  const { errors, show: showErrors, fieldError, clear: listChanged } = useFieldErrors();
  const [problem, setProblem] = useState<{
    kind: 'conflict' | 'invalid' | 'other';
    text: string;
    others: string[];
  } | null>(null);
  const [saving, setSaving] = useState(false);
  const [tab, setTab] = useState<'teams' | 'rules'>('teams');
  const config = useQuery({
    queryKey: ['config', 'routing'],
    queryFn: async () => {
      const { body, etag } = await api.getWithEtag<RoutingConfigView>('/config/routing');
      return { doc: body, etag: etag ?? String(body.version) };
    },
    refetchOnWindowFocus: false,
  });

  const load = useCallback(
    (doc: RoutingConfigView) => {
      form.resetFields();
      form.setFieldsValue({ teams: doc.teams, rules: doc.rules, defaultTeam: doc.defaults.team });
      listChanged();
    },
    [form, listChanged],
  );

  useEffect(() => {
    if (config.data) load(config.data.doc);
  }, [config.data, load]);

  const save = async () => {
    const { doc, etag } = config.data!;
    const values = form.getFieldsValue(true) as FormValues;
    const { version: _v, updatedAt: _at, updatedBy: _by, ...rest } = doc;
    const body = {
      ...rest,
      teams: (values.teams ?? []).map(teamOut),
      rules: (values.rules ?? []).map(ruleOut),
      defaults: { ...doc.defaults, team: values.defaultTeam },
    };
    setSaving(true);
    try {
      await api.send('PUT', '/config/routing', body, etag);
      listChanged();
      setProblem(null);
      message.success(t('saved'));
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['config', 'routing'] }),
        queryClient.invalidateQueries({ queryKey: ['directory'] }),
      ]);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showErrors(error);
      const others = error.fields
        .filter((f) => !placed.some((p) => p.test(f.path)))
        .map((f) => `${f.path}: ${f.message}`);
      setProblem({
        text: error.message,
        kind: error.status === 412 ? 'conflict' : error.fields.length ? 'invalid' : 'other',
        others,
      });
      const paths = error.fields.map((f) => f.path);
      const teamsBad = paths.some((p) => p.startsWith('teams'));
      const rulesBad = paths.some((p) => p.startsWith('rules') || p.startsWith('defaults'));
      if (teamsBad !== rulesBad) setTab(teamsBad ? 'teams' : 'rules');
    } finally {
      setSaving(false);
    }
  };

  if (config.isLoading) return <Card loading />;
  if (config.isError) return <Alert type="error" showIcon title={config.error.message} />;
  const { doc } = config.data!;
  const byId = doc.updatedBy;
  const by = !byId
    ? 'Gongdan'
    : byId === session?.user.id
      ? session.user.name
      : (directory.data?.agents.find((a) => a.id === byId)?.name ?? byId);
  const errorCount = (prefix: string[]) =>
    Object.keys(errors).filter((k) => prefix.some((p) => k.startsWith(p))).length;
  const tabLabel = (label: string, count: number) => (
    <Space size={6}>
      {label}
      {count > 0 && (
        <Tag color="red" style={{ marginInlineEnd: 0 }}>
          {format('routing_errorCount', { count })}
        </Tag>
      )}
    </Space>
  );

  return (
    <Card>
      <Form form={form} layout="vertical" onFinish={save}>
        <div
          style={{
            position: 'sticky',
            top: 0,
            zIndex: 10,
            background: '#fff',
            paddingBottom: 8,
            display: 'flex',
            flexWrap: 'wrap',
            gap: 12,
            alignItems: 'center',
            justifyContent: 'space-between',
          }}
        >
          <Space orientation="vertical" size={2}>
            <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
              {t('admin_routing')}
            </Typography.Title>
            <Typography.Text type="secondary" data-version={doc.version}>
              {t('version')} {doc.version} · {t('updatedBy')}: {by}
              {doc.updatedAt ? ` · ${new Date(doc.updatedAt).toLocaleString()}` : ''}
            </Typography.Text>
          </Space>
          <Space>
            <Button
              onClick={() => {
                load(doc);
                setProblem(null);
              }}
            >
              {t('routing_discard')}
            </Button>
            <Button type="primary" htmlType="submit" loading={saving}>
              {t('save')}
            </Button>
          </Space>
        </div>
        {problem && (
          <Alert
            type={problem.kind === 'conflict' ? 'warning' : 'error'}
            showIcon
            role="alert"
            style={{ marginBottom: 12 }}
            title={
              problem.kind === 'conflict'
                ? t('routing_conflictTitle')
                : problem.kind === 'invalid'
                  ? t('routing_invalid')
                  : problem.text
            }
            description={
              problem.kind === 'other' ? undefined : (
                <>
                  {problem.text}
                  {problem.others.length > 0 && (
                    <>
                      <br />
                      {t('routing_otherErrors')}
                      <ul style={{ margin: 0 }}>
                        {problem.others.map((o) => (
                          <li key={o}>{o}</li>
                        ))}
                      </ul>
                    </>
                  )}
                </>
              )
            }
            action={
              problem.kind === 'conflict' ? (
                <Button
                  onClick={async () => {
                    setProblem(null);
                    const fresh = await config.refetch();
                    if (fresh.data) load(fresh.data.doc);
                  }}
                >
                  {t('routing_reloadLatest')}
                </Button>
              ) : undefined
            }
          />
        )}
        <Tabs
          activeKey={tab}
          onChange={(key) => setTab(key as 'teams' | 'rules')}
          items={[
            {
              key: 'teams',
              label: tabLabel(t('routing_teams'), errorCount(['teams'])),
              children: <TeamsSection form={form} fieldError={fieldError} onListChange={listChanged} />,
            },
            {
              key: 'rules',
              label: tabLabel(t('routing_rules'), errorCount(['rules', 'defaults'])),
              children: (
                <RulesSection form={form} doc={doc} fieldError={fieldError} onListChange={listChanged} />
              ),
            },
          ]}
        />
      </Form>
    </Card>
  );
}

/** The teams as an editable table; saved ids are fixed (tickets and agents refer to them). */
function TeamsSection({
  form,
  fieldError,
  onListChange,
}: {
  form: FormInstance<FormValues>;
  fieldError: FieldError;
  onListChange: () => void;
}) {
  const { t } = useI18n();
  const directory = useDirectory();
  const agentOptions = useMemo<Option[]>(
    () => (directory.data?.agents ?? []).map((a) => ({ value: a.id, label: a.name })),
    [directory.data],
  );
  const cell = { style: { marginBottom: 0 } };

  return (
    <Form.List name="teams">
      {(fields, { add, remove }) => {
        const team = (i: number) => form.getFieldValue(['teams', i]) as (TeamDoc & Added) | undefined;
        const who = (i: number) => team(i)?.id || `#${i + 1}`;
        const col = (
          title: string,
          width: number,
          render: (i: number, label: string) => React.ReactNode,
          key = title,
        ) => ({
          title,
          key,
          width,
          render: (_: unknown, field: { name: number }) => render(field.name, `${title} ${who(field.name)}`),
        });
        return (
          <>
            <Table
              size="small"
              rowKey="key"
              dataSource={fields}
              pagination={false}
              scroll={{ x: 1240 }}
              onRow={(field) => ({ 'data-team': team(field.name)?.id }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                col(t('routing_teamId'), 120, (i, label) =>
                  team(i)?.added ? (
                    <Form.Item name={[i, 'id']} {...cell} {...fieldError(`teams.${i}.id`)}>
                      <Input aria-label={label} />
                    </Form.Item>
                  ) : (
                    <Typography.Text code>{team(i)?.id}</Typography.Text>
                  ),
                ),
                col(t('routing_teamName'), 150, (i, label) => (
                  <Form.Item name={[i, 'name']} {...cell} {...fieldError(`teams.${i}.name`)}>
                    <Input aria-label={label} />
                  </Form.Item>
                )),
                col(t('routing_teamNameEn'), 170, (i, label) => (
                  <Form.Item name={[i, 'nameEn']} {...cell} {...fieldError(`teams.${i}.nameEn`)}>
                    <Input aria-label={label} />
                  </Form.Item>
                )),
                col(t('routing_supervisor'), 150, (i, label) => (
                  <Form.Item name={[i, 'supervisor']} {...cell} {...fieldError(`teams.${i}.supervisor`)}>
                    <Select
                      aria-label={label}
                      options={agentOptions}
                      showSearch={{ optionFilterProp: ['label', 'value'] }}
                      popupMatchSelectWidth={false}
                      style={{ width: '100%' }}
                    />
                  </Form.Item>
                )),
                col(
                  t('routing_escalation'),
                  260,
                  (i) => (
                    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                      {(
                        [
                          ['name', 'routing_escalationName', 'text'],
                          ['email', 'routing_escalationEmail', 'email'],
                          ['phone', 'routing_escalationPhone', 'tel'],
                        ] as const
                      ).map(([field, key, type]) => (
                        <Form.Item
                          key={field}
                          name={[i, 'escalation', field]}
                          {...cell}
                          {...fieldError(
                            `teams.${i}.escalation.${field}`,
                            field === 'name' ? [] : [`teams.${i}.escalation`],
                          )}
                        >
                          <Input aria-label={`${t(key)} ${who(i)}`} placeholder={t(key)} type={type} />
                        </Form.Item>
                      ))}
                    </Space>
                  ),
                  'escalation',
                ),
                col(t('routing_members'), 300, (i, label) => (
                  <Form.Item name={[i, 'members']} {...cell} {...fieldError(`teams.${i}.members`)}>
                    <Select
                      aria-label={label}
                      mode="multiple"
                      options={agentOptions}
                      showSearch={{ optionFilterProp: ['label', 'value'] }}
                      maxTagCount="responsive"
                      popupMatchSelectWidth={false}
                      style={{ width: '100%' }}
                    />
                  </Form.Item>
                )),
                {
                  ...col(
                    t('actions'),
                    90,
                    (i) => (
                      <Button
                        size="small"
                        aria-label={`${t('routing_remove')} ${who(i)}`}
                        onClick={() => {
                          remove(i);
                          onListChange();
                        }}
                      >
                        {t('routing_remove')}
                      </Button>
                    ),
                    'actions',
                  ),
                  fixed: 'right' as const,
                },
              ]}
            />
            <Button
              style={{ marginTop: 12 }}
              onClick={() => {
                add({ added: true, id: '', name: '', nameEn: '', escalation: {}, members: [] });
                onListChange();
              }}
            >
              {t('routing_addTeam')}
            </Button>
          </>
        );
      }}
    </Form.List>
  );
}

interface RuleOptions {
  teams: Option[];
  regions: Option[];
  intents: Option[];
  categories: Option[];
  skills: Option[];
}

/** The ordered rules, then the team a ticket goes to when none matches. */
function RulesSection({
  form,
  doc,
  fieldError,
  onListChange,
}: {
  form: FormInstance<FormValues>;
  doc: RoutingConfigView;
  fieldError: FieldError;
  onListChange: () => void;
}) {
  const { t, lang } = useI18n();
  const directory = useDirectory();
  const teams = Form.useWatch('teams', { form, preserve: true }) as TeamDoc[] | undefined;
  // Options change when a team is renamed or added, not on every keystroke elsewhere.
  const teamKey = JSON.stringify((teams ?? []).map((x) => [x?.id, x?.name, x?.nameEn]));
  const options = useMemo<RuleOptions>(() => {
    const named = JSON.parse(teamKey) as [string, string, string | undefined][];
    const unique = (values: string[]) => [...new Set(values)].sort().map((v) => ({ value: v, label: v }));
    return {
      teams: named
        .filter(([id]) => id)
        .map(([id, name, nameEn]) => ({
          value: id,
          label: `${(lang === 'en' ? nameEn || name : name) || id} (${id})`,
        })),
      regions: (doc.regions ?? []).map((r) => ({ value: r.id, label: `${r.name} (${r.id})` })),
      intents: (directory.data?.intents ?? []).map((i) => ({
        value: i.id,
        label: `${lang === 'en' ? i.en : i.zh} (${i.id})`,
      })),
      categories: unique(doc.rules.flatMap((r) => r.when?.categories ?? [])),
      skills: unique(doc.rules.flatMap((r) => (r.route.skills ?? []).map((s) => s.skill ?? ''))),
    };
  }, [teamKey, lang, doc, directory.data]);

  // Stable callbacks for the memoised cards; the list's operations are fresh on every render.
  const ops = useRef<{ move(from: number, to: number): void; remove(i: number): void } | null>(null);
  const move = useCallback(
    (from: number, to: number) => {
      ops.current?.move(from, to);
      onListChange();
    },
    [onListChange],
  );
  const remove = useCallback(
    (i: number) => {
      ops.current?.remove(i);
      onListChange();
    },
    [onListChange],
  );

  return (
    <>
      <Typography.Paragraph type="secondary">{t('routing_rulesHint')}</Typography.Paragraph>
      <Form.List name="rules">
        {(fields, { add, move: moveField, remove: removeField }) => {
          ops.current = { move: moveField, remove: removeField };
          return (
            <>
              {fields.map((field) => (
                <RuleCard
                  key={field.key}
                  index={field.name}
                  count={fields.length}
                  form={form}
                  options={options}
                  fieldError={fieldError}
                  move={move}
                  remove={remove}
                />
              ))}
              <Button
                onClick={() => {
                  add({
                    added: true,
                    id: `rule-${fields.length + 1}`,
                    name: '',
                    enabled: true,
                    when: {},
                    route: { team: form.getFieldValue('defaultTeam'), skills: [], onsite: false, relax: [] },
                  });
                  onListChange();
                }}
              >
                {t('routing_addRule')}
              </Button>
            </>
          );
        }}
      </Form.List>
      <Card size="small" style={{ marginTop: 16 }}>
        <Form.Item
          name="defaultTeam"
          label={t('routing_defaultTeam')}
          style={{ marginBottom: 0, maxWidth: 420 }}
          {...fieldError('defaults.team')}
        >
          <Select options={options.teams} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
      </Card>
    </>
  );
}

/**
 * Whether the element has come near the viewport yet (and stays true after). Rules are drawn as they
 * scroll into view: thirty rules of Ant Design inputs at once take seconds to mount.
 */
function useSeen(ref: React.RefObject<HTMLElement | null>) {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (seen || !element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setSeen(true);
      },
      { rootMargin: '600px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, seen]);
  return seen;
}

/** One rule: its name, team, skills and the conditions it has (more can be added). */
const RuleCard = memo(function RuleCard({
  index,
  count,
  form,
  options,
  fieldError,
  move,
  remove,
}: {
  index: number;
  count: number;
  form: FormInstance<FormValues>;
  options: RuleOptions;
  fieldError: FieldError;
  move: (from: number, to: number) => void;
  remove: (i: number) => void;
}) {
  const { t, format } = useI18n();
  // `preserve`: conditions not on screen yet are what decides which ones to show.
  const rule = Form.useWatch(['rules', index], { form, preserve: true }) as (RuleDoc & Added) | undefined;
  const who = rule?.id || `#${index + 1}`;
  const path = `rules.${index}`;
  const box = useRef<HTMLDivElement>(null);
  // A rule with an error from the API is drawn at once, wherever it is.
  const open = useSeen(box) || fieldError(path).validateStatus === 'error';
  const present = conditionKeys.filter((k) => rule?.when?.[k] !== undefined);
  const absent = conditionKeys.filter((k) => rule?.when?.[k] === undefined);
  const customFields = Object.keys(rule?.when?.customFields ?? {}).length;
  const relax = rule?.route?.relax?.length ?? 0;
  const languageOptions: Option[] = [
    { value: '__default', label: t('routing_langDefault') },
    { value: '__none', label: t('routing_langNone') },
    { value: 'auto', label: t('routing_langAuto') },
    { value: 'zh', label: '中文 (zh)' },
    { value: 'en', label: 'English (en)' },
  ];
  const language = rule?.route?.language;
  if (typeof language === 'string' && !languageOptions.some((o) => o.value === language))
    languageOptions.push({ value: language, label: language });
  const conditionOptions = (key: ConditionKey): Option[] | undefined => {
    switch (key) {
      case 'intents':
        return options.intents;
      case 'categories':
        return options.categories;
      case 'priorities':
        return priorities.map((p) => ({ value: p, label: t(p) }));
      case 'tiers':
        return tiers.map((x) => ({ value: x, label: t(x) }));
      case 'channels':
        return channels.map((c) => ({ value: c, label: t(`channel_${c}`) }));
      case 'regions':
        return options.regions;
      default:
        return undefined;
    }
  };

  return (
    <div data-rule={rule?.id} ref={box}>
      <Card
        size="small"
        style={{ marginBottom: 12 }}
        title={
          <Space size={8} wrap>
            <Typography.Text type="secondary">#{index + 1}</Typography.Text>
            {rule?.id && <Tag style={{ marginInlineEnd: 0 }}>{rule.id}</Tag>}
            <span>{rule?.name}</span>
          </Space>
        }
        extra={
          <Space size={6} wrap>
            <Form.Item
              name={[index, 'enabled']}
              valuePropName="checked"
              noStyle
              getValueProps={(v: boolean | undefined) => ({ checked: v !== false })}
            >
              <Switch size="small" aria-label={`${t('enabled')} ${who}`} />
            </Form.Item>
            <Typography.Text>{t('enabled')}</Typography.Text>
            <Button
              size="small"
              aria-label={`${t('routing_moveUp')} ${who}`}
              disabled={index === 0}
              onClick={() => move(index, index - 1)}
            >
              ↑
            </Button>
            <Button
              size="small"
              aria-label={`${t('routing_moveDown')} ${who}`}
              disabled={index === count - 1}
              onClick={() => move(index, index + 1)}
            >
              ↓
            </Button>
            <Button size="small" aria-label={`${t('routing_remove')} ${who}`} onClick={() => remove(index)}>
              {t('routing_remove')}
            </Button>
          </Space>
        }
      >
        {open ? (
          <>
            <Row gutter={12}>
              {rule?.added && (
                <Col xs={24} md={5}>
                  <Form.Item name={[index, 'id']} label={t('routing_ruleId')} {...fieldError(`${path}.id`)}>
                    <Input aria-label={`${t('routing_ruleId')} #${index + 1}`} />
                  </Form.Item>
                </Col>
              )}
              <Col xs={24} md={rule?.added ? 7 : 10}>
                <Form.Item
                  name={[index, 'name']}
                  label={t('routing_ruleName')}
                  {...fieldError(`${path}.name`)}
                >
                  <Input aria-label={`${t('routing_ruleName')} ${who}`} />
                </Form.Item>
              </Col>
              <Col xs={24} md={7}>
                <Form.Item
                  name={[index, 'route', 'team']}
                  label={t('routing_targetTeam')}
                  {...fieldError(`${path}.route.team`)}
                >
                  <Select
                    aria-label={`${t('routing_targetTeam')} ${who}`}
                    options={options.teams}
                    showSearch={{ optionFilterProp: 'label' }}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={7}>
                <Form.Item
                  name={[index, 'route', 'language']}
                  label={t('routing_language')}
                  getValueProps={(v: string | null | undefined) => ({
                    value: v === undefined ? '__default' : v === null ? '__none' : v,
                  })}
                  normalize={(v: string) => (v === '__default' ? undefined : v === '__none' ? null : v)}
                  {...fieldError(`${path}.route.language`)}
                >
                  <Select aria-label={`${t('routing_language')} ${who}`} options={languageOptions} />
                </Form.Item>
              </Col>
            </Row>
            <Row gutter={12}>
              <Col xs={24} md={12}>
                <Form.Item label={t('routing_skills')} {...fieldError(`${path}.route.skills`)}>
                  <Form.List name={[index, 'route', 'skills']}>
                    {(skills, { add, remove: removeSkill }) => (
                      <Space orientation="vertical" size={6} style={{ width: '100%' }}>
                        {skills.map((s) => (
                          <Space key={s.key} size={6} wrap>
                            <Form.Item name={[s.name, 'skill']} noStyle>
                              <AutoComplete
                                aria-label={`${t('routing_skill')} ${s.name + 1} ${who}`}
                                options={options.skills}
                                style={{ width: 180 }}
                                showSearch={{
                                  filterOption: (input, option) =>
                                    String(option?.value ?? '').includes(input.toLowerCase()),
                                }}
                              />
                            </Form.Item>
                            <Form.Item name={[s.name, 'minProficiency']} noStyle>
                              <InputNumber
                                aria-label={`${t('routing_minProficiency')} ${s.name + 1} ${who}`}
                                prefix={t('routing_minShort')}
                                style={{ width: 130 }}
                              />
                            </Form.Item>
                            <Button
                              size="small"
                              aria-label={`${t('routing_remove')} ${t('routing_skill')} ${s.name + 1} ${who}`}
                              onClick={() => removeSkill(s.name)}
                            >
                              {t('routing_remove')}
                            </Button>
                          </Space>
                        ))}
                        <Button size="small" onClick={() => add({ skill: '', minProficiency: 1 })}>
                          {t('routing_addSkill')}
                        </Button>
                      </Space>
                    )}
                  </Form.List>
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item
                  name={[index, 'route', 'onsite']}
                  label={t('routing_onsite')}
                  valuePropName="checked"
                  {...fieldError(`${path}.route.onsite`)}
                >
                  <Switch aria-label={`${t('routing_onsite')} ${who}`} />
                </Form.Item>
              </Col>
              <Col xs={12} md={8}>
                <Form.Item
                  name={[index, 'route', 'maxDistanceKm']}
                  label={t('routing_maxDistanceKm')}
                  {...fieldError(`${path}.route.maxDistanceKm`)}
                >
                  <InputNumber
                    aria-label={`${t('routing_maxDistanceKm')} ${who}`}
                    style={{ width: '100%' }}
                  />
                </Form.Item>
              </Col>
            </Row>
            <Space size={8} wrap style={{ marginBottom: 8 }}>
              <Typography.Text strong>{t('routing_conditions')}</Typography.Text>
              {present.length === 0 && !customFields && (
                <Typography.Text type="secondary">{t('routing_noConditions')}</Typography.Text>
              )}
              {customFields > 0 && <Tag>{format('routing_customFieldsKept', { count: customFields })}</Tag>}
              {relax > 0 && <Tag>{format('routing_relaxKept', { count: relax })}</Tag>}
              {absent.length > 0 && (
                <Dropdown
                  trigger={['click']}
                  menu={{
                    items: absent.map((k) => ({ key: k, label: t(`cond_${k}`) })),
                    onClick: ({ key }) => form.setFieldValue(['rules', index, 'when', key], []),
                  }}
                >
                  <Button size="small" aria-label={`${t('routing_addCondition')} ${who}`}>
                    {t('routing_addCondition')} ▾
                  </Button>
                </Dropdown>
              )}
            </Space>
            <Row gutter={12}>
              {present.map((key) => {
                const label = `${t(`cond_${key}`)} ${who}`;
                const wide = key === 'keywords' || key === 'notKeywords' || key === 'categories';
                return (
                  <Col xs={24} md={wide ? 12 : 6} key={key}>
                    <Form.Item label={t(`cond_${key}`)} {...fieldError(`${path}.when.${key}`)}>
                      <div style={{ display: 'flex', gap: 6 }}>
                        <Form.Item name={[index, 'when', key]} noStyle>
                          <Select
                            aria-label={label}
                            mode={freeText.has(key) ? 'tags' : 'multiple'}
                            options={conditionOptions(key)}
                            tokenSeparators={freeText.has(key) ? [',', '，'] : undefined}
                            maxTagCount={wide ? 24 : undefined}
                            style={{ flex: 1, minWidth: 0 }}
                          />
                        </Form.Item>
                        <Button
                          aria-label={`${t('routing_remove')} ${label}`}
                          title={`${t('routing_remove')} ${t(`cond_${key}`)}`}
                          onClick={() => form.setFieldValue(['rules', index, 'when', key], undefined)}
                        >
                          ×
                        </Button>
                      </div>
                    </Form.Item>
                  </Col>
                );
              })}
            </Row>
          </>
        ) : (
          <div style={{ minHeight: 300 }} />
        )}
      </Card>
    </div>
  );
});
