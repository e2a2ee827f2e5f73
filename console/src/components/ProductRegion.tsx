import { Button, Card, Descriptions, Form, Input, Modal, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { ApiError, type Ticket } from '../api.ts';
import { useApp } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';
import { hasRole } from '../session.ts';
import { useFieldErrors } from './field-errors.tsx';

/** An action on the ticket at the version on screen (TicketPage's `perform`: 412 flow, refresh). */
type Perform = (action: {
  label: string;
  run: (version: number) => Promise<unknown>;
  onDone?: () => void;
}) => Promise<void>;

interface Values {
  line: string;
  model: string;
  region: string;
}

/**
 * The ticket's product (line, model) and region (docs/analytics.md, "Product and region"), each marked
 * when it was derived from the text or the address rather than given; staff correct them here
 * (`PATCH /tickets/{id}`: the API's field errors appear beside the inputs).
 */
export function ProductRegionCard({ ticket, perform }: { ticket: Ticket; perform: Perform }) {
  const { session } = useApp();
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const derived = new Set(ticket.derived ?? []);
  const canEdit = hasRole(session, 'agent', 'supervisor', 'admin') && ticket.status !== 'closed';
  const mark = (field: 'product' | 'region') =>
    derived.has(field) ? (
      <Tooltip title={t('pr_derivedHint')}>
        <Tag color="geekblue" data-derived={field} style={{ marginInlineStart: 8 }}>
          {t('pr_derived')}
        </Tag>
      </Tooltip>
    ) : null;

  return (
    <Card
      title={t('pr_title')}
      data-card="product-region"
      extra={
        canEdit && (
          <Button size="small" data-action="edit-product-region" onClick={() => setEditing(true)}>
            {t('pr_edit')}
          </Button>
        )
      }
    >
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('pr_line')}>
          <span data-field="product-line">{ticket.product?.line ?? '—'}</span>
          {ticket.product && mark('product')}
        </Descriptions.Item>
        <Descriptions.Item label={t('pr_model')}>
          <span data-field="product-model">{ticket.product?.model ?? '—'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('pr_region')}>
          <span data-field="region">{ticket.region ?? '—'}</span>
          {ticket.region && mark('region')}
        </Descriptions.Item>
      </Descriptions>
      {editing && <EditDialog ticket={ticket} perform={perform} onClose={() => setEditing(false)} />}
    </Card>
  );
}

function EditDialog({ ticket, perform, onClose }: { ticket: Ticket; perform: Perform; onClose: () => void }) {
  const { api } = useApp();
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const { show, fieldError, clear } = useFieldErrors();
  const [saving, setSaving] = useState(false);

  const save = async () => {
    const values = await form.validateFields();
    const line = values.line?.trim() ?? '';
    const model = values.model?.trim() ?? '';
    const region = values.region?.trim() ?? '';
    const body = {
      product: line || model ? { line, ...(model ? { model } : {}) } : null,
      region: region || null,
    };
    setSaving(true);
    clear();
    try {
      await perform({
        label: t('pr_saved'),
        run: (version) => api.send('PATCH', `/tickets/${ticket.id}`, body, version),
        onDone: onClose,
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) show(error);
      else throw error;
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('pr_editTitle')}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={saving}
      onOk={() => save().catch(() => {})}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{
          line: ticket.product?.line ?? '',
          model: ticket.product?.model ?? '',
          region: ticket.region ?? '',
        }}
      >
        <Form.Item
          name="line"
          label={t('pr_line')}
          dependencies={['model']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, value: string | undefined) =>
                String(getFieldValue('model') ?? '').trim() && !String(value ?? '').trim()
                  ? Promise.reject(new Error(t('pr_lineRequired')))
                  : Promise.resolve(),
            }),
          ]}
          {...fieldError('product.line', ['product'])}
        >
          <Input aria-label={t('pr_line')} maxLength={40} placeholder="空调" />
        </Form.Item>
        <Form.Item name="model" label={t('pr_model')} {...fieldError('product.model')}>
          <Input aria-label={t('pr_model')} maxLength={60} placeholder="KFR-35GW" />
        </Form.Item>
        <Form.Item name="region" label={t('pr_region')} extra={t('pr_regionHint')} {...fieldError('region')}>
          <Input aria-label={t('pr_region')} maxLength={60} placeholder="北京市/朝阳区" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type Product = { line: string; model?: string } | null | undefined;

const productText = (p: Product) => (p ? [p.line, p.model].filter(Boolean).join(' ') : '—');

/** The history line of an `updated` event that changed the product or the region, or null. */
export function productRegionChange(
  data: Record<string, unknown>,
  t: (key: string) => string,
): string | null {
  const parts: string[] = [];
  const product = data.product as { from: Product; to: Product } | undefined;
  const region = data.region as { from: string | null; to: string | null } | undefined;
  if (product) parts.push(`${t('pr_line')}: ${productText(product.from)} → ${productText(product.to)}`);
  if (region) parts.push(`${t('pr_region')}: ${region.from ?? '—'} → ${region.to ?? '—'}`);
  return parts.length ? parts.join('; ') : null;
}
