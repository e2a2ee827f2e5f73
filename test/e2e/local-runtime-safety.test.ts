import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dynamoDbLocalProcesses, runtimeSuite } from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any;

/**
 * The local runtime's own safety (issue 15): who can reach DynamoDB Local, which Host and Origin the
 * HTTP gateway answers, which content types a `/dev/*` POST may carry, and who can read the data dir.
 */
const rt = runtimeSuite({ args: ['--no-seed'], env: { GONGDAN_ALLOWED_HOSTS: 'gongdan.test' } });

/** One request with exactly these headers (fetch would not let a test forge `Host`). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: Json; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: rt.runtime.port, method, path, headers, setHost: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const own = () => `localhost:${rt.runtime.port}`;

describe('The local gateway and DNS rebinding', () => {
  it('refuses /dev/tokens for a Host that is not this machine (403, no token in the body)', async () => {
    const forged = await send('GET', '/dev/tokens', { host: `attacker.example:${rt.runtime.port}` });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('REQUEST.HOST_NOT_ALLOWED');
    expect(forged.body.error.details).toMatchObject({ host: 'attacker.example' });
    expect(JSON.stringify(forged.body)).not.toContain(rt.tokens.admin);
    // No Host at all: Node's HTTP server answers 400 itself (HTTP/1.1 requires one)
    const missing = await send('GET', '/dev/tokens', {});
    expect([400, 403]).toContain(missing.status);
    expect(JSON.stringify(missing.body ?? '')).not.toContain(rt.tokens.admin);

    for (const host of [own(), `127.0.0.1:${rt.runtime.port}`, `[::1]:${rt.runtime.port}`, 'LOCALHOST']) {
      const ok = await send('GET', '/dev/tokens', { host });
      expect(ok.status, host).toBe(200);
      expect(ok.body.admin, host).toEqual(expect.any(String));
    }
  });

  it('refuses a foreign Host on the whole local API, and answers a configured one', async () => {
    const api = await send('GET', '/tickets', {
      host: 'rebind.attacker.example',
      authorization: `Bearer ${rt.tokens.admin}`,
    });
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe('REQUEST.HOST_NOT_ALLOWED');
    const configured = await send('GET', '/tickets', {
      host: `gongdan.test:${rt.runtime.port}`,
      authorization: `Bearer ${rt.tokens.admin}`,
    });
    expect(configured.status).toBe(200);
  });

  it('refuses a cross-site Origin (403) and lets this runtime’s own origin through', async () => {
    const run = (origin: string) =>
      send(
        'POST',
        '/dev/jobs/routing-maintenance',
        { host: own(), origin, 'content-type': 'application/json' },
        '{}',
      );
    const crossSite = await run('https://attacker.example');
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('REQUEST.CROSS_SITE');
    expect(crossSite.body.error.details).toMatchObject({ origin: 'https://attacker.example' });
    expect((await run('null')).status).toBe(403);
    expect((await run(`http://localhost:${rt.runtime.port + 1}`)).status).toBe(403);
    const tokens = await send('GET', '/dev/tokens', { host: own(), origin: 'http://attacker.example' });
    expect(tokens.status).toBe(403);

    const sameOrigin = await run(`http://localhost:${rt.runtime.port}`);
    expect(sameOrigin.status).toBe(200);
    expect(sameOrigin.body.name).toBe('routing-maintenance');
  });

  it('trusts the browser’s Sec-Fetch-Site: same-origin passes (even with Origin null), cross-site does not', async () => {
    const run = (headers: Record<string, string>) =>
      send(
        'POST',
        '/dev/jobs/routing-maintenance',
        { host: own(), 'content-type': 'application/json', ...headers },
        '{}',
      );
    // What Chromium sends for a same-origin form post from a page with Referrer-Policy: no-referrer
    expect((await run({ origin: 'null', 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const crossSite = await run({ 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.details).toMatchObject({ fetchSite: 'cross-site' });
    // Another port on localhost is the same site, not the same origin
    expect(
      (await run({ origin: `http://localhost:${rt.runtime.port + 1}`, 'sec-fetch-site': 'same-site' }))
        .status,
    ).toBe(403);
  });

  it('refuses a /dev/* POST whose body is not JSON (415), as a cross-site form would send it', async () => {
    const job = await send(
      'POST',
      '/dev/jobs/routing-maintenance',
      { host: own(), 'content-type': 'text/plain' },
      '{}',
    );
    expect(job.status).toBe(415);
    expect(job.body.error.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
    expect(job.body.error.details).toMatchObject({ contentType: 'text/plain' });

    const event = await send(
      'POST',
      '/dev/events',
      { host: own(), 'content-type': 'application/x-www-form-urlencoded' },
      'a=b',
    );
    expect(event.status).toBe(415);

    const mail = `From: a@example.com\r\nSubject: forged\r\nMessage-ID: <${randomUUID()}@example.com>\r\n\r\nhello`;
    const asText = await send(
      'POST',
      '/dev/inbound-email',
      { host: own(), 'content-type': 'text/plain' },
      mail,
    );
    expect(asText.status).toBe(415);
    expect(asText.body.error.details.accepted).toContain('message/rfc822');
    const asMail = await send(
      'POST',
      '/dev/inbound-email',
      { host: own(), 'content-type': 'message/rfc822' },
      mail,
    );
    expect(asMail.status).toBe(202);
  });
});

describe('The local data dir', () => {
  it('is readable by its owner only: the dir and its dirs 0700, every file 0600', async () => {
    // Prepare: a ticket (DynamoDB's file, the outbox journal) and an uploaded attachment
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.agent,
      body: {
        subject: '权限检查',
        description: '数据目录的文件权限',
        customer: { email: `modes-${randomUUID()}@example.com`, name: '测试' },
      },
    });
    expect(created.status).toBe(201);
    const bytes = Buffer.from(`secret ${randomUUID()}`);
    const started = await rt.api('POST', `/tickets/${created.body.id}/attachments`, {
      token: rt.tokens.agent,
      body: {
        filename: 'note.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    });
    expect(started.status).toBe(201);
    const put = await fetch(started.body.upload.url, {
      method: 'PUT',
      headers: started.body.upload.headers,
      body: bytes,
    });
    expect(put.status).toBe(200);

    // Assess
    const files: string[] = [];
    const loose: string[] = [];
    const walk = (dir: string) => {
      if ((statSync(dir).mode & 0o777) !== 0o700)
        loose.push(`${dir} ${(statSync(dir).mode & 0o777).toString(8)}`);
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else {
          files.push(path.slice(rt.dataDir.length + 1));
          const mode = statSync(path).mode & 0o777;
          if (mode & 0o077) loose.push(`${path} ${mode.toString(8)}`);
        }
      }
    };
    walk(rt.dataDir);
    expect(files).toEqual(
      expect.arrayContaining([
        'gongdan-data.json',
        'dynamodb/shared-local-instance.db',
        'outbox/journal.log',
        'auth/signing-key.jwk.json',
        expect.stringMatching(/^attachments\/.+\/note\.pdf$/),
      ]),
    );
    expect(loose).toEqual([]);
  });
});

describe('DynamoDB Local', () => {
  const javaPort = () => {
    const [pid] = dynamoDbLocalProcesses(rt.dataDir);
    expect(pid).toBeDefined();
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return Number(args[args.indexOf('-port') + 1]);
  };
  const reach = (host: string, port: number) =>
    new Promise<'connected' | string>((resolve) => {
      const socket = connect({ host, port, timeout: 3000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve('timeout');
      });
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  it.skipIf(!external)(
    'listens on loopback only: not reachable on the machine’s own network address',
    async () => {
      const port = javaPort();
      expect(port).toBeGreaterThan(0);
      expect(await reach('127.0.0.1', port)).toBe('connected');
      expect(await reach(external!, port)).not.toBe('connected');
    },
  );
});
