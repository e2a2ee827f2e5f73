import { App as AntApp, Button, Card, Descriptions, List, Space, Tag, Typography } from 'antd';
import type { Ticket } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';

type Visit = NonNullable<Ticket['visits']>[number];

const when = (iso: string, lang: 'zh' | 'en') =>
  new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });

/**
 * The ticket's site visits (docs/field-service.md): each step with its time and distance, the flag of
 * a check-in outside the radius, notes, parts, photos and the customer's signature (download links).
 */
export function FieldVisitsPanel({ ticket }: { ticket: Ticket }) {
  const { t, lang } = useI18n();
  const { api } = useApp();
  const { message } = AntApp.useApp();
  const directory = useDirectory();
  const agentName = (id: string) => directory.data?.agents.find((a) => a.id === id)?.name ?? id;
  const visits = ticket.visits ?? [];
  if (!visits.length) return null;
  const download = async (attachmentId: string) => {
    try {
      const { url } = await api.get<{ url: string }>(`/tickets/${ticket.id}/attachments/${attachmentId}`);
      window.location.assign(url);
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <Card title={t('field_visits')} data-panel="visits">
      <Space direction="vertical" style={{ width: '100%' }} size={16}>
        {visits.map((v: Visit) => (
          <div key={v.id}>
            <Space wrap>
              <Typography.Text strong>
                {t('field_engineer')}: {agentName(v.engineer)}
              </Typography.Text>
              <Tag color={v.status === 'completed' ? 'green' : 'blue'}>{t(`field_status_${v.status}`)}</Tag>
              {v.flagged && <Tag color="orange">{t('field_flagged')}</Tag>}
            </Space>
            <List
              size="small"
              dataSource={v.steps}
              renderItem={(s) => (
                <List.Item>
                  <Space wrap>
                    <span>
                      {t(`field_step_${s.action}`) === `field_step_${s.action}`
                        ? s.action
                        : t(`field_step_${s.action}`)}
                    </span>
                    <Typography.Text type="secondary">{when(s.at, lang)}</Typography.Text>
                    {s.distanceMeters !== undefined && s.distanceMeters !== null && (
                      <Typography.Text type={s.outsideRadius ? 'danger' : 'secondary'}>
                        {t('field_distance')} {s.distanceMeters} m
                      </Typography.Text>
                    )}
                  </Space>
                </List.Item>
              )}
            />
            <Descriptions size="small" column={1}>
              {v.notes.length > 0 && (
                <Descriptions.Item label={t('field_notes')}>
                  {v.notes.map((n) => n.text).join('；')}
                </Descriptions.Item>
              )}
              {v.parts.length > 0 && (
                <Descriptions.Item label={t('field_parts')}>
                  {v.parts.map((p) => `${p.name} × ${p.quantity}`).join('，')}
                </Descriptions.Item>
              )}
              {v.photos.length > 0 && (
                <Descriptions.Item label={t('field_photos')}>
                  <Space wrap>
                    {v.photos.map((p) => (
                      <Button key={p.attachmentId} size="small" onClick={() => void download(p.attachmentId)}>
                        {t(`field_tag_${p.tag}`)}
                      </Button>
                    ))}
                  </Space>
                </Descriptions.Item>
              )}
              {v.signOff && (
                <Descriptions.Item label={t('field_signer')}>
                  <Space wrap>
                    <span>{v.signOff.signerName}</span>
                    <Typography.Text type="secondary">{when(v.signOff.at, lang)}</Typography.Text>
                    <Typography.Text type="secondary" code>
                      SHA-256 {v.signOff.sha256.slice(0, 12)}…
                    </Typography.Text>
                    <Button size="small" onClick={() => void download(v.signOff!.attachmentId)}>
                      {t('field_signature')}
                    </Button>
                  </Space>
                </Descriptions.Item>
              )}
              {v.summary && <Descriptions.Item label={t('field_result')}>{v.summary}</Descriptions.Item>}
            </Descriptions>
          </div>
        ))}
      </Space>
    </Card>
  );
}
