/** The API as the console calls it: bearer token, JSON, errors as `ApiError` with field-level detail. */

export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldIssue[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
  /** The message for one field (`policies.0.targets.firstResponse.minutes`), if the API named it. */
  fieldMessage(path: string): string | undefined {
    return this.fields.find((f) => f.path === path)?.message;
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token: () => string | null;
  onUnauthorized: () => void;
}

export type Api = ReturnType<typeof apiClient>;

export function apiClient(options: ApiClientOptions) {
  async function request<T>(
    method: string,
    path: string,
    init: { body?: unknown; query?: Record<string, string | undefined>; ifMatch?: string | number } = {},
  ): Promise<{ body: T; etag: string | null }> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined && v !== '') query.set(k, v);
    const qs = query.toString();
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.ifMatch !== undefined) headers['if-match'] = `"${String(init.ifMatch).replaceAll('"', '')}"`;
    const response = await fetch(`${options.baseUrl}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    const json = text ? safeJson(text) : null;
    if (!response.ok) {
      if (response.status === 401) options.onUnauthorized();
      const error = (
        json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      )?.error;
      const details = error?.details ?? {};
      throw new ApiError(
        response.status,
        error?.code ?? `HTTP.${response.status}`,
        error?.message ?? response.statusText,
        (details.fields as FieldIssue[] | undefined) ?? [],
        details,
      );
    }
    return { body: json as T, etag: response.headers.get('etag') };
  }
  return {
    get: <T>(path: string, query?: Record<string, string | undefined>) =>
      request<T>('GET', path, query ? { query } : {}).then((r) => r.body),
    getWithEtag: <T>(path: string) => request<T>('GET', path),
    send: <T>(method: 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown, ifMatch?: string | number) =>
      request<T>(method, path, { body: body ?? {}, ...(ifMatch !== undefined ? { ifMatch } : {}) }),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'HTTP.NOT_JSON', message: text.slice(0, 200) } };
  }
}

// ---- The shapes the console reads (the API's OpenAPI document at /openapi.json has them all) ----

export type Status = 'new' | 'open' | 'pending' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type Availability = 'online' | 'away' | 'offline';

export interface TargetView {
  target: 'firstResponse' | 'nextResponse' | 'resolution';
  cycle: number;
  state: 'running' | 'paused' | 'met' | 'breached';
  targetMinutes: number;
  startedAt: string;
  dueAt: string | null;
  remainingMinutes: number;
  warnAt: string | null;
}

export interface TicketSummary {
  id: string;
  number: string;
  subject: string;
  status: Status;
  priority: Priority;
  channel: string;
  intent: string | null;
  category: string | null;
  customer: { name?: string; email: string; tier: 'standard' | 'vip'; phone?: string };
  team: string | null;
  assignee: string | null;
  sla: { policy: string | null; breached: string[]; paused: boolean; targets?: TargetView[] };
  nextDueAt?: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Ticket extends TicketSummary {
  description: string;
  tags: string[];
  routing: {
    rule: string | null;
    reason: string;
    explanation?: { code: string; params: Record<string, string | number | boolean | null> };
    candidates: { agentId: string; score: number }[];
    decidedAt: string;
  } | null;
  classification?: {
    intent: string | null;
    confidence: number;
    facts: Record<string, string[]>;
    model: string;
  } | null;
  firstRespondedAt: string | null;
  resolvedAt: string | null;
  allowedTransitions: Status[];
  canTake: boolean;
}

export interface Message {
  id: string;
  body: string;
  public: boolean;
  author: { id: string; name?: string; role: string; email?: string };
  channel: string;
  at: string;
}

export interface AuditEvent {
  id: string;
  type: string;
  at: string;
  actor: { id: string; name?: string; role: string };
  channel: string;
  version: number;
  data: Record<string, unknown>;
}

export interface Agent {
  id: string;
  name: string;
  teams: string[];
  availability: Availability;
  capacity: { max: number };
  load: { total: number };
}

export interface Directory {
  teams: { id: string; name: string; nameEn: string; supervisor: string }[];
  agents: { id: string; name: string; teams: string[]; availability: Availability }[];
  policies: { id: string; name: string }[];
  statuses: { id: Status; zh: string; en: string }[];
  priorities: Priority[];
  intents: { id: string; zh: string; en: string }[];
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}
