/**
 * The field app's outbox (docs/field-service.md, "Offline"): every action is put in IndexedDB first,
 * then sent in order. Without a network it waits; `online` (and the app's start) sends what is left.
 * Each action carries its client id, so a resend after a lost answer records nothing twice.
 */
export type Pending =
  | { key: string; ticketId: string; kind: 'visit'; body: Record<string, unknown>; at: number }
  | { key: string; ticketId: string; kind: 'sign-off'; body: Record<string, unknown>; at: number }
  | { key: string; ticketId: string; kind: 'accept'; at: number }
  | { key: string; ticketId: string; kind: 'decline'; body: { reason: string }; at: number }
  | { key: string; ticketId: string; kind: 'photo'; blob: Blob; tag: 'before' | 'after'; at: number };

/** What a send came to: sent (or refused: nothing to retry), or kept for later. */
export interface SendResult {
  sent: Pending[];
  refused: { item: Pending; status: number; message: string }[];
  waiting: number;
}

const dbName = 'gongdan-field';
const store = 'outbox';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(store, { keyPath: 'key' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = fn(tx.objectStore(store));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const newKey = () => `fld-${crypto.randomUUID()}`;

export const enqueue = (item: Pending) => run('readwrite', (s) => s.put(item));
const remove = (key: string) => run('readwrite', (s) => s.delete(key));
export const pending = async () =>
  ((await run('readonly', (s) => s.getAll())) as Pending[]).sort((a, b) => a.at - b.at);

/** Thrown when the network is not there: the item stays queued. */
class Offline extends Error {}

async function call(token: string, method: string, path: string, body?: unknown, key?: string) {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new Offline();
  }
  if (response.status >= 500) throw new Offline();
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the answer is read field by field below.
  const json: any = text ? JSON.parse(text) : null;
  return { status: response.status, json };
}

const hex = (buffer: ArrayBuffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function sendPhoto(token: string, item: Extract<Pending, { kind: 'photo' }>) {
  const bytes = await item.blob.arrayBuffer();
  const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  const started = await call(token, 'POST', `/tickets/${item.ticketId}/attachments`, {
    filename: `${item.tag}-${item.key.slice(4, 12)}.jpg`,
    contentType: item.blob.type || 'image/jpeg',
    size: bytes.byteLength,
    sha256,
    purpose: 'visit-photo',
  });
  if (started.status !== 201) return started;
  if (started.json.upload) {
    try {
      const put = await fetch(started.json.upload.url, {
        method: 'PUT',
        headers: started.json.upload.headers,
        body: bytes,
      });
      if (!put.ok) throw new Offline();
    } catch {
      throw new Offline();
    }
  }
  return call(
    token,
    'POST',
    `/tickets/${item.ticketId}/visits`,
    { action: 'record', photos: [{ attachmentId: started.json.attachment.id, tag: item.tag }] },
    item.key,
  );
}

function send(token: string, item: Pending) {
  switch (item.kind) {
    case 'visit':
      return call(token, 'POST', `/tickets/${item.ticketId}/visits`, item.body, item.key);
    case 'sign-off':
      return call(token, 'POST', `/tickets/${item.ticketId}/sign-off`, item.body, item.key);
    case 'accept':
      return call(token, 'POST', `/tickets/${item.ticketId}/transitions`, { to: 'open' });
    case 'decline':
      return call(token, 'POST', `/tickets/${item.ticketId}/decline`, item.body);
    case 'photo':
      return sendPhoto(token, item);
  }
}

/** Sends what is queued, oldest first, one at a time; stops at the first that cannot get through. */
async function sendAll(token: string): Promise<SendResult> {
  const result: SendResult = { sent: [], refused: [], waiting: 0 };
  const items = await pending();
  for (const [i, item] of items.entries()) {
    try {
      const answer = await send(token, item);
      // An accept of a job that is open already (409) has nothing left to do.
      if (answer.status < 300 || (item.kind === 'accept' && answer.status === 409)) result.sent.push(item);
      else
        result.refused.push({
          item,
          status: answer.status,
          message: answer.json?.error?.message ?? `HTTP ${answer.status}`,
        });
      await remove(item.key);
    } catch (error) {
      if (!(error instanceof Offline)) throw error;
      result.waiting = items.length - i;
      break;
    }
  }
  return result;
}

let chain: Promise<unknown> = Promise.resolve();

/**
 * Sends what is queued. Runs one after another: a flush asked for while one is sending runs after it,
 * and so also sends what was queued meanwhile.
 */
export function flush(token: string): Promise<SendResult> {
  const run = chain.then(() => sendAll(token));
  chain = run.catch(() => undefined);
  return run;
}
