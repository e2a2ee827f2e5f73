import { Card, Col, Empty, Row, Select, Space, Statistic, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { href } from '../router.ts';
import { link } from '../Shell.tsx';
import { Body, colours, useNames } from './common.tsx';
import { type ChartOption, EChart } from './EChart.tsx';
import { formatDuration, formatPercent } from './format.ts';
import {
  type ForecastReport,
  type InsightsReport,
  type KpiReport,
  type Period,
  type ReportView,
  useReport,
} from './report-api.ts';

// ---- Spikes ----

export function Spikes({ period }: { period: Period }) {
  const { t, lang, format } = useI18n();
  const names = useNames();
  const report = useReport<InsightsReport>('/reports/insights', { from: period.from, to: period.to });
  const when = (iso: string) =>
    new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone: 'Asia/Shanghai',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
  return (
    <Card size="small" title={t('rep_spikes')} data-panel="spikes">
      <Body result={report} empty={(d) => d.items.length === 0}>
        {(data) => (
          <Space direction="vertical" size={12} style={{ width: '100%' }}>
            {data.items.map((item) => (
              <div
                key={item.id}
                data-insight={item.id}
                style={{ borderBottom: '1px solid #f0f0f0', paddingBottom: 8 }}
              >
                <Space wrap size={[6, 4]}>
                  {Object.entries(item.series).map(([dim, v]) => (
                    <Tag key={dim} color="blue">
                      {t(`rep_dim_${dim}`)}: {names.value(dim, v)}
                    </Tag>
                  ))}
                </Space>
                <Typography.Paragraph style={{ margin: '4px 0' }}>
                  {format('rep_spikeLine', {
                    count: item.count,
                    expected: item.expected.toFixed(1),
                    factor: item.factor.toFixed(1),
                    p: item.pValue < 0.0001 ? item.pValue.toExponential(1) : item.pValue.toFixed(4),
                    start: when(item.windowStart),
                    end: when(item.windowEnd),
                  })}
                </Typography.Paragraph>
                <Space wrap size={[8, 2]}>
                  <Typography.Text type="secondary">{t('rep_samples')}</Typography.Text>
                  {item.sampleTickets.map((s) => (
                    <a
                      key={s.id}
                      href={href(`/tickets/${s.id}`)}
                      onClick={link(`/tickets/${s.id}`)}
                      title={s.subject}
                      data-sample={s.id}
                    >
                      {s.number}
                    </a>
                  ))}
                </Space>
              </div>
            ))}
          </Space>
        )}
      </Body>
    </Card>
  );
}

// ---- Forecast ----

/** The forecast is per team: the team filter's, or one chosen here (the busiest of the period first). */
export function Forecast({ view }: { view: ReportView }) {
  const { t, lang, format } = useI18n();
  const names = useNames();
  const byTeam = useReport<KpiReport>('/reports/kpis', { from: view.from, to: view.to, groupBy: 'team' });
  const teams = [...(byTeam.data?.rows ?? [])]
    .filter((r) => r.group.team)
    .sort((a, b) => b.volume - a.volume)
    .map((r) => r.group.team!);
  const [chosen, setChosen] = useState<string>();
  const team = view.filters.team ?? (chosen && teams.includes(chosen) ? chosen : teams[0]);
  const report = useReport<ForecastReport>('/reports/forecast', { team, days: '14' }, undefined, !!team);
  return (
    <Card size="small" title={t('rep_forecast')} data-panel="forecast">
      <Select
        aria-label={t('rep_forecastTeam')}
        value={team}
        disabled={!!view.filters.team}
        onChange={setChosen}
        options={(view.filters.team ? [view.filters.team] : teams).map((id) => ({
          value: id,
          label: names.team(id),
        }))}
        style={{ minWidth: 160, marginBottom: 8 }}
        data-control="forecast-team"
      />
      {!team && !byTeam.isLoading && (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('rep_noData')} data-state="empty" />
      )}
      {team && (
        <Body result={report} empty={(d) => d.days.length === 0}>
          {(data) => {
            const dates = data.days.map((d) => d.date.slice(5));
            const peak = data.days.reduce((m, d) => (d.agentsNeeded > m.agentsNeeded ? d : m), data.days[0]!);
            const option: ChartOption = {
              tooltip: { trigger: 'axis' },
              legend: { top: 0, data: [t('rep_expected'), t('rep_band'), t('rep_agentsNeeded')] },
              grid: { left: 8, right: 8, top: 60, bottom: 8, containLabel: true },
              xAxis: { type: 'category', data: dates, boundaryGap: false },
              yAxis: [
                { type: 'value', name: t('rep_tickets') },
                {
                  type: 'value',
                  name: t('rep_agents'),
                  splitLine: { show: false },
                  minInterval: 1,
                  // The staffing bars keep to the lower half, under the volume band.
                  max: ({ max }: { max: number }) => Math.max(1, Math.ceil(max * 2)),
                },
              ],
              series: [
                // The band: the low edge (invisible), then the band's height stacked on it.
                {
                  type: 'line',
                  name: 'low',
                  data: data.days.map((d) => d.low),
                  stack: 'band',
                  lineStyle: { opacity: 0 },
                  symbol: 'none',
                  tooltip: { show: false },
                },
                {
                  type: 'line',
                  name: t('rep_band'),
                  data: data.days.map((d) => Math.round((d.high - d.low) * 10) / 10),
                  stack: 'band',
                  lineStyle: { opacity: 0 },
                  areaStyle: { color: colours.band, opacity: 0.5 },
                  itemStyle: { color: colours.band },
                  symbol: 'none',
                },
                {
                  type: 'line',
                  name: t('rep_expected'),
                  data: data.days.map((d) => Math.round(d.expected * 10) / 10),
                  itemStyle: { color: colours.primary },
                },
                {
                  type: 'bar',
                  name: t('rep_agentsNeeded'),
                  yAxisIndex: 1,
                  data: data.days.map((d) => d.agentsNeeded),
                  itemStyle: { color: '#d9d9d9' },
                  barWidth: '30%',
                  z: 1,
                },
              ],
            };
            const summary = data.days
              .map(
                (d) =>
                  `${d.date} ${Math.round(d.expected)} (${Math.round(d.low)}–${Math.round(d.high)}), ${d.agentsNeeded}`,
              )
              .join('; ');
            return (
              <>
                <EChart option={option} label={`${t('rep_forecast')}: ${summary}`} testId="forecast" />
                <Row gutter={[12, 8]}>
                  <Col xs={12} md={8} data-staffing>
                    <Statistic
                      title={format('rep_peakAgents', { date: peak.date.slice(5) })}
                      value={peak.agentsNeeded}
                      valueStyle={{ fontSize: 20 }}
                    />
                  </Col>
                  <Col xs={12} md={8}>
                    <Statistic
                      title={t('rep_handleTime')}
                      value={
                        data.handleTimeMinutes === null
                          ? '—'
                          : formatDuration(data.handleTimeMinutes * 60, lang)
                      }
                      valueStyle={{ fontSize: 20 }}
                    />
                  </Col>
                  <Col xs={24} md={8}>
                    <Statistic
                      title={format('rep_backtest', { days: data.backtest.days })}
                      value={formatPercent(data.backtest.smape ?? data.backtest.mape)}
                      valueStyle={{ fontSize: 20 }}
                    />
                  </Col>
                </Row>
              </>
            );
          }}
        </Body>
      )}
    </Card>
  );
}
