import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ticketFeatures } from '#shared/domain/classify/features.ts';
import type { SerializedModel, TrainingDocument } from '#shared/domain/classify/intent-model.ts';
import { intentIds } from '#shared/domain/classify/intents.ts';

export const corpusDir = fileURLToPath(new URL('../../shared/domain/classify/corpus/', import.meta.url));
export const modelFile = fileURLToPath(
  new URL('../../shared/domain/classify/intent-model.json', import.meta.url),
);

const Line = z.strictObject({
  id: z.string().min(1),
  intent: z.enum(intentIds as [string, ...string[]]),
  subject: z.string(),
  description: z.string(),
  channel: z.enum(['web', 'email', 'phone', 'api']).optional(),
});
export type CorpusLine = z.infer<typeof Line>;

export interface Corpus {
  lines: CorpusLine[];
  documents: TrainingDocument[];
  trainedOn: SerializedModel['trainedOn'];
}

/**
 * Every `corpus/*.jsonl`, files in name order, lines in file order. A line that does not parse, has an
 * unknown intent or repeats an id fails the load with its file and line number: a training set with a
 * typo in a label is worse than none.
 */
export function loadCorpus(dir = corpusDir): Corpus {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  const hash = createHash('sha256');
  const lines: CorpusLine[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    hash.update(file).update('\0').update(text);
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      const where = `${file}:${i + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new Error(`${where}: not JSON`);
      }
      const line = Line.safeParse(value);
      if (!line.success)
        throw new Error(
          `${where}: ${line.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
        );
      if (seen.has(line.data.id)) throw new Error(`${where}: duplicate id ${line.data.id}`);
      seen.add(line.data.id);
      lines.push(line.data);
    });
  }
  const byLabel: Record<string, number> = {};
  for (const line of lines) byLabel[line.intent] = (byLabel[line.intent] ?? 0) + 1;
  return {
    lines,
    documents: lines.map((l) => ({ label: l.intent, features: ticketFeatures(l.subject, l.description) })),
    trainedOn: {
      documents: lines.length,
      byLabel: Object.fromEntries(Object.entries(byLabel).sort(([a], [b]) => (a < b ? -1 : 1))),
      corpusSha256: hash.digest('hex'),
    },
  };
}
