import { Card, DatePicker, Segmented, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n.tsx';
import { useNames } from './common.tsx';
import {
  type FilterKey,
  type KpiReport,
  presetPeriod,
  presets,
  type ReportView,
  useReport,
} from './report-api.ts';

const channels = ['web', 'email', 'phone', 'api', 'import', 'webhook', 'event'] as const;

/** The filters every panel shares: the period (presets or a range), team, product, region, channel, priority. */
export function Filters({ view, setView }: { view: ReportView; setView: (v: ReportView) => void }) {
  const { t } = useI18n();
  const names = useNames();
  const period = { from: view.from, to: view.to };
  // The values seen in the period, for the product and region pickers.
  const products = useReport<KpiReport>('/reports/kpis', { ...period, groupBy: 'product' });
  const regions = useReport<KpiReport>('/reports/kpis', { ...period, groupBy: 'region' });
  const teams = useReport<KpiReport>('/reports/kpis', { ...period, groupBy: 'team' });
  const seen = (r: { data?: KpiReport }, dim: 'product' | 'region' | 'team') =>
    [...new Set((r.data?.rows ?? []).map((row) => row.group[dim]).filter((v): v is string => !!v))].sort();
  const teamIds = [
    ...new Set([...(names.directory.data?.teams ?? []).map((x) => x.id), ...seen(teams, 'team')]),
  ];
  const matching = presets.find((n) => {
    const p = presetPeriod(n);
    return p.from === view.from && p.to === view.to;
  });
  const setFilter = (key: FilterKey, value: string | undefined) =>
    setView({ ...view, filters: { ...view.filters, [key]: value || undefined } });
  const select = (key: FilterKey, label: string, options: { value: string; label: string }[]) => (
    <Select
      allowClear
      showSearch
      optionFilterProp="label"
      aria-label={label}
      placeholder={label}
      value={view.filters[key]}
      onChange={(v) => setFilter(key, v)}
      options={options}
      style={{ minWidth: 140 }}
      popupMatchSelectWidth={false}
      data-filter={key}
    />
  );
  return (
    <Card size="small">
      <Space wrap size={[8, 8]}>
        <Segmented<string>
          aria-label={t('rep_period')}
          value={matching ? String(matching) : 'custom'}
          onChange={(v) => {
            if (v === 'custom') return;
            setView({ ...view, ...presetPeriod(Number(v)) });
          }}
          options={[
            ...presets.map((n) => ({ value: String(n), label: t(`rep_last${n}`) })),
            { value: 'custom', label: t('rep_custom'), disabled: true },
          ]}
        />
        <DatePicker.RangePicker
          aria-label={t('rep_period')}
          allowClear={false}
          value={[dayjs(view.from), dayjs(view.to)]}
          onChange={(range) => {
            if (range?.[0] && range[1])
              setView({ ...view, from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') });
          }}
        />
        {select(
          'team',
          t('team'),
          teamIds.map((id) => ({ value: id, label: names.team(id) })),
        )}
        {select(
          'product',
          t('rep_dim_product'),
          seen(products, 'product').map((v) => ({ value: v, label: v })),
        )}
        {select(
          'region',
          t('rep_dim_region'),
          seen(regions, 'region').map((v) => ({ value: v, label: v })),
        )}
        {select(
          'channel',
          t('channel'),
          channels.map((c) => ({ value: c, label: t(`channel_${c}`) })),
        )}
        {select(
          'priority',
          t('priority'),
          (names.directory.data?.priorities ?? ['low', 'normal', 'high', 'urgent']).map((p) => ({
            value: p,
            label: t(p),
          })),
        )}
      </Space>
    </Card>
  );
}
