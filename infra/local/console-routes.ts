import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { consoleCsp } from '../console-csp.ts';
import { consoleDist } from '../tools/console-build.ts';
import type { ApiResult, GatewayRoute } from './http-gateway.ts';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** The headers CloudFront's response headers policy sets in AWS, so local runs meet the same CSP. */
const securityHeaders = {
  'content-security-policy': consoleCsp(),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** `/`: where people go from here. */
const homePage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gongdan 工单</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6}a{display:block;margin:.75rem 0;font-size:1.15rem}</style></head>
<body><h1>Gongdan 工单</h1>
<a href="/console/">控制台 Console — agents, supervisors, admins</a>
<a href="/portal">客户门户 Customer portal</a>
<a href="/openapi.json">API 文档 API document (OpenAPI 3.1)</a>
</body></html>`;

/** The console's runtime configuration for the local runtime: local sign-in, the API on this origin. */
const localConfig = { mode: 'local', apiUrl: '' };

async function file(relative: string): Promise<ApiResult> {
  const path = normalize(join(consoleDist, relative));
  if (!path.startsWith(consoleDist + sep)) return notFound();
  try {
    const bytes = await readFile(path);
    const hashed = relative.startsWith('assets/');
    return {
      statusCode: 200,
      headers: {
        'content-type': contentTypes[extname(path)] ?? 'application/octet-stream',
        // Vite names assets by content hash: cache them for good; index.html always revalidates.
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...securityHeaders,
      },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
  } catch {
    return notFound();
  }
}

const notFound = (): ApiResult => ({
  statusCode: 404,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: { code: 'ROUTE.NOT_FOUND', message: 'No such console file' } }),
});

/**
 * `/console/…`: the built single-page app (`console/dist`), with the SPA fallback CloudFront applies
 * (a path without a file extension is the app's `index.html`), and `/console/config.json`.
 */
export function consoleRoutes(): GatewayRoute[] {
  const route = (
    path: string,
    name: string,
    run: (params: Record<string, string>) => Promise<ApiResult>,
  ): GatewayRoute => ({
    method: 'GET',
    path,
    name,
    invoke: (event) => run(event.pathParameters as Record<string, string>),
  });
  const redirect = (location: string): ApiResult => ({ statusCode: 302, headers: { location }, body: '' });
  return [
    route('/', 'home', async () => ({
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', ...securityHeaders },
      body: homePage,
    })),
    route('/console/', 'console', async () => file('index.html')),
    route('/console', 'console', async () => redirect('/console/')),
    route('/console/config.json', 'console-config', async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify(localConfig),
    })),
    route('/console/{path+}', 'console', async ({ path = '' }) =>
      extname(path)
        ? file(path)
        : // The field engineers' app is its own page (docs/field-service.md).
          file(path === 'field' || path.startsWith('field/') ? 'field/index.html' : 'index.html'),
    ),
  ];
}
