import { App, Button, type ButtonProps, Dropdown } from 'antd';
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

  async function run(kind: FileKind) {
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
    return format('export_done', { rows: view.rows });
  }

  return (
    <FileExportMenu run={run} label={(running) => (running ? t('export_running') : t('export_button'))} />
  );
}

export type FileKind = 'csv' | 'xlsx';

/**
 * "Export ▾ CSV / Excel": runs `run` for the picked kind, busy meanwhile, and says what it answered (a
 * success message) or why it failed. The queue's export and each report's download use it.
 */
export function FileExportMenu({
  run,
  label,
  button,
}: {
  run: (kind: FileKind) => Promise<string>;
  label?: (running: boolean) => string;
  button?: Omit<ButtonProps, 'loading'> & Record<`data-${string}`, string>;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [running, setRunning] = useState(false);
  const pick = async (kind: FileKind) => {
    setRunning(true);
    try {
      message.success(await run(kind));
    } catch (error) {
      message.error(`${t('export_failed')}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setRunning(false);
    }
  };
  return (
    <Dropdown
      disabled={running}
      menu={{
        items: [
          { key: 'csv', label: t('export_csv') },
          { key: 'xlsx', label: t('export_xlsx') },
        ],
        onClick: ({ key }) => void pick(key as FileKind),
      }}
    >
      <Button aria-label={t('export_button')} {...button} loading={running}>
        {label ? label(running) : t('export_button')}
      </Button>
    </Dropdown>
  );
}
