import { Grid, Select, Spin, Tabs } from 'antd';
import { lazy, Suspense } from 'react';
import { useI18n } from '../i18n.tsx';
import { navigate, usePath } from '../router.ts';

const AdminSla = lazy(() => import('./AdminSla.tsx'));
const AdminAgents = lazy(() => import('./AdminAgents.tsx'));
const AdminCalendars = lazy(() => import('./AdminCalendars.tsx'));
const AdminRouting = lazy(() => import('./AdminRouting.tsx'));
const AdminPortal = lazy(() => import('./AdminPortal.tsx'));
const ImportWizard = lazy(() => import('../import/ImportWizard.tsx'));
const AdminConnectors = lazy(() => import('./AdminConnectors.tsx'));
const AdminIntegrations = lazy(() => import('./AdminIntegrations.tsx'));

const sections = [
  'sla',
  'agents',
  'calendars',
  'routing',
  'portal',
  'import',
  'connectors',
  'integrations',
] as const;
type Section = (typeof sections)[number];

/** The admin's low-code configuration: one tab per document, each a form with the API's field errors. */
export default function Admin() {
  const { t } = useI18n();
  const path = usePath();
  const section: Section = sections.find((s) => path.startsWith(`/admin/${s}`)) ?? 'sla';
  // On a phone the tabs would overflow into a "more" menu inside the tab list (not a tab, so not
  // accessible): a select takes their place there.
  const wide = Grid.useBreakpoint().md ?? true;
  const items = sections.map((s) => ({ key: s, label: t(`admin_${s}`) }));
  return (
    <>
      {wide ? (
        <Tabs activeKey={section} onChange={(key) => navigate(`/admin/${key}`)} items={items} />
      ) : (
        <Select
          aria-label={t('admin')}
          value={section}
          onChange={(key) => navigate(`/admin/${key}`)}
          options={items.map((i) => ({ value: i.key, label: i.label }))}
          style={{ width: '100%', marginBottom: 16 }}
        />
      )}
      <Suspense fallback={<Spin />}>
        {section === 'sla' ? (
          <AdminSla />
        ) : section === 'agents' ? (
          <AdminAgents />
        ) : section === 'calendars' ? (
          <AdminCalendars />
        ) : section === 'portal' ? (
          <AdminPortal />
        ) : section === 'import' ? (
          <ImportWizard />
        ) : section === 'connectors' ? (
          <AdminConnectors />
        ) : section === 'integrations' ? (
          <AdminIntegrations />
        ) : (
          <AdminRouting />
        )}
      </Suspense>
    </>
  );
}
