import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  Row,
  Select,
  Space,
  Typography,
  Upload,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { useApp } from '../app-context.ts';
import { StickyBar, useFieldErrors } from '../components/field-errors.tsx';
import { useI18n } from '../i18n.tsx';

/** The portal configuration as `GET /config/portal` gives it (defaults filled in, version 0 until saved). */
interface PortalConfig {
  version: number;
  companyName: { zh: string | null; en: string | null };
  logoUrl: string | null;
  logoImage: { contentType: 'image/png' | 'image/jpeg' | 'image/webp'; data: string } | null;
  servicePhone: string | null;
  privacyNote: { zh: string | null; en: string | null };
  privacyUrl: string | null;
  timeZone: string;
}

interface FormValues {
  companyNameZh: string;
  companyNameEn: string;
  logoUrl: string;
  servicePhone: string;
  privacyNoteZh: string;
  privacyNoteEn: string;
  privacyUrl: string;
  timeZone: string;
}

const queryKey = ['config', 'portal'];
/** What the API takes as an uploaded logo (it checks again): PNG, JPEG or WebP up to 96 KiB. */
const logoTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
const maxLogoBytes = 96 * 1024;

const zones = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'UTC',
];

const toValues = (c: PortalConfig): FormValues => ({
  companyNameZh: c.companyName.zh ?? '',
  companyNameEn: c.companyName.en ?? '',
  logoUrl: c.logoUrl ?? '',
  servicePhone: c.servicePhone ?? '',
  privacyNoteZh: c.privacyNote.zh ?? '',
  privacyNoteEn: c.privacyNote.en ?? '',
  privacyUrl: c.privacyUrl ?? '',
  timeZone: c.timeZone,
});

const orNull = (s: string | undefined) => (s?.trim() ? s.trim() : null);

/** Reads a chosen file as base64 (without the `data:` prefix). */
const base64Of = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

/**
 * The customer portal's branding and legal text (`/config/portal`): company name per language, a logo
 * (an https URL or an uploaded image), the service phone, the privacy note and link, and the time zone
 * the portal shows times in. Saved whole with If-Match; the API's field errors appear beside the fields.
 */
export default function AdminPortal() {
  const { api } = useApp();
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const { show: showErrors, fieldError, clear } = useFieldErrors();
  const [problem, setProblem] = useState<{ kind: 'conflict' | 'other'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [logoImage, setLogoImage] = useState<PortalConfig['logoImage']>(null);
  const config = useQuery({
    queryKey,
    queryFn: async () => {
      const { body, etag } = await api.getWithEtag<PortalConfig>('/config/portal');
      return { doc: body, etag: etag ?? String(body.version) };
    },
    refetchOnWindowFocus: false,
  });

  const load = useCallback(
    (doc: PortalConfig) => {
      form.resetFields();
      form.setFieldsValue(toValues(doc));
      setLogoImage(doc.logoImage);
      clear();
    },
    [form, clear],
  );

  useEffect(() => {
    if (config.data) load(config.data.doc);
  }, [config.data, load]);

  const chooseLogo = async (file: File) => {
    if (!(logoTypes as readonly string[]).includes(file.type)) {
      message.error(t('portal_logoType'));
      return;
    }
    if (file.size > maxLogoBytes) {
      message.error(t('portal_logoTooLarge'));
      return;
    }
    setLogoImage({ contentType: file.type as (typeof logoTypes)[number], data: await base64Of(file) });
  };

  const save = async () => {
    const { etag } = config.data!;
    const v = form.getFieldsValue(true) as FormValues;
    const body = {
      companyName: { zh: orNull(v.companyNameZh), en: orNull(v.companyNameEn) },
      logoUrl: orNull(v.logoUrl),
      logoImage,
      servicePhone: orNull(v.servicePhone),
      privacyNote: { zh: orNull(v.privacyNoteZh), en: orNull(v.privacyNoteEn) },
      privacyUrl: orNull(v.privacyUrl),
      timeZone: v.timeZone,
    };
    setSaving(true);
    try {
      await api.send('PUT', '/config/portal', body, etag);
      clear();
      setProblem(null);
      message.success(t('saved'));
      await queryClient.invalidateQueries({ queryKey });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showErrors(error);
      setProblem(
        error.status === 412
          ? { kind: 'conflict', text: t('portal_conflict') }
          : { kind: 'other', text: error.fields.length ? t('portal_invalid') : error.message },
      );
    } finally {
      setSaving(false);
    }
  };

  if (config.isPending) return <Card loading />;
  if (config.isError) return <Alert type="error" showIcon title={String(config.error)} />;
  const logoSrc = logoImage ? `data:${logoImage.contentType};base64,${logoImage.data}` : null;

  return (
    <Card
      title={t('admin_portal')}
      extra={
        <Typography.Link href="/portal" target="_blank" rel="noopener">
          {t('portal_open')}
        </Typography.Link>
      }
    >
      <Typography.Paragraph type="secondary">{t('portal_intro')}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false}>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              label={t('portal_companyZh')}
              name="companyNameZh"
              extra={t('portal_defaultName')}
              {...fieldError('companyName.zh')}
            >
              <Input maxLength={80} placeholder="Gongdan 客服中心" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item label={t('portal_companyEn')} name="companyNameEn" {...fieldError('companyName.en')}>
              <Input maxLength={80} placeholder="Gongdan Customer Service" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              label={t('portal_logoUrl')}
              name="logoUrl"
              extra={t('portal_logoUrlHint')}
              {...fieldError('logoUrl')}
            >
              <Input maxLength={500} placeholder="https://cdn.example.com/logo.png" inputMode="url" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              label={t('portal_logoImage')}
              extra={t('portal_logoImageHint')}
              {...fieldError('logoImage')}
            >
              <Space wrap>
                {logoSrc && (
                  <img
                    src={logoSrc}
                    alt={t('portal_logoImage')}
                    data-testid="portal-logo-preview"
                    style={{ height: 32, maxWidth: 128, objectFit: 'contain', border: '1px solid #d9d9d9' }}
                  />
                )}
                <Upload
                  accept={logoTypes.join(',')}
                  showUploadList={false}
                  beforeUpload={(file) => {
                    void chooseLogo(file);
                    return false;
                  }}
                >
                  <Button>{t('portal_chooseLogo')}</Button>
                </Upload>
                {logoImage && <Button onClick={() => setLogoImage(null)}>{t('portal_removeLogo')}</Button>}
              </Space>
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item label={t('portal_servicePhone')} name="servicePhone" {...fieldError('servicePhone')}>
              <Input maxLength={40} placeholder="400-820-8820" inputMode="tel" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              label={t('portal_timeZone')}
              name="timeZone"
              extra={t('portal_timeZoneHint')}
              {...fieldError('timeZone')}
            >
              <Select showSearch options={zones.map((z) => ({ value: z, label: z }))} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item label={t('portal_privacyZh')} name="privacyNoteZh" {...fieldError('privacyNote.zh')}>
              <Input.TextArea maxLength={500} autoSize={{ minRows: 2 }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item label={t('portal_privacyEn')} name="privacyNoteEn" {...fieldError('privacyNote.en')}>
              <Input.TextArea maxLength={500} autoSize={{ minRows: 2 }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('portal_privacyUrl')} name="privacyUrl" {...fieldError('privacyUrl')}>
          <Input maxLength={500} placeholder="https://example.com/privacy" inputMode="url" />
        </Form.Item>
      </Form>
      <StickyBar>
        <Space orientation="vertical" style={{ width: '100%' }}>
          {problem && (
            <Alert
              type={problem.kind === 'conflict' ? 'warning' : 'error'}
              showIcon
              role="alert"
              title={problem.text}
              action={
                problem.kind === 'conflict' ? (
                  <Button size="small" onClick={() => config.refetch().then(() => setProblem(null))}>
                    {t('portal_reload')}
                  </Button>
                ) : undefined
              }
            />
          )}
          <Space>
            <Button type="primary" onClick={save} loading={saving}>
              {t('save')}
            </Button>
            <Button onClick={() => config.data && load(config.data.doc)}>{t('portal_discard')}</Button>
          </Space>
        </Space>
      </StickyBar>
    </Card>
  );
}
