import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import * as z from 'zod';
import type { AttachmentStore } from '#shared/domain/intake/intake.ports.ts';
import { safeFilename } from '#shared/domain/intake/safe-filename.ts';
import {
  type WebhookSourceConfig,
  WebhookSourceConfig as WebhookSourceSchema,
} from '#shared/domain/intake/webhook.ts';

/** Attachments as files: `<data dir>/attachments/<ticketId>/<sha256>/<name>`. */
export function localAttachmentStore(dataDir: string): AttachmentStore {
  const root = join(dataDir, 'attachments');
  return {
    async put(file) {
      const path = join(root, file.ticketId, file.sha256, safeFilename(file.filename));
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, file.content, { mode: 0o600 });
      return { storageKey: relative(dataDir, path) };
    },
  };
}

const SourcesFile = z.object({ sources: z.array(WebhookSourceSchema) });
const SecretsFile = z.record(z.string(), z.array(z.string().min(16)).min(1));

/** Where the local webhook configuration lives; documented in docs/channels.md. */
export const localWebhookFiles = (dataDir: string) => ({
  sources: join(dataDir, 'webhooks', 'sources.json'),
  secrets: join(dataDir, 'webhooks', 'secrets.json'),
});

/**
 * The demo webhook sources, written on first start: `monitoring` (alerts, de-duplicated by
 * fingerprint) and `crm` (one ticket per delivery). Each gets a random secret in `secrets.json`.
 */
export function demoWebhookSources(): WebhookSourceConfig[] {
  return [
    WebhookSourceSchema.parse({
      source: 'monitoring',
      secretRef: 'local/webhooks/monitoring',
      mapping: {
        subject: { template: '[{{labels.severity}}] {{labels.alertname}} on {{labels.instance}}' },
        description: { path: 'annotations.summary', default: '' },
        priority: {
          path: 'labels.severity',
          map: { critical: 'urgent', warning: 'high', info: 'low' },
          default: 'normal',
        },
        category: { value: 'monitoring' },
        customer: { email: { value: 'ops@example.com' }, name: { value: 'Ops on call' } },
        customFields: { instance: 'labels.instance' },
        tags: ['alert'],
      },
      alert: { fingerprint: 'fingerprint', resolvedWhen: { path: 'status', equals: ['resolved'] } },
    }),
    WebhookSourceSchema.parse({
      source: 'crm',
      secretRef: 'local/webhooks/crm',
      mapping: {
        subject: 'subject',
        description: { path: 'description', default: '' },
        priority: { path: 'priority', map: {}, default: 'normal' },
        customer: { email: 'customer.email', name: 'customer.name', externalId: 'customer.id' },
        customFields: { crmCase: 'caseId' },
      },
    }),
  ];
}

/** Reads the local webhook files, creating them with the demo sources and fresh secrets when absent. */
export function localWebhookConfig(dataDir: string) {
  const files = localWebhookFiles(dataDir);
  mkdirSync(dirname(files.sources), { recursive: true, mode: 0o700 });
  if (!existsSync(files.sources)) {
    const sources = demoWebhookSources();
    writeAtomically(files.sources, { sources });
    if (!existsSync(files.secrets)) {
      writeAtomically(
        files.secrets,
        Object.fromEntries(sources.map((s) => [s.secretRef, [`whsec_${randomBytes(24).toString('hex')}`]])),
        0o600,
      );
    }
  }
  // Read on every use, so editing the files takes effect without a restart.
  return {
    sources: () => SourcesFile.parse(JSON.parse(readFileSync(files.sources, 'utf8'))).sources,
    secrets: () =>
      existsSync(files.secrets) ? SecretsFile.parse(JSON.parse(readFileSync(files.secrets, 'utf8'))) : {},
  };
}

function writeAtomically(path: string, value: unknown, mode = 0o600) {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`, { mode });
  renameSync(`${path}.tmp`, path);
}
