import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, as it arrived. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  /** The raw body bytes. */
  body: Buffer;
  /** Real time it arrived (ms since the epoch). */
  at: number;
}

/** How the receiver answers a request on a path: a status, headers, and optionally a delay first. */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number };
export type Behaviour = (request: Received, count: number) => Answer;

/**
 * A real HTTP server on 127.0.0.1 standing in for a subscriber (a CRM). Each path answers per its
 * behaviour (default 200); every request is recorded with its raw body.
 */
export async function startReceiver() {
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
      );
      const request: Received = { path, headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(request);
      const count = received.filter((r) => r.path === path).length;
      const behaviour: Behaviour = behaviours.get(path) ?? (() => ({ status: 200 }));
      const answer = behaviour(request, count);
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end('ok');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs).unref();
      else reply();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    on(path: string, behaviour: Behaviour) {
      behaviours.set(path, behaviour);
    },
    at: (path: string) => received.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
