import type { AgentProfileInput } from '#shared/domain/routing/agent.ts';
import type { NewTicket } from '#shared/domain/ticket/ticket.entity.ts';

/**
 * Demo data for the local runtime: the service desk of a facilities-management company in Shanghai.
 * Configuration (teams and routing rules, SLA policies, business calendars) is the domain's own demo
 * configuration (`defaultRoutingConfig`, `defaultSlaPolicies`, `defaultCalendars`); this file adds the
 * agents behind it, customers, knowledge-base articles and a few tickets. Keys: docs/local-runtime.md.
 */

export const seedVersion = 'v1';

const shanghaiOffice = {
  timeZone: 'Asia/Shanghai',
  windows: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }],
};

/**
 * The staff of `defaultRoutingConfig`'s teams (ids match its rosters and the local users), with skills
 * and proficiency 1–5, languages, capacities, levels, locations and availability.
 */
export const agents: AgentProfileInput[] = [
  {
    id: 'u-sup-field',
    name: '刘洋',
    email: 'liu.yang@gongdan.local',
    phone: '+8613800000001',
    teams: ['field-repair', 'experts'],
    skills: { elevator: 4, hvac: 3, electrical: 3 },
    languages: ['zh', 'en'],
    capacity: 3,
    level: 3,
    availability: 'online',
    location: { lat: 31.2304, lng: 121.4737, address: '上海市黄浦区人民大道 200 号' },
  },
  {
    id: 'u-sup-desk',
    name: '陈静',
    email: 'chen.jing@gongdan.local',
    phone: '+8613800000002',
    teams: ['service-desk', 'complaints'],
    skills: { billing: 4, account: 4, 'complaint-handling': 5, 'vip-care': 5 },
    languages: ['zh', 'en'],
    capacity: 3,
    level: 3,
    availability: 'online',
    location: { lat: 31.2286, lng: 121.4477, address: '上海市静安区南京西路 1266 号' },
  },
  {
    id: 'u-agent-zhang',
    name: '张伟',
    email: 'zhang.wei@gongdan.local',
    phone: '+8613800000011',
    teams: ['service-desk', 'billing'],
    skills: { billing: 5, account: 4, app: 2 },
    languages: ['zh'],
    capacity: { max: 8, perChannel: { phone: 2 } },
    level: 1,
    availability: 'online',
    location: { lat: 31.2286, lng: 121.4477, address: '上海市静安区南京西路 1266 号' },
  },
  {
    id: 'u-agent-li',
    name: '李娜',
    email: 'li.na@gongdan.local',
    phone: '+8613800000012',
    teams: ['service-desk', 'complaints'],
    skills: { account: 3, app: 4, 'complaint-handling': 4, 'vip-care': 3 },
    languages: ['zh', 'en'],
    capacity: 6,
    level: 2,
    availability: 'online',
    location: { lat: 31.1884, lng: 121.4365, address: '上海市徐汇区漕溪北路 88 号' },
  },
  {
    id: 'u-agent-wang',
    name: '王强',
    email: 'wang.qiang@gongdan.local',
    phone: '+8613800000013',
    teams: ['field-repair'],
    skills: { elevator: 5, electrical: 4 },
    languages: ['zh'],
    capacity: 4,
    level: 2,
    fieldEngineer: true,
    availability: 'online',
    location: { lat: 31.2215, lng: 121.5447, address: '上海市浦东新区世纪大道 100 号' },
  },
  {
    id: 'u-agent-zhao',
    name: '赵敏',
    email: 'zhao.min@gongdan.local',
    phone: '+8613800000014',
    teams: ['field-repair'],
    skills: { hvac: 5, electrical: 3, elevator: 2 },
    languages: ['zh'],
    capacity: 4,
    level: 2,
    fieldEngineer: true,
    availability: 'away',
    location: { lat: 31.1129, lng: 121.3817, address: '上海市闵行区沪闵路 6088 号' },
  },
  {
    id: 'u-agent-sun',
    name: '孙浩',
    email: 'sun.hao@gongdan.local',
    phone: '+8613800000015',
    teams: ['experts'],
    skills: { network: 5, database: 4, app: 3 },
    languages: ['zh', 'en'],
    capacity: 5,
    level: 3,
    availability: 'online',
    location: { lat: 31.2989, lng: 120.5853, address: '苏州市姑苏区人民路 1 号' },
  },
  {
    id: 'u-agent-zhou',
    name: 'Zhou Jie',
    email: 'zhou.jie@gongdan.local',
    phone: '+8613800000016',
    teams: ['service-desk', 'experts'],
    skills: { app: 4, account: 3, network: 2 },
    languages: ['en', 'zh'],
    capacity: 6,
    level: 2,
    availability: 'offline',
    shift: shanghaiOffice,
    location: { lat: 31.2397, lng: 121.4998, address: '上海市浦东新区陆家嘴环路 1000 号' },
  },
];

export interface KnowledgeArticle {
  id: string;
  title: string;
  language: 'zh' | 'en';
  category: string;
  tags: string[];
  body: string;
}

export interface CustomerRecord {
  email: string;
  name: string;
  phone?: string;
  tier: 'standard' | 'vip';
  company?: string;
  externalId?: string;
}

export const articles: KnowledgeArticle[] = [
  {
    id: 'kb-elevator-entrapment',
    title: '电梯困人应急处理流程',
    language: 'zh',
    category: 'elevator',
    tags: ['电梯', '困人', '应急'],
    body: '1. 安抚被困人员，确认人数与身体状况。2. 通知最近的持证维保人员，30 分钟内到场。3. 切断主电源后手动盘车平层。4. 记录故障代码并上报。',
  },
  {
    id: 'kb-ac-not-cooling',
    title: '空调不制冷排查步骤',
    language: 'zh',
    category: 'hvac',
    tags: ['空调', '制冷'],
    body: '检查遥控器模式与设定温度；清洗滤网；确认室外机运转与散热；仍不制冷时报修并提供机型与故障代码。',
  },
  {
    id: 'kb-invoice-reissue',
    title: '发票开错如何重开',
    language: 'zh',
    category: 'billing',
    tags: ['发票', '账单'],
    body: '在“我的账单”中申请红冲，填写正确的抬头和税号，财务将在 3 个工作日内重开并发送电子发票。',
  },
  {
    id: 'kb-password-reset',
    title: 'Resetting your password',
    language: 'en',
    category: 'account',
    tags: ['password', 'login'],
    body: 'Use "Forgot password" on the sign-in page; the reset link is valid for 30 minutes. If no e-mail arrives, check spam or contact the service desk.',
  },
];

export const customers: CustomerRecord[] = [
  {
    email: 'huang@hualian.example.com',
    name: '黄先生',
    phone: '+8613900000001',
    tier: 'vip',
    company: '上海华联商厦',
    externalId: 'CRM-10001',
  },
  { email: 'li.xiaojie@example.com', name: '李小姐', phone: '+8613900000002', tier: 'standard' },
  { email: 'anna.smith@example.org', name: 'Anna Smith', tier: 'standard', externalId: 'CRM-20417' },
];

/** Demo tickets, opened through the real create use case by the named user on the named channel. */
export const demoTickets: {
  key: string;
  by: string;
  channel: 'web' | 'phone' | 'event' | 'email';
  ticket: NewTicket;
  /** Follow-up actions by the same kind of staff user, to give the ticket some history. */
  followUp?: (
    | { action: 'transition'; by: string; to: 'open' }
    | { action: 'reply'; by: string; body: string }
    | { action: 'assign'; by: string; agentId: string; reason: string }
  )[];
}[] = [
  {
    key: 'elevator-alarm',
    by: 'svc-crm',
    channel: 'event',
    ticket: {
      subject: '3 号客梯困人告警',
      description: '监控系统报警：华联商厦 3 号客梯 F7–F8 之间停梯，轿厢内有人。',
      priority: 'urgent',
      category: 'elevator',
      team: 'field-repair',
      customer: { email: 'huang@hualian.example.com', name: '黄先生', tier: 'vip', externalId: 'CRM-10001' },
      tags: ['告警', '电梯'],
      customFields: { deviceId: 'ELV-HL-03', alarmCode: 'E45' },
      location: { lat: 31.2349, lng: 121.4759, address: '上海市黄浦区南京东路 800 号' },
    },
  },
  {
    // A site visit for the field engineers' app (/console/field): 王强 has it in today's jobs.
    key: 'garage-lights',
    by: 'u-sup-field',
    channel: 'phone',
    ticket: {
      subject: '地下车库照明故障',
      description: '华联商厦 B2 车库东区一排灯不亮，疑似线路跳闸，需要上门检修。',
      priority: 'high',
      category: 'electrical',
      team: 'field-repair',
      customer: {
        email: 'huang@hualian.example.com',
        name: '黄先生',
        tier: 'standard',
        phone: '+8613900001234',
      },
      tags: ['上门'],
      customFields: {},
      location: { lat: 31.2349, lng: 121.4759, address: '上海市黄浦区南京东路 800 号 B2' },
    },
    followUp: [{ action: 'assign', by: 'u-sup-field', agentId: 'u-agent-wang', reason: '电工上门检修' }],
  },
  {
    key: 'invoice-title',
    by: 'u-agent-zhang',
    channel: 'phone',
    ticket: {
      subject: '发票抬头开错，需要重开',
      description: '客户来电：10 月账单的发票抬头写成了个人，需要改为公司抬头。',
      priority: 'normal',
      category: 'billing',
      team: 'service-desk',
      customer: { email: 'li.xiaojie@example.com', name: '李小姐', tier: 'standard' },
      tags: ['发票'],
      customFields: {},
    },
    followUp: [
      { action: 'transition', by: 'u-agent-zhang', to: 'open' },
      {
        action: 'reply',
        by: 'u-agent-zhang',
        body: '您好，已为您提交红冲申请，3 个工作日内会收到新的电子发票。',
      },
    ],
  },
  {
    key: 'app-crash',
    by: 'c-li',
    channel: 'web',
    ticket: {
      subject: 'APP 登录后闪退',
      description: '升级到最新版本后，每次登录成功就闪退，手机型号 Mate 60。',
      priority: 'high',
      category: 'app',
      tags: [],
      customFields: { appVersion: '5.2.0' },
    },
  },
  {
    key: 'password-reset',
    by: 'c-smith',
    channel: 'web',
    ticket: {
      subject: 'Cannot reset my password',
      description: 'The reset link in the e-mail says it has expired, even when I click it right away.',
      priority: 'normal',
      category: 'account',
      tags: [],
      customFields: {},
    },
  },
  {
    key: 'late-engineer',
    by: 'u-sup-desk',
    channel: 'phone',
    ticket: {
      subject: '维修人员迟到两小时',
      description: '客户投诉：预约上午 10 点的空调维修，工程师 12 点才到，要求说明并补偿。',
      priority: 'high',
      category: 'complaint',
      team: 'complaints',
      customer: { email: 'huang@hualian.example.com', name: '黄先生', tier: 'vip', externalId: 'CRM-10001' },
      tags: ['投诉'],
      customFields: {},
    },
  },
];
