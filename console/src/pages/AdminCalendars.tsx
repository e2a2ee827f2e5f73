import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Form,
  type FormListFieldData,
  Input,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
// dayjs comes with Ant Design's DatePicker; its zh-cn locale gives the picker Chinese weekdays.
import dayjs, { type Dayjs } from 'dayjs';
import 'dayjs/locale/zh-cn';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { type Api, ApiError, type FieldIssue } from '../api.ts';
import { useApp } from '../app-context.ts';
import { StickyBar } from '../components/field-errors.tsx';
import { useI18n } from '../i18n.tsx';

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Weekday = (typeof weekdays)[number];

interface Interval {
  start: string;
  end: string;
}

interface Holiday {
  date: string;
  until?: string;
  name?: string;
  [other: string]: unknown;
}

interface MakeUpDay {
  date: string;
  name?: string;
  followsWeekday?: Weekday;
  hours?: Interval[];
  [other: string]: unknown;
}

/** A calendar as `GET /config/calendars` gives it (defaults filled in by the API). */
interface Calendar {
  id: string;
  name: string;
  timeZone: string;
  alwaysOpen: boolean;
  weeklyHours: Record<Weekday, Interval[]>;
  holidays: Holiday[];
  makeUpDays: MakeUpDay[];
  [other: string]: unknown;
}

interface CalendarsView {
  version: number;
  calendars: Calendar[];
  /** Null (with version 0) while the seeded calendars apply. */
  updatedAt: string | null;
  updatedBy: { id: string; name?: string } | null;
  etag: string;
}

/** The form's values per calendar; the row objects keep what they were read from (`source`). */
interface HolidayRow {
  date: Dayjs | null;
  until: Dayjs | null;
  name: string;
  source?: Holiday;
}

interface MakeUpRow {
  date: Dayjs | null;
  name: string;
  /** A weekday whose hours the day follows, or its own hours. */
  follows: Weekday | 'own';
  hours: Interval[];
  source?: MakeUpDay;
}

interface CalendarValues {
  name: string;
  timeZone: string;
  alwaysOpen: boolean;
  week: Record<Weekday, { closed: boolean; intervals: Interval[] }>;
  holidays: HolidayRow[];
  makeUpDays: MakeUpRow[];
}

interface FormValues {
  calendars: CalendarValues[];
}

const queryKey = ['config', 'calendars'];
const officeDay: Interval = { start: '09:00', end: '18:00' };
const dateFormat = 'YYYY-MM-DD';

const commonZones = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Australia/Sydney',
  'UTC',
];

/** The API paths that a field of the editor shows beside itself; any other goes in the alert. */
const shownBesideField =
  /^calendars\.\d+\.(name|timeZone|alwaysOpen|weeklyHours(\.(mon|tue|wed|thu|fri|sat|sun)(\.\d+\.(start|end))?)?|holidays(\.\d+\.(date|until|name))?|makeUpDays(\.\d+\.(date|name|followsWeekday|hours(\.\d+\.(start|end))?))?)$/;

async function load(api: Api): Promise<CalendarsView> {
  const { body, etag } = await api.getWithEtag<Omit<CalendarsView, 'etag'>>('/config/calendars');
  return { ...body, etag: etag ?? String(body.version) };
}

const asDate = (iso: string | undefined) => (iso ? dayjs(iso, dateFormat) : null);
const asIso = (date: Dayjs | null | undefined) => (date ? date.format(dateFormat) : '');

/** A stored object without the keys the editor writes, so the rest goes back unchanged. */
const others = (source: object | undefined, keys: string[]) =>
  Object.fromEntries(Object.entries(source ?? {}).filter(([k]) => !keys.includes(k)));

function toValues(calendar: Calendar): CalendarValues {
  const hoursOf = (d: Weekday) => calendar.weeklyHours?.[d] ?? [];
  return {
    name: calendar.name,
    timeZone: calendar.timeZone,
    alwaysOpen: calendar.alwaysOpen,
    week: Object.fromEntries(
      weekdays.map((d) => [
        d,
        { closed: hoursOf(d).length === 0, intervals: hoursOf(d).map((i) => ({ ...i })) },
      ]),
    ) as CalendarValues['week'],
    holidays: calendar.holidays.map((h) => ({
      date: asDate(h.date),
      until: asDate(h.until),
      name: h.name ?? '',
      source: h,
    })),
    makeUpDays: calendar.makeUpDays.map((m) => ({
      date: asDate(m.date),
      name: m.name ?? '',
      follows: m.hours ? 'own' : (m.followsWeekday ?? 'mon'),
      hours: (m.hours ?? []).map((i) => ({ ...i })),
      source: m,
    })),
  };
}

/**
 * The calendar to PUT: what was read, with the edited parts replaced. Nothing is checked here; the
 * API's 400 names the field (an empty date goes as '' and comes back as an error beside it).
 */
function toCalendar(read: Calendar, values: CalendarValues): Calendar {
  const interval = (i: Interval) => ({ start: i?.start ?? '', end: i?.end ?? '' });
  return {
    ...read,
    name: values.name,
    timeZone: values.timeZone,
    alwaysOpen: values.alwaysOpen,
    weeklyHours: {
      ...read.weeklyHours,
      ...Object.fromEntries(
        weekdays.map((d) => {
          const day = values.week[d];
          return [d, day.closed ? [] : (day.intervals ?? []).map(interval)];
        }),
      ),
    },
    holidays: (values.holidays ?? []).map((row) => ({
      ...others(row.source, ['date', 'until', 'name']),
      date: asIso(row.date),
      ...(row.until ? { until: asIso(row.until) } : {}),
      ...(row.name ? { name: row.name } : {}),
    })),
    makeUpDays: (values.makeUpDays ?? []).map((row) => ({
      ...others(row.source, ['date', 'name', 'followsWeekday', 'hours']),
      date: asIso(row.date),
      ...(row.name ? { name: row.name } : {}),
      // Monday is what a day without either follows: keep it implicit unless it was written out.
      ...(row.follows === 'own'
        ? { hours: (row.hours ?? []).map(interval) }
        : row.follows === 'mon' && !row.source?.followsWeekday
          ? {}
          : { followsWeekday: row.follows }),
    })),
  };
}

type ErrorAt = (...path: (string | number)[]) => { validateStatus?: 'error'; help?: ReactNode };

/**
 * The business calendars as forms: name, time zone, the weekly hours, holidays and make-up working
 * days (调休). The whole document is saved with If-Match of the version read; the API's field errors
 * appear beside their fields, and a change made meanwhile by someone else is a 412 explained here.
 */
export default function AdminCalendars() {
  const { api } = useApp();
  const { t, format, lang } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<{ title: string; issues: FieldIssue[] } | null>(null);
  /** After a 412: the version now stored (null when it could not be read). */
  const [conflict, setConflict] = useState<{ latest: CalendarsView | null } | null>(null);
  const [saving, setSaving] = useState(false);
  /** The first field the API named, to bring into view once it is on screen. */
  const [scrollTo, setScrollTo] = useState<(string | number)[] | null>(null);
  const config = useQuery({ queryKey, queryFn: () => load(api), refetchOnWindowFocus: false });

  const reset = (data: CalendarsView) => {
    form.resetFields();
    form.setFieldsValue({ calendars: data.calendars.map(toValues) });
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the form is reset only when the data read changes.
  useEffect(() => {
    if (config.data) reset(config.data);
  }, [config.data]);

  useEffect(() => {
    if (!scrollTo) return;
    form.scrollToField(scrollTo, { block: 'center' });
    setScrollTo(null);
  }, [scrollTo, form]);

  const discard = () => {
    setErrors({});
    setProblem(null);
    if (config.data) reset(config.data);
  };

  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  const nameOf = (by: CalendarsView['updatedBy']) => (by ? (by.name ?? by.id) : t('cal_seeded'));

  const save = async () => {
    const current = config.data!;
    const values = form.getFieldsValue(true) as FormValues;
    const calendars = current.calendars.map((c, i) => toCalendar(c, values.calendars[i]!));
    setSaving(true);
    try {
      await api.send('PUT', '/config/calendars', { calendars }, current.etag);
      setErrors({});
      setProblem(null);
      setConflict(null);
      message.success(t('saved'));
      await queryClient.invalidateQueries({ queryKey });
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setProblem({ title: error instanceof Error ? error.message : String(error), issues: [] });
        return;
      }
      if (error.status === 412) {
        setErrors({});
        setProblem(null);
        setConflict({ latest: await load(api).catch(() => null) });
        return;
      }
      const byField: Record<string, string> = {};
      for (const f of error.fields) byField[f.path] = f.message;
      setErrors(byField);
      setConflict(null);
      setProblem({
        title: error.fields.length > 0 ? t('cal_invalid') : error.message,
        issues: error.fields.filter((f) => !shownBesideField.test(f.path)),
      });
      // Stay on the calendar on screen if it has errors, else show the first that has; bring its
      // first named field into view.
      const calendarOf = (path: string) => Number(path.match(/^calendars\.(\d+)\./)?.[1] ?? Number.NaN);
      const shown = Math.max(
        current.calendars.findIndex((c) => c.id === selectedId),
        0,
      );
      const named = error.fields.filter((f) => !Number.isNaN(calendarOf(f.path)));
      const target = named.some((f) => calendarOf(f.path) === shown)
        ? shown
        : calendarOf(named[0]?.path ?? '');
      if (Number.isNaN(target)) return;
      setSelectedId(current.calendars[target]?.id ?? null);
      const first = named.filter((f) => calendarOf(f.path) === target).map((f) => formPath(f.path));
      setScrollTo(first.find((p) => p !== null) ?? null);
    } finally {
      setSaving(false);
    }
  };

  const reloadLatest = async () => {
    const latest = conflict?.latest;
    setConflict(null);
    setErrors({});
    setProblem(null);
    if (latest) queryClient.setQueryData(queryKey, latest);
    else await queryClient.invalidateQueries({ queryKey });
  };

  const errorAt: ErrorAt = (...path) => {
    const text = errors[path.join('.')];
    return text ? { validateStatus: 'error' as const, help: text } : {};
  };

  if (config.isLoading) return <Card loading />;
  if (config.isError) return <Alert type="error" showIcon title={config.error.message} />;
  const data = config.data!;
  const index = Math.max(
    data.calendars.findIndex((c) => c.id === selectedId),
    0,
  );
  const calendar = data.calendars[index]!;
  const hasErrors = (i: number) => Object.keys(errors).some((k) => k.startsWith(`calendars.${i}.`));
  const latest = conflict?.latest;

  return (
    <Card>
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <div>
          <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
            {t('admin_calendars')}
          </Typography.Title>
          <Typography.Text type="secondary" data-version={data.version}>
            {t('version')} {data.version} · {t('updatedBy')}: {nameOf(data.updatedBy)}
            {data.updatedAt ? ` · ${when(data.updatedAt)}` : ''}
          </Typography.Text>
        </div>
        <Space wrap>
          <label htmlFor="calendar-picker">{t('cal_pick')}</label>
          <Select
            id="calendar-picker"
            aria-label={t('cal_pick')}
            value={calendar.id}
            onChange={setSelectedId}
            style={{ minWidth: 320 }}
            options={data.calendars.map((c, i) => ({
              value: c.id,
              label: (
                <span>
                  {c.name} ({c.id}){' '}
                  {hasErrors(i) && (
                    <Tag color="red" style={{ marginInlineStart: 4 }}>
                      {t('cal_hasErrors')}
                    </Tag>
                  )}
                </span>
              ),
            }))}
          />
        </Space>
        {/* No submit button: Enter confirms a typed date or time, it does not save the whole document. */}
        <Form form={form} layout="vertical">
          <CalendarEditor
            key={calendar.id}
            index={index}
            calendar={calendar}
            errorAt={errorAt}
            errors={errors}
          />
        </Form>
      </Space>
      {/* The page is long: saving and its outcome stay in view at the bottom of the window. */}
      <StickyBar style={{ marginTop: 8 }}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          {conflict && (
            <Alert
              type="warning"
              showIcon
              role="alert"
              title={t('cal_conflictTitle')}
              description={
                latest
                  ? format('cal_conflictBody', {
                      by: nameOf(latest.updatedBy),
                      at: latest.updatedAt ? when(latest.updatedAt) : '—',
                      version: latest.version,
                    })
                  : t('cal_conflictUnknown')
              }
              action={
                <Button size="small" onClick={reloadLatest}>
                  {t('cal_reloadLatest')}
                </Button>
              }
            />
          )}
          {problem && (
            <Alert
              type="error"
              showIcon
              role="alert"
              title={problem.title}
              description={
                problem.issues.length > 0 ? (
                  <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                    {problem.issues.map((f) => (
                      <li key={f.path}>
                        <code>{f.path}</code>: {f.message}
                      </li>
                    ))}
                  </ul>
                ) : undefined
              }
            />
          )}
          <Space>
            <Button type="primary" onClick={save} loading={saving}>
              {t('save')}
            </Button>
            <Button onClick={discard}>{t('cal_discard')}</Button>
          </Space>
        </Space>
      </StickyBar>
    </Card>
  );
}

/** Where the form keeps the field an API path names (`calendars.1.weeklyHours.mon.0.start`). */
function formPath(apiPath: string): (string | number)[] | null {
  const parts = apiPath.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [root, i, section, ...rest] = parts;
  if (root !== 'calendars' || typeof i !== 'number' || section === undefined) return null;
  if (section === 'weeklyHours')
    return rest.length === 3 ? ['calendars', i, 'week', rest[0]!, 'intervals', rest[1]!, rest[2]!] : null;
  if (section === 'makeUpDays' && rest[1] === 'followsWeekday')
    return ['calendars', i, section, rest[0]!, 'follows'];
  return ['calendars', i, section, ...rest];
}

function CalendarEditor({
  index,
  calendar,
  errorAt,
  errors,
}: {
  index: number;
  calendar: Calendar;
  errorAt: ErrorAt;
  errors: Record<string, string>;
}) {
  const { t, format } = useI18n();
  // Untyped: the paths below are built per weekday and row, not literal tuples.
  const form = Form.useFormInstance();
  const values = Form.useWatch(['calendars', index], { form, preserve: true }) as CalendarValues | undefined;
  const base = ['calendars', index] as const;
  const zones = useMemo(() => {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const rest = [...new Set([calendar.timeZone, ...all])].filter((z) => !commonZones.includes(z)).sort();
    return [
      { label: t('cal_commonZones'), options: commonZones.map((z) => ({ value: z, label: z })) },
      { label: t('cal_allZones'), options: rest.map((z) => ({ value: z, label: z })) },
    ];
  }, [calendar.timeZone, t]);
  // An always-open calendar ignores hours, holidays and make-up days: they stay hidden (and kept)
  // unless the API has something to say about them.
  const hoursErrors = Object.keys(errors).some((k) =>
    /^calendars\.\d+\.(weeklyHours|holidays|makeUpDays)/.test(k)
      ? k.startsWith(`calendars.${index}.`)
      : false,
  );
  const showHours = !values?.alwaysOpen || hoursErrors;
  const dayName = (d: Weekday) => t(`cal_${d}`);

  const setOpen = (d: Weekday, closed: boolean) => {
    const path = [...base, 'week', d, 'intervals'];
    if (!closed && (form.getFieldValue(path) ?? []).length === 0)
      form.setFieldValue(path, [{ ...officeDay }]);
  };
  const setFollows = (row: number, follows: string) => {
    const path = [...base, 'makeUpDays', row, 'hours'];
    if (follows === 'own' && (form.getFieldValue(path) ?? []).length === 0)
      form.setFieldValue(path, [{ ...officeDay }]);
  };

  const sectionTitle = (key: string, path: string) => (
    <div style={{ marginBottom: 8 }}>
      <Typography.Title level={2} style={{ fontSize: 16, margin: '8px 0 0' }}>
        {t(key)}
      </Typography.Title>
      <Typography.Text type="secondary">{t(`${key}Hint`)}</Typography.Text>
      {errors[`calendars.${index}.${path}`] && (
        <div>
          <Typography.Text type="danger">{errors[`calendars.${index}.${path}`]}</Typography.Text>
        </div>
      )}
    </div>
  );

  return (
    <>
      <Space style={{ marginBottom: 8 }} data-calendar={calendar.id}>
        <Typography.Text type="secondary">ID</Typography.Text>
        <Tag>{calendar.id}</Tag>
      </Space>
      <Row gutter={16}>
        <Col xs={24} md={10}>
          <Form.Item name={[...base, 'name']} label={t('cal_name')} {...errorAt(...base, 'name')}>
            <Input aria-label={t('cal_name')} maxLength={200} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={[...base, 'timeZone']} label={t('cal_timeZone')} {...errorAt(...base, 'timeZone')}>
            <Select aria-label={t('cal_timeZone')} showSearch options={zones} />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item
            name={[...base, 'alwaysOpen']}
            label={t('cal_alwaysOpen')}
            valuePropName="checked"
            {...errorAt(...base, 'alwaysOpen')}
          >
            <Switch aria-label={t('cal_alwaysOpen')} />
          </Form.Item>
        </Col>
      </Row>
      {values?.alwaysOpen && (
        <Alert type="info" showIcon title={t('cal_alwaysOpenHint')} style={{ marginBottom: 16 }} />
      )}
      {showHours && (
        <>
          {sectionTitle('cal_weeklyHours', 'weeklyHours')}
          <Table
            size="small"
            pagination={false}
            rowKey="day"
            style={{ marginBottom: 16 }}
            dataSource={weekdays.map((day) => ({ day }))}
            columns={[
              { title: t('cal_day'), dataIndex: 'day', width: 120, render: (d: Weekday) => dayName(d) },
              {
                title: t('cal_closed'),
                dataIndex: 'day',
                key: 'closed',
                width: 80,
                render: (d: Weekday) => (
                  <Form.Item name={[...base, 'week', d, 'closed']} valuePropName="checked" noStyle>
                    <Checkbox
                      aria-label={format('cal_ariaClosed', { day: dayName(d) })}
                      onChange={(e) => setOpen(d, e.target.checked)}
                    />
                  </Form.Item>
                ),
              },
              {
                title: t('cal_hours'),
                dataIndex: 'day',
                key: 'hours',
                render: (d: Weekday) =>
                  values?.week?.[d]?.closed ? (
                    <Typography.Text type="secondary">—</Typography.Text>
                  ) : (
                    <>
                      <Intervals
                        name={[...base, 'week', d, 'intervals']}
                        errorPath={[...base, 'weeklyHours', d]}
                        label={(n) => format('cal_ariaShift', { day: dayName(d), n })}
                        errorAt={errorAt}
                      />
                      {errors[`calendars.${index}.weeklyHours.${d}`] && (
                        <Typography.Text type="danger">
                          {errors[`calendars.${index}.weeklyHours.${d}`]}
                        </Typography.Text>
                      )}
                    </>
                  ),
              },
            ]}
          />

          {sectionTitle('cal_holidays', 'holidays')}
          <Form.List name={[...base, 'holidays']}>
            {(fields, { add, remove }) => (
              <>
                <Table<FormListFieldData>
                  size="small"
                  pagination={false}
                  rowKey="key"
                  dataSource={fields}
                  locale={{ emptyText: t('cal_none') }}
                  columns={[
                    {
                      title: t('cal_date'),
                      width: 200,
                      render: (_, f) => (
                        <Form.Item
                          name={[f.name, 'date']}
                          style={{ marginBottom: 0 }}
                          {...errorAt(...base, 'holidays', f.name, 'date')}
                        >
                          <DatePicker
                            aria-label={`${format('cal_ariaHoliday', { n: f.name + 1 })} ${t('cal_date')}`}
                            format={dateFormat}
                            placeholder={dateFormat}
                          />
                        </Form.Item>
                      ),
                    },
                    {
                      title: t('cal_until'),
                      width: 200,
                      render: (_, f) => (
                        <Form.Item
                          name={[f.name, 'until']}
                          style={{ marginBottom: 0 }}
                          {...errorAt(...base, 'holidays', f.name, 'until')}
                        >
                          <DatePicker
                            aria-label={`${format('cal_ariaHoliday', { n: f.name + 1 })} ${t('cal_until')}`}
                            format={dateFormat}
                            placeholder={t('cal_untilPlaceholder')}
                          />
                        </Form.Item>
                      ),
                    },
                    {
                      title: t('cal_holidayName'),
                      render: (_, f) => (
                        <Form.Item
                          name={[f.name, 'name']}
                          style={{ marginBottom: 0 }}
                          {...errorAt(...base, 'holidays', f.name, 'name')}
                        >
                          <Input
                            aria-label={`${format('cal_ariaHoliday', { n: f.name + 1 })} ${t('cal_holidayName')}`}
                          />
                        </Form.Item>
                      ),
                    },
                    {
                      title: t('actions'),
                      width: 90,
                      render: (_, f) => (
                        <Button
                          type="link"
                          aria-label={format('cal_ariaRemove', {
                            what: format('cal_ariaHoliday', { n: f.name + 1 }),
                          })}
                          onClick={() => remove(f.name)}
                        >
                          {t('cal_remove')}
                        </Button>
                      ),
                    },
                  ]}
                />
                <Button
                  style={{ margin: '8px 0 16px' }}
                  onClick={() => add({ date: null, until: null, name: '' } satisfies HolidayRow)}
                >
                  + {t('cal_addHoliday')}
                </Button>
              </>
            )}
          </Form.List>

          {sectionTitle('cal_makeUpDays', 'makeUpDays')}
          <Form.List name={[...base, 'makeUpDays']}>
            {(fields, { add, remove }) => (
              <>
                <Table<FormListFieldData>
                  size="small"
                  pagination={false}
                  rowKey="key"
                  dataSource={fields}
                  locale={{ emptyText: t('cal_none') }}
                  columns={[
                    {
                      title: t('cal_date'),
                      width: 200,
                      render: (_, f) => (
                        <Form.Item
                          name={[f.name, 'date']}
                          style={{ marginBottom: 0 }}
                          {...errorAt(...base, 'makeUpDays', f.name, 'date')}
                        >
                          <DatePicker
                            aria-label={`${format('cal_ariaMakeUp', { n: f.name + 1 })} ${t('cal_date')}`}
                            format={dateFormat}
                            placeholder={dateFormat}
                          />
                        </Form.Item>
                      ),
                    },
                    {
                      title: t('cal_holidayName'),
                      width: 220,
                      render: (_, f) => (
                        <Form.Item
                          name={[f.name, 'name']}
                          style={{ marginBottom: 0 }}
                          {...errorAt(...base, 'makeUpDays', f.name, 'name')}
                        >
                          <Input
                            aria-label={`${format('cal_ariaMakeUp', { n: f.name + 1 })} ${t('cal_holidayName')}`}
                          />
                        </Form.Item>
                      ),
                    },
                    {
                      title: t('cal_hours'),
                      render: (_, f) => (
                        <Space orientation="vertical" size={4}>
                          <Form.Item
                            name={[f.name, 'follows']}
                            style={{ marginBottom: 0 }}
                            {...errorAt(...base, 'makeUpDays', f.name, 'followsWeekday')}
                          >
                            <Select
                              aria-label={`${format('cal_ariaMakeUp', { n: f.name + 1 })} ${t('cal_hours')}`}
                              style={{ width: 180 }}
                              onChange={(v: string) => setFollows(f.name, v)}
                              options={[
                                ...weekdays.map((d) => ({
                                  value: d,
                                  label: format('cal_followsDay', { day: dayName(d) }),
                                })),
                                { value: 'own', label: t('cal_ownHours') },
                              ]}
                            />
                          </Form.Item>
                          {values?.makeUpDays?.[f.name]?.follows === 'own' && (
                            <Intervals
                              name={[f.name, 'hours']}
                              errorPath={[...base, 'makeUpDays', f.name, 'hours']}
                              label={(n) => format('cal_ariaMakeUpShift', { row: f.name + 1, n })}
                              errorAt={errorAt}
                            />
                          )}
                          {errors[`calendars.${index}.makeUpDays.${f.name}.hours`] && (
                            <Typography.Text type="danger">
                              {errors[`calendars.${index}.makeUpDays.${f.name}.hours`]}
                            </Typography.Text>
                          )}
                        </Space>
                      ),
                    },
                    {
                      title: t('actions'),
                      width: 90,
                      render: (_, f) => (
                        <Button
                          type="link"
                          aria-label={format('cal_ariaRemove', {
                            what: format('cal_ariaMakeUp', { n: f.name + 1 }),
                          })}
                          onClick={() => remove(f.name)}
                        >
                          {t('cal_remove')}
                        </Button>
                      ),
                    },
                  ]}
                />
                <Button
                  style={{ margin: '8px 0 16px' }}
                  onClick={() => add({ date: null, name: '', follows: 'mon', hours: [] } satisfies MakeUpRow)}
                >
                  + {t('cal_addMakeUp')}
                </Button>
              </>
            )}
          </Form.List>
        </>
      )}
    </>
  );
}

/** Working intervals (`HH:mm`–`HH:mm`) as text inputs, so the API judges them (24:00, overnight). */
function Intervals({
  name,
  errorPath,
  label,
  errorAt,
}: {
  name: (string | number)[];
  errorPath: readonly (string | number)[];
  /** The accessible name of shift `n` (from 1), e.g. 周一第1段. */
  label: (n: number) => string;
  errorAt: ErrorAt;
}) {
  const { t, format } = useI18n();
  // The message runs on under the narrow time input instead of widening it out of line.
  const unwrapped = (e: ReturnType<ErrorAt>) =>
    e.help ? { ...e, help: <span style={{ whiteSpace: 'nowrap' }}>{e.help}</span> } : e;
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <Space wrap size={[16, 4]} align="start">
          {fields.map((f) => (
            <Space key={f.key} size={4} align="start" data-shift={label(f.name + 1)}>
              <Form.Item
                name={[f.name, 'start']}
                style={{ marginBottom: 0, width: 76 }}
                {...unwrapped(errorAt(...errorPath, f.name, 'start'))}
              >
                <Input
                  aria-label={`${label(f.name + 1)} ${t('cal_start')}`}
                  placeholder="HH:mm"
                  style={{ width: 76 }}
                />
              </Form.Item>
              <span style={{ lineHeight: '32px' }}>–</span>
              <Form.Item
                name={[f.name, 'end']}
                style={{ marginBottom: 0, width: 76 }}
                {...unwrapped(errorAt(...errorPath, f.name, 'end'))}
              >
                <Input
                  aria-label={`${label(f.name + 1)} ${t('cal_end')}`}
                  placeholder="HH:mm"
                  style={{ width: 76 }}
                />
              </Form.Item>
              <Button
                type="text"
                aria-label={format('cal_ariaRemove', { what: label(f.name + 1) })}
                onClick={() => remove(f.name)}
              >
                ×
              </Button>
            </Space>
          ))}
          <Button type="link" onClick={() => add({ ...officeDay })} style={{ paddingInline: 4 }}>
            + {t('cal_addShift')}
          </Button>
        </Space>
      )}
    </Form.List>
  );
}
