/**
 * What a ticket asks for. The model predicts one of these; routing rules map them to teams (the demo's
 * `default-config.ts`), and analytics count them. Names in both languages the product speaks.
 */
export const intents = {
  repair: {
    zh: '报修',
    en: 'Repair',
    meaning: 'A physical device or building system is faulty and needs a technician.',
  },
  complaint: {
    zh: '投诉',
    en: 'Complaint',
    meaning: 'Dissatisfied with staff, service or an outcome; wants it recorded, escalated or put right.',
  },
  billing: {
    zh: '账务',
    en: 'Billing',
    meaning: 'Invoices, charges, refunds, payments, deposits, fees, prices.',
  },
  'it-incident': {
    zh: '系统故障',
    en: 'IT incident',
    meaning: 'Network, servers, databases, integrations, single sign-on, data loss: second-line IT.',
  },
  account: {
    zh: '账号与应用',
    en: 'Account & app',
    meaning: "One person's log-in, password, profile or users; how the app or portal works.",
  },
  inquiry: {
    zh: '咨询',
    en: 'Inquiry',
    meaning: 'Questions, information, bookings and scheduling, the status of a request.',
  },
  feedback: { zh: '建议与表扬', en: 'Feedback', meaning: 'Suggestions, ideas, praise and thanks.' },
} as const;

export type Intent = keyof typeof intents;
export const intentIds = Object.keys(intents) as Intent[];
export const isIntent = (value: string): value is Intent => Object.hasOwn(intents, value);
