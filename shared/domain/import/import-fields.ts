import { type Channel, channels } from '../actor.ts';
import { type Priority, priorities, type Status, statuses } from '../ticket/lifecycle.ts';
import { type Tier, tiers } from '../ticket/ticket.entity.ts';

/** The fields an import row can fill (docs/import.md, "File formats, encodings and the pre-check"). */
export const importFields = [
  'externalId', // legacy ticket number (required; the idempotency key, kept as ticket.externalRef)
  'subject', // required
  'description',
  'priority',
  'status',
  'category',
  'intent',
  'team',
  'assignee',
  'channel',
  'customerEmail',
  'customerName',
  'customerPhone',
  'customerTier',
  'customerExternalId',
  'createdAt', // required; ISO-8601 UTC after normalisation
  'updatedAt',
  'resolvedAt',
  'closedAt',
  'tags',
  'product', // product line (空调); derived from the model's prefix when only a model is given
  'model', // model number (KFR-35GW)
  'region', // 北京市/朝阳区, or an address it is read from
] as const;
export type ImportField = (typeof importFields)[number];

export const requiredImportFields: readonly ImportField[] = ['externalId', 'subject', 'createdAt'];
export const dateImportFields: readonly ImportField[] = ['createdAt', 'updatedAt', 'resolvedAt', 'closedAt'];

export const isImportField = (value: unknown): value is ImportField =>
  typeof value === 'string' && (importFields as readonly string[]).includes(value);

/** Traditional characters of the header and value names below, as simplified (Big5 files from HK and Taiwan). */
const traditional: Record<string, string> = {
  單: '单',
  號: '号',
  編: '编',
  標: '标',
  題: '题',
  詳: '详',
  細: '细',
  內: '内',
  優: '优',
  級: '级',
  順: '顺',
  狀: '状',
  態: '态',
  類: '类',
  別: '别',
  團: '团',
  隊: '队',
  處: '处',
  負: '负',
  責: '责',
  來: '来',
  戶: '户',
  郵: '邮',
  電: '电',
  話: '话',
  聯: '联',
  絡: '络',
  機: '机',
  碼: '码',
  創: '创',
  時: '时',
  間: '间',
  關: '关',
  閉: '闭',
  決: '决',
  籤: '签',
  簽: '签',
  稱: '称',
  經: '经',
  辦: '办',
  問: '问',
  員: '员',
  緊: '紧',
  掛: '挂',
  網: '网',
  頁: '页',
  貴: '贵',
  賓: '宾',
  熱: '热',
  線: '线',
  導: '导',
  門: '门',
  進: '进',
  結: '结',
  暫: '暂',
  錄: '录',
  協: '协',
  產: '产',
  區: '区',
  規: '规',
};

/** Traditional characters folded to simplified, so 工單號 and 已解決 read as 工单号 and 已解决. */
export const foldTraditional = (text: string): string =>
  text.replace(/[\u3400-\u9fff]/g, (ch) => traditional[ch] ?? ch);

/**
 * A header as it is compared: NFKC (full-width letters and digits become ASCII), lower case, and without
 * spaces, underscores, hyphens, dots, slashes, colons or brackets, so `Customer E-mail`, `customer_email`
 * and `ＣＵＳＴＯＭＥＲ　ＥＭＡＩＬ` are one header; traditional characters read as simplified.
 */
export const normaliseHeader = (text: string): string =>
  foldTraditional(text.normalize('NFKC'))
    .toLowerCase()
    .replace(/[\s_\-.·/\\:：()（）[\]【】*#]/g, '');

/** Header texts (compared normalised) each field is recognised by, Chinese and English. */
export const fieldSynonyms: Record<ImportField, readonly string[]> = {
  externalId: [
    '工单号',
    '工单编号',
    '编号',
    '单号',
    '原工单号',
    '旧工单号',
    '外部编号',
    'externalid',
    'externalref',
    'legacynumber',
    'legacyid',
    'ticketnumber',
    'ticketno',
    'ticketid',
    'number',
    'id',
    'reference',
  ],
  subject: ['标题', '主题', '工单标题', '问题', '摘要', 'subject', 'title', 'summary'],
  description: ['描述', '问题描述', '详细描述', '详情', '内容', 'description', 'details', 'body', 'content'],
  priority: ['优先级', '优先顺序', '紧急程度', '级别', 'priority'],
  status: ['状态', '工单状态', 'status', 'state'],
  category: ['分类', '类别', '问题类型', '类型', 'category', 'type'],
  intent: ['意图', 'intent'],
  team: ['团队', '处理组', '技能组', '部门', '组', 'team', 'group'],
  assignee: ['处理人', '负责人', '受理人', '经办人', '客服', 'assignee', 'agent', 'owner', 'assignedto'],
  channel: ['渠道', '来源渠道', '来源', 'channel', 'source'],
  customerEmail: [
    '客户邮箱',
    '邮箱',
    '电子邮箱',
    '电子邮件',
    '电邮',
    '邮件',
    'customeremail',
    'email',
    'mail',
  ],
  customerName: [
    '客户姓名',
    '客户名称',
    '客户',
    '姓名',
    '联系人',
    '联络人',
    'customername',
    'customer',
    'name',
    'contact',
    'requester',
  ],
  customerPhone: [
    '客户电话',
    '联系电话',
    '联络电话',
    '电话',
    '手机',
    '手机号',
    '手机号码',
    'customerphone',
    'phone',
    'mobile',
    'telephone',
    'tel',
  ],
  customerTier: ['客户等级', '客户级别', '会员等级', '等级', 'customertier', 'tier'],
  customerExternalId: [
    '客户编号',
    '客户号',
    '客户id',
    'customerexternalid',
    'customerid',
    'customerno',
    'customernumber',
  ],
  createdAt: [
    '创建时间',
    '创建日期',
    '建立时间',
    '建立日期',
    '提交时间',
    '开单时间',
    '建单时间',
    'createdat',
    'created',
    'createdtime',
    'createddate',
    'creationdate',
    'opened',
    'openedat',
    'date',
  ],
  updatedAt: ['更新时间', '修改时间', '最后更新', 'updatedat', 'updated', 'lastupdated', 'modified'],
  resolvedAt: ['解决时间', 'resolvedat', 'resolved', 'solvedat'],
  closedAt: ['关闭时间', '结单时间', 'closedat', 'closed'],
  tags: ['标签', 'tags', 'tag', 'labels'],
  product: ['产品', '产品线', '产品类别', '产品类型', '品类', 'product', 'productline', 'line'],
  model: ['型号', '产品型号', '机型', '规格型号', 'model', 'modelnumber', 'modelno', 'productmodel'],
  region: [
    '地区',
    '区域',
    '所在地区',
    '省市',
    '地域',
    '地址',
    '客户地址',
    'region',
    'area',
    'address',
    'location',
  ],
};

const synonymIndex = new Map<string, ImportField>();
for (const field of importFields) {
  for (const text of [field, ...fieldSynonyms[field]]) {
    const key = normaliseHeader(text);
    if (!synonymIndex.has(key)) synonymIndex.set(key, field);
  }
}

/** The field a header names by the built-in synonyms, if any. */
export const fieldForHeader = (header: string): ImportField | undefined =>
  synonymIndex.get(normaliseHeader(header));

/** The headers of the downloadable template, per locale (each maps back through the synonyms). */
export const templateHeaders: Record<'zh' | 'en', Record<ImportField, string>> = {
  zh: {
    externalId: '工单号',
    subject: '标题',
    description: '描述',
    priority: '优先级',
    status: '状态',
    category: '分类',
    intent: '意图',
    team: '团队',
    assignee: '处理人',
    channel: '渠道',
    customerEmail: '客户邮箱',
    customerName: '客户姓名',
    customerPhone: '客户电话',
    customerTier: '客户等级',
    customerExternalId: '客户编号',
    createdAt: '创建时间',
    updatedAt: '更新时间',
    resolvedAt: '解决时间',
    closedAt: '关闭时间',
    tags: '标签',
    product: '产品',
    model: '型号',
    region: '地区',
  },
  en: {
    externalId: 'Ticket number',
    subject: 'Subject',
    description: 'Description',
    priority: 'Priority',
    status: 'Status',
    category: 'Category',
    intent: 'Intent',
    team: 'Team',
    assignee: 'Assignee',
    channel: 'Channel',
    customerEmail: 'Customer email',
    customerName: 'Customer name',
    customerPhone: 'Customer phone',
    customerTier: 'Customer tier',
    customerExternalId: 'Customer ID',
    createdAt: 'Created',
    updatedAt: 'Updated',
    resolvedAt: 'Resolved',
    closedAt: 'Closed',
    tags: 'Tags',
    product: 'Product',
    model: 'Model',
    region: 'Region',
  },
};

/** The enumerated fields, their values, and the other names (Chinese, common English) each value goes by. */
export const enumFields = {
  priority: {
    label: 'Priority',
    values: priorities,
    names: {
      low: ['低', '较低', '不急', 'p4', 'minor', 'lowest'],
      normal: ['普通', '一般', '中', '中等', '正常', 'medium', 'p3', 'moderate'],
      high: ['高', '较高', '重要', 'p2', 'major'],
      urgent: ['紧急', '特急', '加急', '非常紧急', '最高', 'p1', 'critical', 'highest', 'asap'],
    } satisfies Record<Priority, readonly string[]>,
  },
  status: {
    label: 'Status',
    values: statuses,
    names: {
      new: ['新建', '新', '待处理', '未处理', '待受理'],
      open: ['处理中', '进行中', '已受理', '打开', 'inprogress', 'active', 'assigned'],
      pending: ['挂起', '等待', '待回复', '等待客户', '暂停', 'onhold', 'waiting', 'hold'],
      resolved: ['已解决', '解决', '已处理', 'solved', 'done', 'fixed'],
      closed: ['已关闭', '关闭', '结单', '已结单', '已完成', 'completed', 'finished'],
    } satisfies Record<Status, readonly string[]>,
  },
  customerTier: {
    label: 'Customer tier',
    values: tiers,
    names: {
      standard: ['普通', '标准', '普通客户', '标准客户', 'regular', 'normal', 'basic'],
      vip: ['vip客户', '贵宾', '重要客户', '大客户', 'premium', 'gold', 'key'],
    } satisfies Record<Tier, readonly string[]>,
  },
  channel: {
    label: 'Channel',
    values: channels,
    names: {
      web: ['网页', '网站', '在线', '门户', 'portal', 'website', 'online', 'form'],
      email: ['邮件', '电子邮件', '邮箱', 'mail', 'e-mail'],
      api: ['接口'],
      webhook: [],
      event: ['事件'],
      import: ['导入'],
      phone: ['电话', '热线', '呼叫中心', 'call', 'hotline', 'telephone', 'tel'],
    } satisfies Record<Channel, readonly string[]>,
  },
} as const;
export type EnumField = keyof typeof enumFields;
