import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  type ButtonProps,
  Card,
  Form,
  Input,
  List,
  Mentions,
  Modal,
  Select,
  Space,
  Tag,
  Typography,
  Upload,
  type UploadFile,
} from 'antd';
import { type ReactNode, useState } from 'react';
import { ApiError, type Message, type Ticket, type TicketSummary } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';
import { link } from '../Shell.tsx';
import { hasRole } from '../session.ts';

/** An action on the ticket at the version on screen (TicketPage's `perform`: 412 flow, refresh). */
type Perform = (action: {
  label: string;
  run: (version: number) => Promise<unknown>;
  onDone?: () => void;
}) => Promise<void>;

/** An attachment as `GET /tickets/{id}/attachments` lists it. */
interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  channel: string;
  at: string;
  status: 'pending' | 'stored';
  uploadedBy: string | null;
  messageId: string | null;
}

/** What the server accepts by default (ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES); it says no beyond. */
export const uploadLimits = {
  maxBytes: 10 * 1024 * 1024,
  accept: 'image/*,.pdf,.txt,.csv,.zip,.doc,.docx,.xls,.xlsx,.ppt,.pptx',
};

const mentionPattern = /(^|[^A-Za-z0-9._%+-])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})/g;

const sizeText = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${Number((bytes / 1024 / 1024).toFixed(1))} MB`
    : bytes >= 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${bytes} B`;

const attachmentsKey = (ticketId: string) => ['attachments', ticketId];

function useAttachments(ticketId: string) {
  const { api } = useApp();
  return useQuery({
    queryKey: attachmentsKey(ticketId),
    queryFn: () => api.get<{ items: Attachment[] }>(`/tickets/${ticketId}/attachments`).then((r) => r.items),
  });
}

/** Opens a download link (presigned in AWS, signed locally) for one attachment. */
function useDownload(ticketId: string) {
  const { api } = useApp();
  const { message } = AntApp.useApp();
  return async (attachmentId: string) => {
    try {
      const { url } = await api.get<{ url: string }>(`/tickets/${ticketId}/attachments/${attachmentId}`);
      window.location.assign(url);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
}

/** The banner on a duplicate that was merged: where its conversation went on. */
export function MergedBanner({ ticket }: { ticket: Ticket }) {
  const { format } = useI18n();
  if (!ticket.mergedInto) return null;
  const path = `/tickets/${ticket.mergedInto.id}`;
  return (
    <Alert
      type="info"
      showIcon
      data-merged-into={ticket.mergedInto.number}
      message={
        <span>
          {format('collab_mergedBanner', { number: '' })}
          <a href={`${import.meta.env.BASE_URL}tickets/${ticket.mergedInto.id}`} onClick={link(path)}>
            {ticket.mergedInto.number}
          </a>
        </span>
      }
    />
  );
}

/** A message's text with its @mentions marked, its files, and where a merge copied it from. */
export function MessageBody({ message: m, ticketId }: { message: Message; ticketId: string }) {
  const directory = useDirectory();
  const { t, format } = useI18n();
  const attachments = useAttachments(ticketId);
  const download = useDownload(ticketId);
  const parts: ReactNode[] = [];
  const mentions = new Set(m.mentions ?? []);
  let last = 0;
  if (mentions.size) {
    for (const match of m.body.matchAll(mentionPattern)) {
      const id = match[2]!.replace(/[._-]+$/, '');
      if (!mentions.has(id)) continue;
      const start = match.index + match[1]!.length;
      parts.push(m.body.slice(last, start));
      const name = directory.data?.agents.find((a) => a.id === id)?.name ?? id;
      parts.push(
        <Typography.Text key={start} mark strong data-mention={id}>
          @{name}
        </Typography.Text>,
      );
      last = start + 1 + id.length;
    }
  }
  parts.push(m.body.slice(last));
  return (
    <>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '6px 0 0' }}>
        {parts}
      </Typography.Paragraph>
      {m.mergedFrom && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {format('collab_copiedFrom', { number: m.mergedFrom.number })}
        </Typography.Text>
      )}
      {!!m.attachments?.length && (
        <Space wrap size={4} style={{ marginTop: 6 }} aria-label={t('collab_attachments')}>
          {m.attachments.map((id) => {
            const file = attachments.data?.find((a) => a.id === id);
            return (
              <Button
                key={id}
                size="small"
                onClick={() => download(id)}
                data-attachment={file?.filename ?? id}
              >
                {file ? `${file.filename} · ${sizeText(file.size)}` : id}
              </Button>
            );
          })}
        </Space>
      )}
    </>
  );
}

/** SHA-256 of a file, hex: the upload link accepts only these bytes. */
async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** PUTs the bytes to the link with progress (fetch has no upload progress). */
function putWithProgress(
  upload: { url: string; headers: Record<string, string> },
  file: Blob,
  onProgress: (percent: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', upload.url);
    for (const [k, v] of Object.entries(upload.headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () =>
      xhr.status < 300 ? resolve() : reject(new Error(`${xhr.status} ${xhr.responseText}`));
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(file);
  });
}

/**
 * The reply and the internal-note composers: the note offers a picker of agents after `@`; both take
 * files (checked by the API against its limits: too large is a 413, a refused type or a program a 415,
 * shown beside the file), uploaded with progress before the message names them.
 */
export function Composer({
  ticket,
  kind,
  inputRef,
  perform,
}: {
  ticket: Ticket;
  kind: 'reply' | 'note';
  inputRef: React.RefObject<HTMLTextAreaElement | null>;
  perform: Perform;
}) {
  const { api } = useApp();
  const { t, format } = useI18n();
  const directory = useDirectory();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ body: string }>();
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [files, setFiles] = useState<UploadFile<{ id: string }>[]>([]);
  const uploading = files.some((f) => f.status === 'uploading');
  const send = useMutation({
    // On a 412 the draft stays in place until the retry from the conflict notice has sent it.
    mutationFn: (body: string) => {
      const attachments = files.filter((f) => f.status === 'done').map((f) => f.response!.id);
      return perform({
        label: t(kind),
        run: (version) =>
          api.send(
            'POST',
            `/tickets/${ticket.id}/replies`,
            { body, public: kind === 'reply', ...(attachments.length ? { attachments } : {}) },
            version,
          ),
        onDone: () => {
          form.resetFields();
          setFiles([]);
          setFieldError(undefined);
          void queryClient.invalidateQueries({ queryKey: attachmentsKey(ticket.id) });
        },
      });
    },
    onError: (error) => {
      if (error instanceof ApiError) setFieldError(error.fieldMessage('body') ?? error.message);
    },
  });
  if (ticket.status === 'closed') return null;
  const agents = directory.data?.agents ?? [];
  return (
    <Card title={t(kind)} size="small" style={kind === 'note' ? { borderColor: '#ffe58f' } : undefined}>
      <Form form={form} onFinish={({ body }) => send.mutate(body ?? '')} layout="vertical">
        <Form.Item
          name="body"
          label={t(kind)}
          validateStatus={fieldError ? 'error' : undefined}
          help={fieldError}
          extra={kind === 'note' ? t('collab_mentionHint') : undefined}
          style={{ marginBottom: 8 }}
        >
          {kind === 'note' ? (
            <Mentions
              ref={(el) => {
                inputRef.current = el?.textarea ?? null;
              }}
              rows={3}
              prefix="@"
              placeholder={t('notePlaceholder')}
              data-composer={kind}
              options={agents.map((a) => ({ value: a.id, key: a.id, label: `${a.name} · ${a.id}` }))}
              filterOption={(input, option) =>
                `${option?.value ?? ''} ${String((option as { label?: unknown } | undefined)?.label ?? '')}`
                  .toLowerCase()
                  .includes(input.toLowerCase())
              }
            />
          ) : (
            <Input.TextArea
              ref={(el) => {
                inputRef.current = el?.resizableTextArea?.textArea ?? null;
              }}
              rows={3}
              placeholder={t('replyPlaceholder')}
              data-composer={kind}
            />
          )}
        </Form.Item>
        <Upload<{ id: string }>
          multiple
          accept={uploadLimits.accept}
          fileList={files}
          onChange={({ fileList }) => setFiles(fileList)}
          customRequest={async ({ file, onProgress, onSuccess, onError }) => {
            const blob = file as File;
            try {
              const { body } = await api.send<{
                attachment: { id: string };
                upload: { url: string; headers: Record<string, string> } | null;
              }>('POST', `/tickets/${ticket.id}/attachments`, {
                filename: blob.name,
                contentType: blob.type || 'application/octet-stream',
                size: blob.size,
                sha256: await sha256Hex(blob),
              });
              if (body.upload)
                await putWithProgress(body.upload, blob, (percent) => onProgress?.({ percent }));
              onSuccess?.({ id: body.attachment.id });
            } catch (error) {
              const text = error instanceof ApiError ? error.message : String(error);
              setFiles((list) =>
                list.map((f) =>
                  f.uid === (file as UploadFile).uid
                    ? { ...f, status: 'error', response: undefined, error: { message: text } }
                    : f,
                ),
              );
              onError?.(new Error(text));
            }
          }}
        >
          <Button size="small" data-attach={kind}>
            {t('collab_attach')}
          </Button>
        </Upload>
        {files
          .filter((f) => f.status === 'error')
          .map((f) => (
            <Typography.Paragraph
              key={f.uid}
              type="danger"
              style={{ margin: '4px 0 0' }}
              data-upload-error={f.name}
            >
              {f.name}: {f.error?.message}
            </Typography.Paragraph>
          ))}
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 8px' }}>
          {format('collab_limits', { size: sizeText(uploadLimits.maxBytes) })}
        </Typography.Paragraph>
        <Button
          htmlType="submit"
          type={kind === 'reply' ? 'primary' : 'default'}
          loading={send.isPending}
          disabled={uploading}
          data-send={kind}
        >
          {t('send')}
        </Button>
      </Form>
    </Card>
  );
}

/**
 * Beside the ticket: its watchers (follow / unfollow; supervisors add others), related and merged
 * tickets (link, unlink, merge this one into another), and every file on it with download links.
 */
export function CollaborationPanel({ ticket, perform }: { ticket: Ticket; perform: Perform }) {
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <WatchersCard ticket={ticket} perform={perform} />
      <LinksCard ticket={ticket} perform={perform} />
      <AttachmentsCard ticket={ticket} />
    </Space>
  );
}

function WatchersCard({ ticket, perform }: { ticket: Ticket; perform: Perform }) {
  const { api, session } = useApp();
  const { t } = useI18n();
  const directory = useDirectory();
  const me = session?.user.id ?? '';
  const watchers = ticket.watchers ?? [];
  const watching = watchers.includes(me);
  const name = (id: string) => directory.data?.agents.find((a) => a.id === id)?.name ?? id;
  const supervisor = hasRole(session, 'supervisor', 'admin');
  const follow = (agentId?: string) =>
    perform({
      label: t(agentId && agentId !== me ? 'collab_added' : 'collab_follow'),
      run: (v) => api.send('POST', `/tickets/${ticket.id}/watchers`, agentId ? { agentId } : {}, v),
    }).catch(() => {});
  const unfollow = (agentId: string) =>
    perform({
      label: t('collab_unfollow'),
      run: (v) =>
        api.send('DELETE', `/tickets/${ticket.id}/watchers/${encodeURIComponent(agentId)}`, undefined, v),
    }).catch(() => {});
  return (
    <Card
      title={`${t('collab_watchers')} (${watchers.length})`}
      extra={
        <Button
          size="small"
          type={watching ? 'default' : 'primary'}
          data-action={watching ? 'unfollow' : 'follow'}
          onClick={() => (watching ? unfollow(me) : follow())}
        >
          {watching ? t('collab_unfollow') : t('collab_follow')}
        </Button>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        {watchers.length === 0 && (
          <Typography.Text type="secondary">{t('collab_noWatchers')}</Typography.Text>
        )}
        <Space wrap size={4} data-watchers>
          {watchers.map((w) => (
            <Tag
              key={w}
              color={w === me ? 'blue' : 'default'}
              closable={supervisor || w === me}
              onClose={(e) => {
                e.preventDefault();
                void unfollow(w);
              }}
            >
              {name(w)}
            </Tag>
          ))}
        </Space>
        {supervisor && (
          <Select
            aria-label={t('collab_addWatcher')}
            placeholder={t('collab_addWatcher')}
            showSearch
            optionFilterProp="label"
            value={null}
            style={{ width: '100%' }}
            onChange={(agentId: string | null) => agentId && follow(agentId)}
            options={(directory.data?.agents ?? [])
              .filter((a) => !watchers.includes(a.id))
              .map((a) => ({ value: a.id, label: a.name }))}
          />
        )}
      </Space>
    </Card>
  );
}

function LinksCard({ ticket, perform }: { ticket: Ticket; perform: Perform }) {
  const { api } = useApp();
  const { t } = useI18n();
  const [other, setOther] = useState('');
  const [linkError, setLinkError] = useState<string | undefined>();
  const [merging, setMerging] = useState(false);
  const links = ticket.links ?? [];
  const add = () =>
    perform({
      label: t('collab_linked'),
      run: () => api.send('POST', `/tickets/${ticket.id}/links`, { ticket: other.trim(), kind: 'related' }),
      onDone: () => {
        setOther('');
        setLinkError(undefined);
      },
    }).catch((error) =>
      setLinkError(
        error instanceof ApiError ? (error.fieldMessage('ticket') ?? error.message) : String(error),
      ),
    );
  const remove = (to: string) =>
    perform({
      label: t('collab_unlinked'),
      run: () => api.send('DELETE', `/tickets/${ticket.id}/links/${encodeURIComponent(to)}`),
    }).catch(() => {});
  return (
    <Card
      title={t('collab_links')}
      extra={
        ticket.status !== 'closed' && (
          <Button size="small" danger data-action="merge" onClick={() => setMerging(true)}>
            {t('collab_merge')}
          </Button>
        )
      }
    >
      <List
        size="small"
        dataSource={links}
        locale={{ emptyText: <Typography.Text type="secondary">{t('collab_noLinks')}</Typography.Text> }}
        renderItem={(l) => (
          <List.Item
            data-link={l.number}
            actions={
              l.kind === 'related'
                ? [
                    <Button
                      key="x"
                      size="small"
                      type="link"
                      onClick={() => remove(l.ticketId)}
                      aria-label={`${t('collab_unlink')} ${l.number}`}
                    >
                      {t('collab_unlink')}
                    </Button>,
                  ]
                : []
            }
          >
            <Space size={6}>
              <Tag color={l.kind === 'related' ? 'default' : 'purple'}>{t(`collab_kind_${l.kind}`)}</Tag>
              <a
                href={`${import.meta.env.BASE_URL}tickets/${l.ticketId}`}
                onClick={link(`/tickets/${l.ticketId}`)}
              >
                {l.number}
              </a>
            </Space>
          </List.Item>
        )}
      />
      <Form layout="vertical" onFinish={() => add()} style={{ marginTop: 8 }}>
        <Form.Item
          label={t('collab_linkLabel')}
          validateStatus={linkError ? 'error' : undefined}
          help={linkError}
          style={{ marginBottom: 0 }}
        >
          <Space.Compact style={{ width: '100%' }}>
            <Input
              value={other}
              onChange={(e) => setOther(e.target.value)}
              placeholder="GD-000123"
              aria-label={t('collab_linkLabel')}
            />
            <Button htmlType="submit" disabled={!other.trim()} data-action="link">
              {t('collab_link')}
            </Button>
          </Space.Compact>
        </Form.Item>
      </Form>
      <MergeModal open={merging} ticket={ticket} onClose={() => setMerging(false)} perform={perform} />
    </Card>
  );
}

function MergeModal({
  open,
  ticket,
  onClose,
  perform,
}: {
  open: boolean;
  ticket: Ticket;
  onClose: () => void;
  perform: Perform;
}) {
  const { api } = useApp();
  const { t, format } = useI18n();
  const [number, setNumber] = useState('');
  const [reason, setReason] = useState('');
  const [found, setFound] = useState<TicketSummary | null>(null);
  const [error, setError] = useState<string | undefined>();
  const search = async () => {
    setError(undefined);
    setFound(null);
    const items = await api
      .get<{ items: TicketSummary[] }>('/tickets', { q: number.trim().toUpperCase() })
      .then((r) => r.items);
    const match = items.find((i) => i.number === number.trim().toUpperCase()) ?? null;
    if (!match) setError(format('collab_mergeNotFound', { number: number.trim() }));
    else if (match.id === ticket.id) setError(t('collab_mergeSelf'));
    else setFound(match);
  };
  const submit = async () => {
    if (!found) return;
    try {
      await perform({
        label: t('collab_merged'),
        run: (v) =>
          api.send(
            'POST',
            `/tickets/${ticket.id}/merge`,
            { into: found.number, ...(reason.trim() ? { reason: reason.trim() } : {}) },
            v,
          ),
      });
      onClose();
    } catch (e) {
      setError(e instanceof ApiError ? (e.fieldMessage('into') ?? e.message) : String(e));
    }
  };
  return (
    <Modal
      open={open}
      title={format('collab_mergeTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={submit}
      okText={t('collab_mergeOk')}
      okButtonProps={{ danger: true, disabled: !found, 'data-action': 'merge-confirm' } as ButtonProps}
      cancelText={t('cancel')}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('collab_mergeExplain')}</Typography.Paragraph>
      <Form layout="vertical" onFinish={() => void search()}>
        <Form.Item label={t('collab_mergeInto')} validateStatus={error ? 'error' : undefined} help={error}>
          <Space.Compact style={{ width: '100%' }}>
            <Input
              value={number}
              onChange={(e) => setNumber(e.target.value)}
              placeholder="GD-000123"
              aria-label={t('collab_mergeInto')}
            />
            <Button htmlType="submit" disabled={!number.trim()} data-action="merge-find">
              {t('collab_find')}
            </Button>
          </Space.Compact>
        </Form.Item>
      </Form>
      {found && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-merge-target={found.number}
          message={`${found.number} · ${found.subject}`}
          description={format('collab_mergeConfirm', {
            from: ticket.number,
            to: found.number,
            status: t(found.status),
          })}
        />
      )}
      <Form layout="vertical">
        <Form.Item label={t('reason')} htmlFor="merge-reason">
          <Input.TextArea
            id="merge-reason"
            aria-label={t('reason')}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AttachmentsCard({ ticket }: { ticket: Ticket }) {
  const { t } = useI18n();
  const attachments = useAttachments(ticket.id);
  const download = useDownload(ticket.id);
  const items = (attachments.data ?? []).filter((a) => a.status === 'stored');
  return (
    <Card title={`${t('collab_attachments')} (${items.length})`}>
      <List
        size="small"
        loading={attachments.isLoading}
        dataSource={items}
        locale={{
          emptyText: <Typography.Text type="secondary">{t('collab_noAttachments')}</Typography.Text>,
        }}
        renderItem={(a) => (
          <List.Item data-attachment-row={a.filename}>
            <Space direction="vertical" size={0} style={{ minWidth: 0 }}>
              <Button
                type="link"
                size="small"
                style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }}
                onClick={() => download(a.id)}
              >
                {a.filename}
              </Button>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {sizeText(a.size)} · {a.channel === 'api' ? t('collab_byStaff') : a.channel} ·{' '}
                {new Date(a.at).toLocaleString()}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
