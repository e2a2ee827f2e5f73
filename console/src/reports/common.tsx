import { Alert, Empty, Spin } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { FileExportMenu, type FileKind } from '../components/ExportButton.tsx';
import { useI18n } from '../i18n.tsx';
import { downloadReport, unavailable } from './report-api.ts';

/** What the report panels share: names for ids, the panels' states, the export menu, a scroll box, colours. */
export const colours = {
  primary: '#1d5fbf',
  second: '#d46b08',
  good: '#237804',
  bad: '#a8071a',
  band: '#91caff',
};

// ---- Names ----

export function useNames() {
  const { t, lang } = useI18n();
  const directory = useDirectory();
  const team = (id: string | null | undefined) => {
    if (!id) return t('rep_none');
    const found = directory.data?.teams.find((x) => x.id === id);
    return found ? (lang === 'zh' ? found.name : found.nameEn) : id;
  };
  const agent = (id: string | null | undefined) =>
    id ? (directory.data?.agents.find((a) => a.id === id)?.name ?? id) : t('rep_none');
  const status = (id: string | null | undefined) => {
    if (!id) return t('rep_none');
    const found = directory.data?.statuses.find((s) => s.id === id);
    return found ? (lang === 'zh' ? found.zh : found.en) : id;
  };
  const intent = (id: string | null | undefined) => {
    if (!id) return t('rep_none');
    const found = directory.data?.intents.find((s) => s.id === id);
    return found ? (lang === 'zh' ? found.zh : found.en) : id;
  };
  /** A dimension's value as a person reads it. */
  const value = (dim: string, v: string | null | undefined) => {
    if (v === null || v === undefined || v === '') return t('rep_none');
    if (dim === 'team') return team(v);
    if (dim === 'agent') return agent(v);
    if (dim === 'intent') return intent(v);
    if (dim === 'channel') return t(`channel_${v}`);
    if (dim === 'priority' || dim === 'tier') return t(v);
    return v;
  };
  return { team, status, value, directory };
}

// ---- Panels' frame ----

/** Loading, "not available" (route not deployed), a 400's field messages, or another error. */
export function Body<T>({
  result,
  empty,
  children,
}: {
  result: { data?: T; error: Error | null; isLoading: boolean; isFetching: boolean };
  empty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  const { t } = useI18n();
  if (result.error && unavailable(result.error))
    return <Alert type="info" showIcon message={t('rep_unavailable')} data-state="unavailable" />;
  if (result.error) {
    const fields = result.error instanceof ApiError ? result.error.fields : [];
    return (
      <Alert
        type="error"
        showIcon
        data-state="error"
        message={result.error.message}
        description={
          fields.length ? (
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {fields.map((f) => (
                <li key={f.path}>
                  <code>{f.path}</code>: {f.message}
                </li>
              ))}
            </ul>
          ) : undefined
        }
      />
    );
  }
  if (result.isLoading || !result.data) return <Spin />;
  if (empty?.(result.data))
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('rep_noData')} data-state="empty" />;
  return <Spin spinning={result.isFetching}>{children(result.data)}</Spin>;
}

export function ExportMenu({
  path,
  query,
  name,
}: {
  path: string;
  query: Record<string, string | undefined>;
  name: string;
}) {
  const { config, session } = useApp();
  const { t, format } = useI18n();
  const run = async (kind: FileKind) =>
    format('rep_downloaded', {
      file: await downloadReport(config.apiUrl, session?.token ?? null, path, query, kind),
    });
  return (
    <FileExportMenu
      run={run}
      button={{ size: 'small', 'aria-label': `${t('export_button')} ${name}`, 'data-export': path }}
    />
  );
}

/** A table wider than a phone scrolls inside its panel; the region is focusable so keys can scroll it. */
export function ScrollBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable)
    <section aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      {children}
    </section>
  );
}
