/**
 * The import API as the wizard calls it (docs/import.md): one request function per endpoint, the
 * TanStack query options that read them, and the raw-fetch helpers the JSON client does not cover
 * (a multipart upload, file downloads with the bearer token).
 */
import { queryOptions } from '@tanstack/react-query';
import type { ImportField } from '../../../shared/domain/import/import-fields.ts';
import type { ImportIssue } from '../../../shared/domain/import/import-types.ts';
import type { ImportRunOptions, ImportView } from '../../../shared/domain/import-job/import-job.ts';
import { type Api, ApiError, type FieldIssue } from '../api.ts';
import { loadSession } from '../session.ts';

/**
 * The Gongdan fields a column can map to, in the order the select lists them. A record rather than a
 * list so that a field the API adds fails the type check until the wizard offers it.
 */
const offered: Record<ImportField, true> = {
  externalId: true,
  subject: true,
  description: true,
  priority: true,
  status: true,
  category: true,
  intent: true,
  team: true,
  assignee: true,
  channel: true,
  customerEmail: true,
  customerName: true,
  customerPhone: true,
  customerTier: true,
  customerExternalId: true,
  createdAt: true,
  updatedAt: true,
  resolvedAt: true,
  closedAt: true,
  tags: true,
  product: true,
  model: true,
  region: true,
};
export const importFields = Object.keys(offered) as ImportField[];
export const requiredFields: readonly ImportField[] = ['externalId', 'subject', 'createdAt'];

export type ImportMapping = Record<string, ImportField | null>;
export type DateOrder = NonNullable<ImportRunOptions['dateOrder']>;
export type { ImportField, ImportIssue };
/** What a check or commit may change: the options the API takes (`POST /imports/{id}/check`). */
export type CheckOptions = Pick<ImportRunOptions, 'mapping' | 'applySuggestions' | 'dateOrder'>;
/** `GET /imports/{id}`. */
export type ImportRecord = ImportView;
export type ImportStatus = ImportRecord['status'];
/** A row of `GET /imports` (the record without its issues). */
export type ImportSummary = Omit<ImportView, 'errors'>;

export interface SavedMapping {
  name: string;
  mapping: ImportMapping;
}

/** While the server works on it the wizard polls the record (about every 500 ms). */
export const isBusy = (status: ImportStatus | undefined) =>
  status === 'uploading' || status === 'checking' || status === 'committing';

export const importOptions = (api: Api, id: string) =>
  queryOptions({
    queryKey: ['imports', id],
    queryFn: () => api.get<ImportRecord>(`/imports/${encodeURIComponent(id)}`),
  });

export const importsOptions = (api: Api) =>
  queryOptions({
    queryKey: ['imports'],
    queryFn: () => api.get<{ items: ImportSummary[] }>('/imports').then((r) => r.items),
  });

export const mappingsOptions = (api: Api) =>
  queryOptions({
    queryKey: ['imports', 'mappings'],
    queryFn: () => api.get<{ items: SavedMapping[] }>('/imports/mappings').then((r) => r.items),
  });

/** `POST /imports/{id}/check`: check the stored file again with other options. */
export const recheck = (api: Api, id: string, options: CheckOptions) =>
  api.send<unknown>('POST', `/imports/${encodeURIComponent(id)}/check`, options);

/** `POST /imports/{id}/commit`: write the good rows as tickets. */
export const commit = (api: Api, id: string, options: CheckOptions) =>
  api.send<unknown>('POST', `/imports/${encodeURIComponent(id)}/commit`, options);

/** `PUT /imports/mappings/{name}`. */
export const saveMapping = (api: Api, name: string, mapping: ImportMapping) =>
  api.send<unknown>('PUT', `/imports/mappings/${encodeURIComponent(name)}`, { mapping });

/** Bearer-token fetch for what the JSON client does not send: errors become `ApiError`s as there. */
async function rawFetch(apiUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  const token = loadSession()?.token;
  const response = await fetch(`${apiUrl}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  if (response.ok) return response;
  const text = await response.text();
  let error: { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // not JSON: the status text says enough
  }
  const details = error?.details ?? {};
  throw new ApiError(
    response.status,
    error?.code ?? `HTTP.${response.status}`,
    error?.message ?? (text.slice(0, 200) || response.statusText),
    (details.fields as FieldIssue[] | undefined) ?? [],
    details,
  );
}

/**
 * `POST /imports?dryRun=true` as multipart (part `file`, part `options`), optionally with a saved
 * mapping by name: answers the new import's id (the pre-check has started).
 */
export async function uploadImport(
  apiUrl: string,
  file: File,
  options: CheckOptions & { mappingName?: string },
): Promise<string> {
  const { mappingName, ...rest } = options;
  const form = new FormData();
  form.append('options', JSON.stringify(rest));
  form.append('file', file, file.name);
  const query = new URLSearchParams({ dryRun: 'true', fileName: file.name });
  if (mappingName) query.set('mappingName', mappingName);
  const response = await rawFetch(apiUrl, `/imports?${query}`, { method: 'POST', body: form });
  return ((await response.json()) as { importId: string }).importId;
}

/** Fetches a file with the bearer token and hands it to the browser as a download. */
export async function download(apiUrl: string, path: string, fileName: string): Promise<void> {
  const blob = await (await rawFetch(apiUrl, path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
