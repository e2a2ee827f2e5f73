import { Spin, Tabs } from 'antd';
import { lazy, Suspense } from 'react';
import { useI18n } from '../i18n.tsx';
import { navigate, usePath } from '../router.ts';

const AdminSla = lazy(() => import('./AdminSla.tsx'));
const AdminAgents = lazy(() => import('./AdminAgents.tsx'));
const AdminCalendars = lazy(() => import('./AdminCalendars.tsx'));
const AdminRouting = lazy(() => import('./AdminRouting.tsx'));

const sections = ['sla', 'agents', 'calendars', 'routing'] as const;
type Section = (typeof sections)[number];

/** The admin's low-code configuration: one tab per document, each a form with the API's field errors. */
export default function Admin() {
  const { t } = useI18n();
  const path = usePath();
  const section: Section = sections.find((s) => path.startsWith(`/admin/${s}`)) ?? 'sla';
  return (
    <>
      <Tabs
        activeKey={section}
        onChange={(key) => navigate(`/admin/${key}`)}
        items={sections.map((s) => ({ key: s, label: t(`admin_${s}`) }))}
      />
      <Suspense fallback={<Spin />}>
        {section === 'sla' ? (
          <AdminSla />
        ) : section === 'agents' ? (
          <AdminAgents />
        ) : section === 'calendars' ? (
          <AdminCalendars />
        ) : (
          <AdminRouting />
        )}
      </Suspense>
    </>
  );
}
