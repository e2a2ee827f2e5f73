import { Card, Segmented, Space, Table } from 'antd';
import type { BottleneckView } from '../../../shared/domain/analytics/bottlenecks.ts';
import { useI18n } from '../i18n.tsx';
import { href } from '../router.ts';
import { link } from '../Shell.tsx';
import { Body, colours, ExportMenu, ScrollBox, useNames } from './common.tsx';
import { type ChartOption, EChart } from './EChart.tsx';
import { formatDuration, formatPercent } from './format.ts';
import { type BottleneckReport, periodQuery, type ReportView, useReport } from './report-api.ts';

/** Where tickets wait: hours per state, per team, or on child tickets and approvals, with the longest stays. */
export function Bottlenecks({ view, setView }: { view: ReportView; setView: (v: ReportView) => void }) {
  const { t, lang } = useI18n();
  const names = useNames();
  const q = { ...periodQuery(view), by: view.by };
  const report = useReport<BottleneckReport>('/reports/bottlenecks', q);
  const keyName = (k: string | null) =>
    view.by === 'team' ? names.team(k) : view.by === 'wait' ? t(`rep_wait_${k}`) : names.status(k);
  const hours = (h: number | null) => (h === null ? '—' : formatDuration(h * 3600, lang));
  return (
    <Card
      size="small"
      title={t('rep_bottlenecks')}
      extra={<ExportMenu path="/reports/bottlenecks" query={q} name={t('rep_bottlenecks')} />}
      data-panel="bottlenecks"
    >
      <Segmented<BottleneckView>
        size="small"
        aria-label={t('rep_bottleneckBy')}
        value={view.by}
        onChange={(by) => setView({ ...view, by })}
        options={[
          { value: 'state', label: t('rep_byState') },
          { value: 'team', label: t('rep_byTeam') },
          { value: 'wait', label: t('rep_byWait') },
        ]}
        style={{ marginBottom: 8 }}
      />
      <Body result={report} empty={(d) => d.rows.length === 0}>
        {(data) => {
          const rows = [...data.rows].sort((a, b) => b.totalHours - a.totalHours);
          const option: ChartOption = {
            tooltip: {
              trigger: 'axis',
              valueFormatter: (v) => (typeof v === 'number' ? hours(v) : '—'),
            },
            legend: { top: 0 },
            grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
            yAxis: { type: 'category', data: rows.map((r) => keyName(r.key)).reverse() },
            xAxis: { type: 'value', axisLabel: { hideOverlap: true } },
            series: [
              {
                type: 'bar',
                name: `p50 (${t('rep_hoursShort')})`,
                data: rows.map((r) => r.p50Hours).reverse(),
                itemStyle: { color: colours.primary },
              },
              {
                type: 'bar',
                name: `p90 (${t('rep_hoursShort')})`,
                data: rows.map((r) => r.p90Hours).reverse(),
                itemStyle: { color: colours.second },
              },
            ],
          };
          const summary = rows
            .map((r) => `${keyName(r.key)} ${formatPercent(r.share)} (p50 ${hours(r.p50Hours)})`)
            .join('; ');
          return (
            <>
              <EChart
                option={option}
                height={Math.max(200, rows.length * 44 + 60)}
                label={`${t('rep_bottlenecks')}: ${summary}`}
                testId="bottlenecks"
              />
              <ScrollBox label={t('rep_bottlenecks')}>
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(r) => r.key ?? ''}
                  dataSource={rows}
                  style={{ minWidth: 'max-content' }}
                  columns={[
                    {
                      title:
                        view.by === 'team'
                          ? t('team')
                          : view.by === 'wait'
                            ? t('rep_waitingOn')
                            : t('status'),
                      render: (_, r) => keyName(r.key),
                    },
                    { title: t('rep_tickets'), dataIndex: 'tickets', align: 'right' },
                    {
                      title: t('rep_share'),
                      render: (_, r) => formatPercent(r.share),
                      align: 'right',
                      responsive: ['sm'],
                    },
                    { title: 'p50', render: (_, r) => hours(r.p50Hours), align: 'right' },
                    {
                      title: t('rep_stalled'),
                      render: (_, r) => (
                        <Space size={[6, 2]} wrap style={{ maxWidth: 240 }}>
                          {(data.stalled[r.key ?? ''] ?? []).map((s) => (
                            <a
                              key={s.id}
                              href={href(`/tickets/${s.id}`)}
                              onClick={link(`/tickets/${s.id}`)}
                              title={`${hours(s.hours)}${s.current ? ` · ${t('rep_stillThere')}` : ''}`}
                              data-stalled={s.id}
                            >
                              {s.number}
                            </a>
                          ))}
                        </Space>
                      ),
                    },
                  ]}
                />
              </ScrollBox>
            </>
          );
        }}
      </Body>
    </Card>
  );
}
