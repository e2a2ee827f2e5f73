import { Card, Col, Row, Statistic, Typography } from 'antd';
import { useI18n } from '../i18n.tsx';
import { Body, colours, ExportMenu, useNames } from './common.tsx';
import { type ChartOption, EChart } from './EChart.tsx';
import { formatDuration, formatPercent, formatSignedPercent } from './format.ts';
import {
  type KpiReport,
  type Kpis,
  type LiveReport,
  periodQuery,
  previousPeriod,
  type ReportView,
  useReport,
} from './report-api.ts';

// ---- Live ----

export function LivePanel({ team }: { team?: string }) {
  const { t, lang } = useI18n();
  const live = useReport<LiveReport>('/reports/live', {}, 30_000);
  return (
    <Card size="small" title={t('rep_live')} data-panel="live">
      <Body result={live}>
        {(data) => {
          const row = team ? data.byTeam.find((x) => x.team === team) : undefined;
          const figures = team ? (row ?? { backlog: 0, atRisk: 0, breached: 0 }) : data;
          return (
            <Row gutter={[16, 8]}>
              <Col xs={8} md={6} data-live="backlog">
                <Statistic title={t('backlog')} value={figures.backlog} />
              </Col>
              <Col xs={8} md={6} data-live="atRisk">
                <Statistic
                  title={t('rep_atRisk')}
                  value={figures.atRisk}
                  valueStyle={{ color: figures.atRisk ? '#ad4e00' : undefined }}
                />
              </Col>
              <Col xs={8} md={6} data-live="breached">
                <Statistic
                  title={t('breached')}
                  value={figures.breached}
                  valueStyle={{ color: figures.breached ? colours.bad : undefined }}
                />
              </Col>
              <Col xs={24} md={6}>
                <Typography.Text type="secondary">
                  {t('rep_asOf')} {new Date(data.at).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB')}
                </Typography.Text>
              </Col>
            </Row>
          );
        }}
      </Body>
    </Card>
  );
}

// ---- KPI tiles ----

type Better = 'up' | 'down';
interface Tile {
  key: string;
  label: string;
  value: (k: Kpis) => number | null;
  show: (v: number | null) => string;
  better: Better;
  note?: (k: Kpis) => string | null;
}

export function KpiTiles({ view }: { view: ReportView }) {
  const { t, lang, format } = useI18n();
  const query = periodQuery(view);
  const before = previousPeriod(view);
  const current = useReport<KpiReport>('/reports/kpis', query);
  const previous = useReport<KpiReport>('/reports/kpis', { ...query, ...before });
  const duration = (v: number | null) => formatDuration(v, lang);
  const tiles: Tile[] = [
    {
      key: 'volume',
      label: t('rep_volume'),
      value: (k) => k.volume,
      show: (v) => (v ?? 0).toLocaleString(),
      better: 'up',
    },
    {
      key: 'firstResponse',
      label: t('rep_firstResponseP50'),
      value: (k) => k.firstResponse.p50Business,
      show: duration,
      better: 'down',
      note: (k) => format('rep_wall', { value: duration(k.firstResponse.p50Wall) }),
    },
    {
      key: 'resolution',
      label: t('rep_resolutionP50'),
      value: (k) => k.resolution.p50Business,
      show: duration,
      better: 'down',
      note: (k) => format('rep_wall', { value: duration(k.resolution.p50Wall) }),
    },
    {
      key: 'sla',
      label: t('rep_slaCompliance'),
      value: (k) => k.slaCompliance.resolution,
      show: formatPercent,
      better: 'up',
      note: (k) => format('rep_slaFirstResponse', { value: formatPercent(k.slaCompliance.firstResponse) }),
    },
    { key: 'fcr', label: t('rep_fcr'), value: (k) => k.fcr, show: formatPercent, better: 'up' },
    {
      key: 'reopen',
      label: t('rep_reopenRate'),
      value: (k) => k.reopenRate,
      show: formatPercent,
      better: 'down',
    },
    {
      key: 'csat',
      label: t('rep_csat'),
      value: (k) => k.csat,
      show: (v) => (v === null ? '—' : v.toFixed(2)),
      better: 'up',
      note: (k) => format('rep_csatCount', { count: k.csatCount }),
    },
  ];
  return (
    <Card
      size="small"
      title={`${t('rep_kpis')} · ${view.from} – ${view.to}`}
      extra={<ExportMenu path="/reports/kpis" query={query} name={t('rep_kpis')} />}
      data-panel="kpis"
    >
      <Body result={current} empty={(d) => d.totals.volume === 0}>
        {(data) => (
          <Row gutter={[12, 12]}>
            {tiles.map((tile) => {
              const now = tile.value(data.totals);
              const was = previous.data ? tile.value(previous.data.totals) : null;
              const change = now !== null && was !== null && was !== 0 ? (now - was) / Math.abs(was) : null;
              const good = change === null || change === 0 ? null : change > 0 === (tile.better === 'up');
              return (
                <Col xs={12} sm={8} lg={6} xxl={3} key={tile.key} data-kpi={tile.key}>
                  <Card size="small" style={{ height: '100%' }} styles={{ body: { padding: 12 } }}>
                    <Statistic title={tile.label} value={tile.show(now)} valueStyle={{ fontSize: 22 }} />
                    {tile.note && (
                      <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                        {tile.note(data.totals)}
                      </Typography.Text>
                    )}
                    <Typography.Text
                      style={{
                        fontSize: 12,
                        color: good === null ? undefined : good ? colours.good : colours.bad,
                      }}
                      data-trend
                    >
                      {change === null
                        ? t('rep_noPrevious')
                        : `${change > 0 ? '▲' : change < 0 ? '▼' : '='} ${formatSignedPercent(change)} ${t('rep_vsPrevious')}`}
                    </Typography.Text>
                  </Card>
                </Col>
              );
            })}
          </Row>
        )}
      </Body>
    </Card>
  );
}

// ---- SLA by team ----

export function SlaByTeam({ query }: { query: Record<string, string | undefined> }) {
  const { t } = useI18n();
  const names = useNames();
  const q = { ...query, groupBy: 'team' };
  const report = useReport<KpiReport>('/reports/kpis', q);
  return (
    <Card
      size="small"
      title={t('rep_slaByTeam')}
      extra={<ExportMenu path="/reports/kpis" query={q} name={t('rep_slaByTeam')} />}
      data-panel="sla-by-team"
    >
      <Body result={report} empty={(d) => d.rows.length === 0}>
        {(data) => {
          const rows = [...data.rows].sort((a, b) =>
            names.team(a.group.team).localeCompare(names.team(b.group.team)),
          );
          const labels = rows.map((r) => names.team(r.group.team));
          const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
          const option: ChartOption = {
            tooltip: {
              trigger: 'axis',
              valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`),
            },
            legend: { top: 0 },
            grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
            xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, hideOverlap: true } },
            yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
            series: [
              {
                type: 'bar',
                name: t('rep_firstResponse'),
                data: rows.map((r) => pct(r.slaCompliance.firstResponse)),
                itemStyle: { color: colours.primary },
              },
              {
                type: 'bar',
                name: t('rep_resolution'),
                data: rows.map((r) => pct(r.slaCompliance.resolution)),
                itemStyle: { color: colours.second },
              },
            ],
          };
          const summary = rows
            .map(
              (r) =>
                `${names.team(r.group.team)} ${t('rep_firstResponse')} ${formatPercent(r.slaCompliance.firstResponse)}, ${t('rep_resolution')} ${formatPercent(r.slaCompliance.resolution)}`,
            )
            .join('; ');
          return (
            <>
              <EChart option={option} label={`${t('rep_slaByTeam')}: ${summary}`} testId="sla-by-team" />
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }} data-summary>
                {summary}
              </Typography.Paragraph>
            </>
          );
        }}
      </Body>
    </Card>
  );
}
