/**
 * The API as the console calls it: bearer token, JSON, errors as `ApiError` with field-level detail.
 *
 * The shapes it reads are type-only imports of the API's own definitions: the zod schemas the routes
 * validate and answer with (the same ones /openapi.json is generated from) and the use cases' view
 * types. A change to the API's shapes fails `tsc -p console` wherever the console reads them; nothing
 * of shared/ is bundled (the build output is identical with or without these imports).
 */
import type { Approval as ApprovalRecord } from '../../shared/domain/approval/approval.entity.ts';
import type { PendingApproval as PendingApprovalRecord } from '../../shared/domain/approval/approval.store.ts';
import type { AuditEvent as AuditRecord } from '../../shared/domain/audit/audit-event.ts';
import type { Agent as AgentRecord } from '../../shared/domain/routing/agent.ts';
import type { Priority as PriorityType, Status as StatusType } from '../../shared/domain/ticket/lifecycle.ts';
import type { Message as MessageRecord } from '../../shared/domain/ticket/message.ts';
import type { Ticket as TicketRecord } from '../../shared/domain/ticket/ticket.entity.ts';
import type { readDirectory } from '../../shared/use-cases/directory.ts';
import type {
  TargetView as TargetViewType,
  TicketActions,
  TicketSummary as TicketSummaryType,
} from '../../shared/use-cases/ticket-view.ts';

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
    send: <T>(
      method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      path: string,
      body?: unknown,
      ifMatch?: string | number,
    ) => request<T>(method, path, { body: body ?? {}, ...(ifMatch !== undefined ? { ifMatch } : {}) }),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'HTTP.NOT_JSON', message: text.slice(0, 200) } };
  }
}

// ---- The shapes the console reads (see above) ----

export type Status = StatusType;
export type Priority = PriorityType;
export type Availability = AgentRecord['availability'];
export type TargetView = TargetViewType;
/** A list row (`GET /tickets`, `view=summary`). */
export type TicketSummary = TicketSummaryType;
/** `GET /tickets/{id}`: the ticket, its targets' warning instants, and what the caller may do. */
export type Ticket = Omit<TicketRecord, 'sla'> & {
  sla: Omit<TicketRecord['sla'], 'targets'> & { targets?: TargetView[] };
} & TicketActions;
export type Message = MessageRecord;
export type AuditEvent = AuditRecord;
export type Agent = AgentRecord;
/** `GET /tickets/{id}/approvals`, `GET /approvals/{id}`. */
export type Approval = ApprovalRecord;
/** `GET /approvals?mine=pending`: one approval waiting on me. */
export type PendingApproval = PendingApprovalRecord;
/** `GET /directory`. */
export type Directory = Awaited<ReturnType<typeof readDirectory>>;

export interface Page<T> {
  items: T[];
  cursor?: string;
}
