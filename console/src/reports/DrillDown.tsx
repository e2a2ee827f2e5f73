import { Card, Select, Space, Table, Typography } from 'antd';
import { useI18n } from '../i18n.tsx';
import { Body, ExportMenu, ScrollBox, useNames } from './common.tsx';
import { formatDuration, formatPercent } from './format.ts';
import {
  type BreakdownReport,
  dimensions,
  type Measure,
  measures,
  periodQuery,
  type ReportView,
  useReport,
} from './report-api.ts';

/** The root-cause drill-down: a measure by two dimensions, each cell against the previous period. */
export function measureValue(measure: Measure, v: number | null, lang: 'zh' | 'en'): string {
  if (v === null) return '—';
  if (measure === 'volume') return v.toLocaleString();
  if (measure === 'first_response_p50' || measure === 'resolution_p50') return formatDuration(v, lang);
  return formatPercent(v);
}

export function measureChange(measure: Measure, v: number | null, lang: 'zh' | 'en'): string {
  if (v === null) return '—';
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±';
  if (measure === 'volume') return `${sign}${Math.abs(v).toLocaleString()}`;
  if (measure === 'first_response_p50' || measure === 'resolution_p50')
    return `${sign}${formatDuration(Math.abs(v), lang)}`;
  const points = (Math.abs(v) * 100).toFixed(1);
  return `${sign}${points} ${lang === 'zh' ? '个百分点' : 'pp'}`;
}

export function DrillDown({ view, setView }: { view: ReportView; setView: (v: ReportView) => void }) {
  const { t, lang, format } = useI18n();
  const names = useNames();
  const q = { ...periodQuery(view), measure: view.measure, dims: view.dims.join(',') };
  const report = useReport<BreakdownReport>('/reports/breakdown', q);
  const dimOptions = dimensions.map((d) => ({ value: d, label: t(`rep_dim_${d}`) }));
  return (
    <Card
      size="small"
      title={t('rep_drillDown')}
      extra={<ExportMenu path="/reports/breakdown" query={q} name={t('rep_drillDown')} />}
      data-panel="breakdown"
    >
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        <Space wrap size={[8, 8]}>
          <Select
            aria-label={t('rep_measure')}
            value={view.measure}
            onChange={(measure) => setView({ ...view, measure })}
            options={measures.map((m) => ({ value: m, label: t(`rep_measure_${m}`) }))}
            style={{ minWidth: 160 }}
            data-control="measure"
          />
          <Select
            aria-label={`${t('rep_dimension')} 1`}
            value={view.dims[0]}
            onChange={(d) =>
              setView({ ...view, dims: [d, view.dims[1] === d ? view.dims[0] : view.dims[1]] })
            }
            options={dimOptions}
            style={{ minWidth: 120 }}
            data-control="dim1"
          />
          <Typography.Text>×</Typography.Text>
          <Select
            aria-label={`${t('rep_dimension')} 2`}
            value={view.dims[1]}
            onChange={(d) =>
              setView({ ...view, dims: [view.dims[0] === d ? view.dims[1] : view.dims[0], d] })
            }
            options={dimOptions}
            style={{ minWidth: 120 }}
            data-control="dim2"
          />
        </Space>
        <Body result={report} empty={(d) => d.cells.length === 0}>
          {(data) => (
            <>
              <Typography.Paragraph style={{ margin: 0 }} data-total>
                {format('rep_totalLine', {
                  measure: t(`rep_measure_${data.measure}`),
                  current: measureValue(data.measure, data.total.current, lang),
                  previous: measureValue(data.measure, data.total.previous, lang),
                  change: measureChange(data.measure, data.total.change, lang),
                  from: data.previous.from,
                  to: data.previous.to,
                })}
              </Typography.Paragraph>
              <ScrollBox label={t('rep_drillDown')}>
                <Table
                  size="small"
                  rowKey={(c) => data.dims.map((d) => c.key[d] ?? '∅').join('|')}
                  dataSource={data.cells}
                  pagination={{
                    pageSize: 10,
                    showSizeChanger: false,
                    hideOnSinglePage: true,
                    placement: ['bottomStart'],
                  }}
                  style={{ minWidth: 'max-content' }}
                  onRow={(c) => ({ 'data-cell': data.dims.map((d) => c.key[d] ?? '').join('|') }) as object}
                  columns={[
                    ...data.dims.map((d) => ({
                      title: t(`rep_dim_${d}`),
                      key: d,
                      render: (_: unknown, c: BreakdownReport['cells'][number]) => names.value(d, c.key[d]),
                    })),
                    {
                      title: t('rep_current'),
                      key: 'current',
                      align: 'right' as const,
                      render: (_: unknown, c: BreakdownReport['cells'][number]) =>
                        measureValue(data.measure, c.current, lang),
                    },
                    {
                      title: t('rep_previous'),
                      key: 'previous',
                      align: 'right' as const,
                      render: (_: unknown, c: BreakdownReport['cells'][number]) =>
                        measureValue(data.measure, c.previous, lang),
                    },
                    {
                      title: t('rep_change'),
                      key: 'change',
                      align: 'right' as const,
                      render: (_: unknown, c: BreakdownReport['cells'][number]) =>
                        measureChange(data.measure, c.change, lang),
                    },
                    {
                      title: t('rep_shareOfChange'),
                      key: 'share',
                      align: 'right' as const,
                      render: (_: unknown, c: BreakdownReport['cells'][number]) =>
                        formatPercent(c.shareOfChange),
                    },
                  ]}
                />
              </ScrollBox>
            </>
          )}
        </Body>
      </Space>
    </Card>
  );
}
