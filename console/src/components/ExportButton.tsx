import { App, Button, Dropdown } from 'antd';
import { useState } from 'react';
import { useApp } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';

interface ExportView {
  exportId: string;
  status: 'running' | 'done' | 'failed';
  rows: number;
  downloadUrl?: string;
  error?: string;
}

/**
 * "Export" on the queue (docs/export.md): the current filters as CSV or Excel. It starts a file export
 * (`POST /exports`: the same in AWS, where a response may not be larger than 6 MB), polls it, and
 * downloads the file from its link once written.
 */
export function ExportButton({ filters }: { filters: Record<string, string | undefined> }) {
  const { api } = useApp();
  const { t, lang, format } = useI18n();
  const { message } = App.useApp();
  const [running, setRunning] = useState(false);

  async function run(kind: 'csv' | 'xlsx') {
    setRunning(true);
    try {
      const body: Record<string, string> = { format: kind, locale: lang };
      for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') body[k] = v;
      const { body: started } = await api.send<{ exportId: string }>('POST', '/exports', body);
      let view: ExportView;
      for (;;) {
        view = await api.get<ExportView>(`/exports/${encodeURIComponent(started.exportId)}`);
        if (view.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 700));
      }
      if (view.status !== 'done' || !view.downloadUrl) throw new Error(view.error ?? t('export_failed'));
      const a = document.createElement('a');
      a.href = view.downloadUrl;
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      message.success(format('export_done', { rows: view.rows }));
    } catch (error) {
      message.error(`${t('export_failed')}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setRunning(false);
    }
  }

  return (
    <Dropdown
      disabled={running}
      menu={{
        items: [
          { key: 'csv', label: t('export_csv') },
          { key: 'xlsx', label: t('export_xlsx') },
        ],
        onClick: ({ key }) => void run(key as 'csv' | 'xlsx'),
      }}
    >
      <Button loading={running} aria-label={t('export_button')}>
        {running ? t('export_running') : t('export_button')}
      </Button>
    </Dropdown>
  );
}
