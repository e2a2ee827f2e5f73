import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Dropdown,
  Grid,
  Input,
  Progress,
  Radio,
  Result,
  Select,
  Space,
  Statistic,
  Steps,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { type ReactNode, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { useApp } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate, usePath } from '../router.ts';
import { link } from '../Shell.tsx';
import {
  type CheckOptions,
  commit,
  type DateOrder,
  download,
  type ImportField,
  type ImportIssue,
  type ImportMapping,
  type ImportRecord,
  type ImportSummary,
  importFields,
  importOptions,
  importsOptions,
  isBusy,
  mappingsOptions,
  recheck,
  requiredFields,
  saveMapping,
  uploadImport,
} from './import-api.ts';

const base = '/admin/import';
const statusColours: Record<string, string> = {
  uploading: 'processing',
  checking: 'processing',
  checked: 'blue',
  committing: 'processing',
  completed: 'success',
  failed: 'error',
};

/** The import the wizard shows is in the address (`?id=`), so a reload or a shared link reopens it. */
function useImportId(): string | null {
  const path = usePath();
  const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  return new URLSearchParams(query).get('id');
}
const openImport = (id: string | null) =>
  navigate(id ? `${base}?id=${encodeURIComponent(id)}` : base, { replace: !id });

/**
 * The import wizard (admin): upload a CSV/XLSX file for a pre-check, see its encoding and how its
 * columns map to Gongdan fields, read the report of bad rows with their suggestions, apply them, then
 * commit with a live progress bar. Every step reads the import record (`GET /imports/{id}`), polled
 * about every 500 ms while the server checks or commits.
 */
export default function ImportWizard() {
  const { api } = useApp();
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const wide = Grid.useBreakpoint().md !== false;
  const importId = useImportId();
  const [view, setView] = useState<'mapping' | 'report'>('mapping');
  // A check or commit was just asked for: poll even before the record says it is busy.
  const askedAt = useRef(0);
  const record = useQuery({
    ...importOptions(api, importId ?? ''),
    enabled: !!importId,
    refetchInterval: (query) =>
      isBusy(query.state.data?.status) || Date.now() - askedAt.current < 3000 ? 500 : false,
  });
  const data = record.data;

  const act = useMutation({
    mutationFn: ({ kind, options }: { kind: 'check' | 'commit'; options: CheckOptions }) =>
      kind === 'check' ? recheck(api, importId!, options) : commit(api, importId!, options),
    onMutate: () => {
      askedAt.current = Date.now();
    },
    onSuccess: () => {
      askedAt.current = Date.now();
      void queryClient.invalidateQueries({ queryKey: ['imports'] });
    },
    onError: (error) => message.error(error.message),
  });
  /** Asks for a check (or the commit) with the record's current options changed by `change`. */
  const run = (kind: 'check' | 'commit', change: CheckOptions = {}) => {
    if (!data) return;
    act.mutate({ kind, options: { ...currentOptions(data), ...change } });
  };

  const committed =
    !!data &&
    (data.status === 'committing' ||
      data.status === 'completed' ||
      (data.status === 'failed' && !data.dryRun));
  const step = !importId ? 0 : committed ? 3 : view === 'report' ? 2 : 1;

  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 20, marginTop: 0 }}>
        {t('imp_title')}
      </Typography.Title>
      <Steps
        current={step}
        orientation={wide ? 'horizontal' : 'vertical'}
        size="small"
        style={{ marginBottom: 24 }}
        items={[
          { title: t('imp_stepUpload') },
          { title: t('imp_stepMapping') },
          { title: t('imp_stepReport') },
          { title: t('imp_stepCommit') },
        ]}
      />
      {record.isError && (
        <Alert type="error" showIcon message={record.error.message} style={{ marginBottom: 16 }} />
      )}
      {step === 0 ? (
        <UploadStep
          onUploaded={(id) => {
            setView('mapping');
            askedAt.current = Date.now();
            openImport(id);
          }}
        />
      ) : !data ? (
        <Card loading />
      ) : step === 1 ? (
        <MappingStep
          record={data}
          busy={act.isPending}
          onMap={(mapping) => run('check', { mapping })}
          onBack={() => openImport(null)}
          onNext={() => setView('report')}
        />
      ) : step === 2 ? (
        <ReportStep
          record={data}
          busy={act.isPending}
          onCheck={(change) => run('check', change)}
          onCommit={() => run('commit')}
          onBack={() => setView('mapping')}
        />
      ) : (
        <CommitStep
          record={data}
          onNew={() => {
            setView('mapping');
            openImport(null);
          }}
        />
      )}
    </Card>
  );
}

const currentOptions = (record: ImportRecord): CheckOptions => ({
  mapping: record.mapping,
  ...(record.options?.applySuggestions ? { applySuggestions: true } : {}),
  ...(record.options?.dateOrder ? { dateOrder: record.options.dateOrder } : {}),
});

/** Step 1: the file (multipart `file`), a saved mapping to use, the templates, and recent imports. */
function UploadStep({ onUploaded }: { onUploaded: (id: string) => void }) {
  const { api, config } = useApp();
  const { t } = useI18n();
  const [mappingName, setMappingName] = useState<string | undefined>();
  const [problem, setProblem] = useState<ApiError | Error | null>(null);
  const [uploading, setUploading] = useState(false);
  const mappings = useQuery(mappingsOptions(api));
  const queryClient = useQueryClient();

  const templates = (['csv', 'xlsx'] as const).flatMap((format) =>
    (['zh', 'en'] as const).map((locale) => ({
      key: `${format}-${locale}`,
      label: t(`imp_template_${format}_${locale}`),
      onClick: () =>
        void download(
          config.apiUrl,
          `/imports/template?format=${format}&locale=${locale}`,
          `gongdan-import-template-${locale}.${format}`,
        ).catch((e: Error) => setProblem(e)),
    })),
  );

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Upload.Dragger
        name="file"
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        multiple={false}
        showUploadList={false}
        disabled={uploading}
        customRequest={({ file }) => {
          setProblem(null);
          setUploading(true);
          uploadImport(config.apiUrl, file as File, mappingName ? { mappingName } : {})
            .then((id) => {
              void queryClient.invalidateQueries({ queryKey: ['imports'] });
              onUploaded(id);
            })
            .catch((e: Error) => setProblem(e))
            .finally(() => setUploading(false));
        }}
      >
        <Typography.Paragraph strong style={{ marginBottom: 4 }}>
          {uploading ? t('imp_uploading') : t('imp_drop')}
        </Typography.Paragraph>
        <Typography.Text type="secondary">{t('imp_dropHint')}</Typography.Text>
      </Upload.Dragger>
      {problem && (
        <Alert
          type="error"
          showIcon
          message={t('imp_uploadFailed')}
          description={
            <>
              {problem.message}
              {problem instanceof ApiError &&
                problem.fields.map((f) => (
                  <div key={f.path}>
                    {f.path}: {f.message}
                  </div>
                ))}
            </>
          }
        />
      )}
      <Space wrap>
        <Select
          allowClear
          aria-label={t('imp_savedMapping')}
          placeholder={t('imp_savedMapping')}
          style={{ minWidth: 220 }}
          value={mappingName}
          onChange={setMappingName}
          options={(mappings.data ?? []).map((m) => ({ value: m.name, label: m.name }))}
          notFoundContent={t('imp_noMappings')}
        />
        <Dropdown menu={{ items: templates }} trigger={['click']}>
          <Button>{t('imp_template')}</Button>
        </Dropdown>
      </Space>
      <RecentImports />
    </Space>
  );
}

/** `GET /imports`: the latest imports, newest first; one click reopens one in the wizard. */
function RecentImports() {
  const { api } = useApp();
  const { t, lang } = useI18n();
  const imports = useQuery({ ...importsOptions(api), refetchInterval: 5000 });
  return (
    <div>
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {t('imp_recent')}
      </Typography.Title>
      <ScrollBox label={t('imp_recent')} minWidth={720}>
        <Table<ImportSummary>
          rowKey="id"
          size="small"
          loading={imports.isLoading}
          dataSource={imports.data ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          // Ant's default empty text is too pale for WCAG AA: secondary text is darkened in the theme.
          locale={{ emptyText: <Typography.Text type="secondary">{t('imp_noImports')}</Typography.Text> }}
          columns={[
            {
              title: t('imp_file'),
              key: 'file',
              render: (_, row) => (
                <a
                  href={href(`${base}?id=${encodeURIComponent(row.id)}`)}
                  onClick={link(`${base}?id=${encodeURIComponent(row.id)}`)}
                >
                  {row.fileName ?? row.id}
                </a>
              ),
            },
            {
              title: t('imp_when'),
              dataIndex: 'createdAt',
              width: 200,
              render: (v?: string) =>
                v ? new Date(v).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '—',
            },
            {
              title: t('status'),
              dataIndex: 'status',
              width: 110,
              render: (s: string) => <Tag color={statusColours[s]}>{t(`imp_status_${s}`)}</Tag>,
            },
            { title: t('imp_rows'), dataIndex: 'total', width: 90, render: (v?: number) => v ?? '—' },
            { title: t('imp_created'), dataIndex: 'created', width: 90, render: (v?: number) => v ?? '—' },
            { title: t('imp_skipped'), dataIndex: 'skipped', width: 90, render: (v?: number) => v ?? '—' },
            { title: t('imp_errors'), dataIndex: 'errorCount', width: 90, render: (v?: number) => v ?? '—' },
          ]}
        />
      </ScrollBox>
    </div>
  );
}

/** What a file's header is mapped to; the label names the field in the user's language. */
function fieldOptions(t: (k: string) => string) {
  return [
    { value: '', label: t('imp_ignore') },
    ...importFields.map((f) => ({
      value: f,
      label: `${t(`impf_${f}`)}${requiredFields.includes(f) ? ' *' : ''} (${f})`,
    })),
  ];
}

/** Step 2: the detected encoding and format, and each header's Gongdan field (a change re-checks). */
function MappingStep({
  record,
  busy,
  onMap,
  onBack,
  onNext,
}: {
  record: ImportRecord;
  busy: boolean;
  onMap: (mapping: ImportMapping) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const { api } = useApp();
  const { t, format } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const wide = Grid.useBreakpoint().md !== false;
  const options = useMemo(() => fieldOptions(t), [t]);
  const save = useMutation({
    mutationFn: () => saveMapping(api, name.trim(), record.mapping),
    onSuccess: () => {
      message.success(format('imp_mappingSaved', { name: name.trim() }));
      void queryClient.invalidateQueries({ queryKey: ['imports', 'mappings'] });
    },
    onError: (error) => message.error(error.message),
  });
  const mapped = new Set(Object.values(record.mapping).filter(Boolean));
  const missing = requiredFields.filter((f) => !mapped.has(f));
  const checking = isBusy(record.status) || busy;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <FileFacts record={record} />
      {record.status === 'failed' && <Failure record={record} />}
      {missing.length > 0 && (
        <Alert
          type="warning"
          showIcon
          message={format('imp_missing', { fields: missing.map((f) => t(`impf_${f}`)).join('、') })}
        />
      )}
      <ScrollBox label={t('imp_stepMapping')} minWidth={290}>
        <Table<{ header: string; field: ImportField | null }>
          rowKey="header"
          size="small"
          loading={checking && !record.headers.length}
          pagination={false}
          dataSource={record.headers.map((header) => ({ header, field: record.mapping[header] ?? null }))}
          columns={[
            { title: t('imp_column'), dataIndex: 'header', width: wide ? 200 : 110 },
            {
              title: t('imp_field'),
              key: 'field',
              render: (_, row) => (
                <Select
                  aria-label={format('imp_fieldFor', { header: row.header })}
                  value={row.field ?? ''}
                  disabled={checking}
                  style={{ width: '100%', minWidth: 150, maxWidth: 440 }}
                  showSearch={{ optionFilterProp: 'label' }}
                  options={options}
                  onChange={(value: string) =>
                    onMap({ ...record.mapping, [row.header]: (value || null) as ImportField | null })
                  }
                />
              ),
            },
          ]}
        />
      </ScrollBox>
      <Space wrap>
        <Input
          aria-label={t('imp_mappingName')}
          placeholder={t('imp_mappingName')}
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          style={{ width: 220 }}
        />
        <Button onClick={() => save.mutate()} disabled={!name.trim()} loading={save.isPending}>
          {t('imp_saveMapping')}
        </Button>
      </Space>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Button onClick={onBack}>{t('imp_newFile')}</Button>
        <Button type="primary" onClick={onNext} loading={checking} disabled={record.status === 'failed'}>
          {checking ? t('imp_checking') : t('imp_toReport')}
        </Button>
      </Space>
    </Space>
  );
}

/** File name, format, detected encoding, rows and status. */
function FileFacts({ record }: { record: ImportRecord }) {
  const { t } = useI18n();
  return (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, sm: 2, md: 3 }}
      items={[
        { key: 'file', label: t('imp_file'), children: record.fileName },
        { key: 'format', label: t('imp_format'), children: record.format?.toUpperCase() },
        {
          key: 'encoding',
          label: t('imp_encoding'),
          children: (
            <Tag color="geekblue" data-encoding={record.encoding ?? ''}>
              {record.encoding ?? '—'}
            </Tag>
          ),
        },
        { key: 'rows', label: t('imp_rows'), children: record.total },
        {
          key: 'status',
          label: t('status'),
          children: <Tag color={statusColours[record.status]}>{t(`imp_status_${record.status}`)}</Tag>,
        },
      ]}
    />
  );
}

function Failure({ record }: { record: ImportRecord }) {
  const { t } = useI18n();
  const text =
    typeof record.failure === 'string'
      ? record.failure
      : (record.failure?.message ?? record.failure?.code ?? '');
  return <Alert type="error" showIcon message={t('imp_failed')} description={text} />;
}

/**
 * Step 3: the pre-check report. Counts, the issues (row, column, code, message, suggestion) filtered by
 * code, "apply suggestions", the day/month order for ambiguous dates, the errors file, and commit.
 */
function ReportStep({
  record,
  busy,
  onCheck,
  onCommit,
  onBack,
}: {
  record: ImportRecord;
  busy: boolean;
  onCheck: (change: CheckOptions) => void;
  onCommit: () => void;
  onBack: () => void;
}) {
  const { config } = useApp();
  const { t, format } = useI18n();
  const { message } = AntApp.useApp();
  const [codes, setCodes] = useState<string[]>([]);
  const checking = isBusy(record.status) || busy;
  const byCode = useMemo(() => {
    const counts = new Map<string, number>();
    for (const issue of record.errors) counts.set(issue.code, (counts.get(issue.code) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]);
  }, [record.errors]);
  const shown = codes.length ? record.errors.filter((i) => codes.includes(i.code)) : record.errors;
  const errorRows = new Set(record.errors.filter((i) => i.severity === 'error').map((i) => i.row)).size;
  const warnings = record.warningCount ?? 0;
  // The record lists the first 500 issues; errorCount and warningCount count all of them.
  const complete = record.errors.length >= record.errorCount + warnings;
  const applied = !!record.options?.applySuggestions;
  const dateOrder = record.options?.dateOrder;
  const ambiguous = dateOrder !== undefined || record.errors.some((i) => i.code === 'DATE_AMBIGUOUS');
  const suggestions = record.errors.some((i) => i.suggestion && !i.applied && i.code !== 'DATE_AMBIGUOUS');

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <FileFacts record={record} />
      {record.status === 'failed' && <Failure record={record} />}
      <Space wrap size={32} data-report>
        <Statistic title={t('imp_rows')} value={record.total} />
        <Statistic title={t('imp_errors')} value={record.errorCount} />
        <Statistic title={t('imp_warnings')} value={warnings} />
        <Statistic
          title={t('imp_errorRows')}
          value={complete ? errorRows : `≥ ${errorRows}`}
          valueStyle={errorRows ? { color: '#cf1322' } : undefined}
        />
        {complete && <Statistic title={t('imp_readyRows')} value={Math.max(record.total - errorRows, 0)} />}
      </Space>
      {!complete && (
        <Alert type="info" showIcon message={format('imp_firstIssues', { shown: record.errors.length })} />
      )}
      <Space wrap>
        <Button
          type={suggestions ? 'primary' : 'default'}
          disabled={checking || (!suggestions && !applied)}
          onClick={() => onCheck({ applySuggestions: !applied })}
        >
          {applied ? t('imp_unapply') : t('imp_apply')}
        </Button>
        {ambiguous && (
          <Space size={8} wrap>
            <span id="imp-date-order">{t('imp_dateOrder')}</span>
            <Radio.Group
              aria-labelledby="imp-date-order"
              disabled={checking}
              value={dateOrder}
              onChange={(e) => onCheck({ dateOrder: e.target.value as DateOrder })}
              optionType="button"
              options={[
                { value: 'dmy', label: t('imp_dmy') },
                { value: 'mdy', label: t('imp_mdy') },
              ]}
            />
          </Space>
        )}
        <Button
          disabled={!record.errorCount && !warnings}
          onClick={() =>
            void download(
              config.apiUrl,
              `/imports/${encodeURIComponent(record.id)}/errors.csv`,
              `${record.fileName.replace(/\.[^.]+$/, '')}-errors.csv`,
            ).catch((e: Error) => message.error(e.message))
          }
        >
          {t('imp_downloadErrors')}
        </Button>
      </Space>
      {byCode.length > 0 && (
        <Space wrap size={[4, 8]} aria-label={t('imp_filterByCode')} role="group">
          <Typography.Text type="secondary">{t('imp_filterByCode')}</Typography.Text>
          {byCode.map(([code, count]) => (
            <Tag.CheckableTag
              key={code}
              checked={codes.includes(code)}
              onChange={(on) => setCodes((c) => (on ? [...c, code] : c.filter((x) => x !== code)))}
            >
              {codeLabel(t, code)} ({count})
            </Tag.CheckableTag>
          ))}
        </Space>
      )}
      <ScrollBox label={t('imp_stepReport')} minWidth={900}>
        <Table<ImportIssue>
          rowKey={(i) => `${i.row}|${i.column}|${i.code}`}
          size="small"
          loading={checking}
          dataSource={shown}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: <Typography.Text type="secondary">{t('imp_noIssues')}</Typography.Text> }}
          onRow={(issue) =>
            ({ 'data-row': issue.row, 'data-code': issue.code }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            { title: t('imp_row'), dataIndex: 'row', width: 70 },
            { title: t('imp_column'), dataIndex: 'column', width: 130 },
            {
              title: t('imp_code'),
              dataIndex: 'code',
              width: 170,
              render: (code: string, issue) => (
                <Tag color={issue.severity === 'error' ? 'red' : 'gold'} title={code}>
                  {codeLabel(t, code)}
                </Tag>
              ),
            },
            { title: t('imp_message'), dataIndex: 'message' },
            {
              title: t('imp_suggestion'),
              dataIndex: 'suggestion',
              width: 220,
              render: (s: string | undefined, issue) =>
                s ? (
                  <Space size={4} wrap>
                    <Typography.Text code>{s}</Typography.Text>
                    {issue.applied && <Tag color="success">{t('imp_applied')}</Tag>}
                  </Space>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      </ScrollBox>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Button onClick={onBack}>{t('imp_backToMapping')}</Button>
        <Button
          type="primary"
          onClick={onCommit}
          disabled={checking || record.status !== 'checked'}
          loading={checking}
        >
          {complete
            ? format('imp_commitRows', { rows: Math.max(record.total - errorRows, 0) })
            : t('imp_commit')}
        </Button>
      </Space>
    </Space>
  );
}

/** Step 4: the live progress (processed/total, rows per second, ETA) and then the result. */
function CommitStep({ record, onNew }: { record: ImportRecord; onNew: () => void }) {
  const { config } = useApp();
  const { t, format } = useI18n();
  const { message } = AntApp.useApp();
  const percent = record.total
    ? Math.min(100, Math.floor((record.processed / record.total) * 100))
    : record.status === 'completed'
      ? 100
      : 0;
  const rate = record.progress?.rowsPerSecond;
  const eta = record.progress?.etaSeconds;
  // Imported tickets carry the channel `import` unless the file named another one.
  const queuePath = '/?scope=all&channel=import';

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <FileFacts record={record} />
      <Progress
        percent={percent}
        aria-label={t('imp_progress')}
        status={
          record.status === 'failed' ? 'exception' : record.status === 'completed' ? 'success' : 'active'
        }
      />
      <Typography.Text data-progress>
        {format(record.status === 'completed' ? 'imp_progressDone' : 'imp_progressText', {
          processed: record.processed,
          total: record.total,
          rate: rate == null ? '—' : Math.round(rate),
          eta: eta == null ? '—' : formatSeconds(eta),
        })}
      </Typography.Text>
      {record.status === 'failed' && <Failure record={record} />}
      {record.status === 'completed' && (
        <Result
          status={record.errorCount ? 'warning' : 'success'}
          title={t('imp_done')}
          subTitle={
            <>
              <Space wrap size={32} style={{ justifyContent: 'center' }}>
                <Statistic title={t('imp_created')} value={record.created} />
                {record.updated > 0 && <Statistic title={t('imp_updated')} value={record.updated} />}
                <Statistic title={t('imp_skipped')} value={record.skipped} />
                <Statistic title={t('imp_errors')} value={record.errorCount} />
              </Space>
              {record.skipped > 0 && (
                <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
                  {t('imp_skippedHint')}
                </Typography.Paragraph>
              )}
            </>
          }
          extra={[
            <Button key="tickets" type="primary" href={href(queuePath)} onClick={link(queuePath)}>
              {t('imp_viewTickets')}
            </Button>,
            record.errorCount > 0 && (
              <Button
                key="errors"
                onClick={() =>
                  void download(
                    config.apiUrl,
                    `/imports/${encodeURIComponent(record.id)}/errors.csv`,
                    `${record.fileName.replace(/\.[^.]+$/, '')}-errors.csv`,
                  ).catch((e: Error) => message.error(e.message))
                }
              >
                {t('imp_downloadErrors')}
              </Button>
            ),
            <Button key="new" onClick={onNew}>
              {t('imp_newImport')}
            </Button>,
          ]}
        />
      )}
    </Space>
  );
}

/**
 * A wide table that scrolls sideways on a phone: a focusable, named region (keyboard users can scroll
 * it; axe's scrollable-region-focusable) instead of the table's own unnamed scroll box.
 */
function ScrollBox({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
    <section aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      <div style={{ minWidth }}>{children}</div>
    </section>
  );
}

/** The issue type in the user's language; a code the console does not know yet shows as it is. */
const codeLabel = (t: (key: string) => string, code: string) => {
  const label = t(`impc_${code}`);
  return label === `impc_${code}` ? code : label;
};

const formatSeconds = (s: number) => {
  const total = Math.max(0, Math.round(s));
  return total >= 60 ? `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}` : `${total}s`;
};
