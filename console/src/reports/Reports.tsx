import { Col, Row, Space, Typography } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '../i18n.tsx';
import { navigate, usePath } from '../router.ts';
import { Bottlenecks } from './Bottlenecks.tsx';
import { DrillDown } from './DrillDown.tsx';
import { Filters } from './Filters.tsx';
import { Forecast, Spikes } from './Insights.tsx';
import { KpiTiles, LivePanel, SlaByTeam } from './KpiPanels.tsx';
import { periodQuery, type ReportView, readView, viewSearch } from './report-api.ts';

/**
 * Reports (数据报表) for supervisors and admins: live figures, KPI tiles against the previous period, SLA
 * compliance by team, where tickets stall, the root-cause drill-down, detected spikes and the forecast
 * with the staffing it implies — every panel on the same period and filters, which live in the URL so a
 * view can be shared. docs/console.md, "Reports".
 */
export default function Reports() {
  const { t } = useI18n();
  const path = usePath();
  const search = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  const view = useMemo(() => readView(search), [search]);
  const setView = (next: ReportView) => navigate(`/reports?${viewSearch(next)}`);
  const query = periodQuery(view);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-reports>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
        {t('reports')}
      </Typography.Title>
      <Filters view={view} setView={setView} />
      <LivePanel team={view.filters.team} />
      <KpiTiles view={view} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <SlaByTeam query={query} />
        </Col>
        <Col xs={24} xl={12}>
          <Bottlenecks view={view} setView={setView} />
        </Col>
      </Row>
      <DrillDown view={view} setView={setView} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Spikes period={view} />
        </Col>
        <Col xs={24} xl={12}>
          <Forecast view={view} />
        </Col>
      </Row>
    </Space>
  );
}
