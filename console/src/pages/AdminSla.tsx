import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Row,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { useApp } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';

type TargetName = 'firstResponse' | 'nextResponse' | 'resolution';
const targetNames: TargetName[] = ['firstResponse', 'nextResponse', 'resolution'];

interface Policy {
  id: string;
  name: string;
  enabled: boolean;
  targets: Partial<Record<TargetName, { minutes: number; warnAtPercent?: number[] }>>;
  warnAtPercent: number[];
  [other: string]: unknown;
}

interface SlaConfigView {
  version: number;
  policies: Policy[];
  updatedAt: string;
  /** Null for the configuration the system seeded. */
  updatedBy: { id: string; name?: string } | null;
}

/** The form's values: the editable parts of each policy; the rest (match, escalation…) is kept as read. */
interface FormValues {
  policies: {
    name: string;
    enabled: boolean;
    minutes: Partial<Record<TargetName, number | null>>;
    warnAt: number | null;
  }[];
}

/**
 * SLA policies as forms, not JSON: names, targets in business minutes, the warning threshold. The
 * API's field errors appear beside their fields; the version read is sent as If-Match, so a change
 * made meanwhile by someone else is a 412 explained here, not overwritten.
 */
export default function AdminSla() {
  const { api } = useApp();
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const config = useQuery({
    queryKey: ['config', 'sla'],
    queryFn: async () => {
      const { body, etag } = await api.getWithEtag<SlaConfigView>('/config/sla');
      return { ...body, etag: etag ?? String(body.version) };
    },
    refetchOnWindowFocus: false,
  });

  useEffect(() => {
    if (!config.data) return;
    form.setFieldsValue({
      policies: config.data.policies.map((p) => ({
        name: p.name,
        enabled: p.enabled,
        minutes: Object.fromEntries(targetNames.map((n) => [n, p.targets[n]?.minutes ?? null])),
        warnAt: p.warnAtPercent[0] ?? null,
      })),
    });
  }, [config.data, form]);

  const save = async (values: FormValues) => {
    const current = config.data!;
    const policies = current.policies.map((p, i) => {
      const edited = values.policies[i]!;
      const targets: Policy['targets'] = {};
      for (const n of targetNames) {
        const minutes = edited.minutes[n];
        if (minutes !== null && minutes !== undefined) targets[n] = { ...p.targets[n], minutes };
      }
      return {
        ...p,
        name: edited.name,
        enabled: edited.enabled,
        targets,
        warnAtPercent: edited.warnAt === null ? [] : [edited.warnAt, ...p.warnAtPercent.slice(1)],
      };
    });
    setSaving(true);
    try {
      await api.send('PUT', '/config/sla', { policies }, current.etag);
      setErrors({});
      setProblem(null);
      message.success(t('saved'));
      await queryClient.invalidateQueries({ queryKey: ['config', 'sla'] });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const byField: Record<string, string> = {};
      for (const f of error.fields) byField[f.path] = f.message;
      setErrors(byField);
      setProblem(error.status === 412 ? `${t('conflictTitle')}: ${error.message}` : error.message);
    } finally {
      setSaving(false);
    }
  };

  /** The API's message for a field of policy `i` (its paths are `policies.<i>.<field…>`). */
  const fieldError = (i: number, ...path: string[]) => {
    const key = ['policies', i, ...path].join('.');
    const message = errors[key] ?? Object.entries(errors).find(([k]) => k.startsWith(`${key}.`))?.[1];
    return message ? { validateStatus: 'error' as const, help: message } : {};
  };

  if (config.isLoading) return <Card loading />;
  if (config.isError) return <Alert type="error" showIcon message={config.error.message} />;
  const data = config.data!;
  const by = data.updatedBy ? (data.updatedBy.name ?? data.updatedBy.id) : 'Gongdan';

  return (
    <Card>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {t('policies')}
        </Typography.Title>
        <Typography.Text type="secondary" data-version={data.version}>
          {t('version')} {data.version} · {t('updatedBy')}: {by} · {new Date(data.updatedAt).toLocaleString()}
        </Typography.Text>
        {problem && <Alert type="error" showIcon message={problem} role="alert" />}
        <Form form={form} layout="vertical" onFinish={save}>
          {data.policies.map((p, i) => (
            <Card
              key={p.id}
              size="small"
              style={{ marginBottom: 12 }}
              title={
                <Space>
                  <Tag>{p.id}</Tag>
                  <span>{p.name}</span>
                </Space>
              }
              data-policy={p.id}
            >
              <Row gutter={12}>
                <Col xs={24} md={10}>
                  <Form.Item
                    name={['policies', i, 'name']}
                    label={t('policyName')}
                    {...fieldError(i, 'name')}
                  >
                    <Input aria-label={`${p.id} name`} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item name={['policies', i, 'enabled']} label={t('enabled')} valuePropName="checked">
                    <Switch aria-label={`${p.id} enabled`} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item
                    name={['policies', i, 'warnAt']}
                    label={t('warnAt')}
                    {...fieldError(i, 'warnAtPercent')}
                  >
                    <InputNumber aria-label={`${p.id} ${t('warnAt')}`} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </Row>
              <Row gutter={12}>
                {targetNames.map((n) => (
                  <Col xs={24} md={8} key={n}>
                    <Form.Item
                      name={['policies', i, 'minutes', n]}
                      label={`${t(n)} (${t('minutes')})`}
                      {...fieldError(i, 'targets', n, 'minutes')}
                    >
                      <InputNumber
                        aria-label={`${p.id} ${n}`}
                        data-field={`${p.id}.${n}`}
                        style={{ width: '100%' }}
                      />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
            </Card>
          ))}
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('save')}
          </Button>
        </Form>
      </Space>
    </Card>
  );
}
