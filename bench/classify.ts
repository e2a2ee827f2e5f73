/**
 * Intent classifier bench: `node --import tsx bench/classify.ts`
 *
 * 1. The learner on real, public data: BANKING77 (77 intents, PolyAI), trained on its train.csv only
 *    and scored on its test.csv, with the same features and options as the ticket model.
 * 2. The ticket model by 5-fold cross-validation of the corpus: intent accuracy, and the team the
 *    default routing rules then choose (intent → team as the demo configuration maps them), by
 *    confidence threshold — the figure `defaultMinConfidence` was chosen from.
 * 3. Speed: classifying one ticket (features, model, facts) and compiling the committed model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { classifyTicket, defaultMinConfidence } from '#shared/domain/classify/classify.ts';
import { ticketFeatures } from '#shared/domain/classify/features.ts';
import modelJson from '#shared/domain/classify/intent-model.json' with { type: 'json' };
import {
  compileModel,
  compileTrained,
  defaultTrainingOptions,
  type SerializedModel,
  softmax,
  trainModel,
} from '#shared/domain/classify/intent-model.ts';
import { decide } from '#shared/domain/routing/decide.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { loadCorpus } from '../infra/tools/intent-corpus.ts';
import { crossValidate, folds } from '../infra/tools/train-classifier.ts';
import { t0, ticket } from '../test/fixtures/routing-fixtures.ts';
import { parseCsv } from './support/csv.ts';

const banking77 = new URL('../../shared/data/intents/banking77/', import.meta.url);

/** The team each intent belongs to in the demo configuration's policy. */
export const teamOfIntent: Record<string, string> = {
  repair: 'field-repair',
  complaint: 'complaints',
  billing: 'billing',
  'it-incident': 'experts',
  account: 'service-desk',
  inquiry: 'service-desk',
  feedback: 'service-desk',
};

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;

function benchBanking77() {
  const train = new URL('train.csv', banking77);
  if (!existsSync(train)) {
    console.log('\n## BANKING77 — skipped: ../shared/data/intents/banking77 not found');
    return;
  }
  const rows = parseCsv(readFileSync(train, 'utf8'));
  const test = parseCsv(readFileSync(new URL('test.csv', banking77), 'utf8'));
  const started = performance.now();
  const model = compileTrained(
    trainModel(
      rows.map((r) => ({ label: r.category!, features: ticketFeatures('', r.text!) })),
      defaultTrainingOptions,
    ),
  );
  const trainMs = performance.now() - started;
  const right = test.filter(
    (r) => model.predict(ticketFeatures('', r.text!))[0]!.label === r.category,
  ).length;
  console.log('\n## BANKING77 (train.csv → test.csv, 77 intents)');
  console.log(
    `${rows.length} training queries, ${test.length} test queries: ${right} right = ${pct(right, test.length)} accuracy (trained in ${(trainMs / 1000).toFixed(1)} s)`,
  );
}

function benchCrossValidation() {
  const corpus = loadCorpus();
  const predictions = crossValidate(corpus, folds);
  const right = predictions.filter((p) => p.ranked[0]!.label === corpus.documents[p.index]!.label).length;
  console.log(`\n## Ticket corpus, ${folds}-fold cross-validation (${corpus.lines.length} tickets)`);
  console.log(`intent accuracy: ${right}/${predictions.length} = ${pct(right, predictions.length)}`);

  const confusion = new Map<string, number>();
  for (const p of predictions) {
    const truth = corpus.documents[p.index]!.label;
    const guess = p.ranked[0]!.label;
    if (truth !== guess)
      confusion.set(`${truth} → ${guess}`, (confusion.get(`${truth} → ${guess}`) ?? 0) + 1);
  }
  console.log(
    `most confused: ${[...confusion]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([pair, n]) => `${pair} ×${n}`)
      .join(', ')}`,
  );

  const { temperature } = modelJson as SerializedModel;
  const labels = [...new Set(corpus.documents.map((d) => d.label))].sort();
  console.log(
    `\nteam chosen by the default rules, by confidence threshold at temperature ${temperature} (intent left null below it):`,
  );
  for (const threshold of [0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
    let wrong = 0;
    let unsure = 0;
    for (const p of predictions) {
      const line = corpus.lines[p.index]!;
      // Held-out raw scores at the committed model's temperature, as production sees them.
      const probabilities = softmax(p.scores.map((z) => z / temperature));
      const top = probabilities.indexOf(Math.max(...probabilities));
      const intent = probabilities[top]! >= threshold ? labels[top]! : null;
      if (!intent) unsure++;
      const t = ticket({ id: line.id, subject: line.subject, description: line.description, intent });
      if (decide(t, [], defaultRoutingConfig, t0).team !== teamOfIntent[line.intent]) wrong++;
    }
    const marker = threshold === defaultMinConfidence ? '  ← defaultMinConfidence' : '';
    console.log(
      `  ≥ ${threshold.toFixed(1)}: ${pct(wrong, predictions.length)} misrouted (${wrong}), ${pct(unsure, predictions.length)} left to keywords${marker}`,
    );
  }
}

function benchSpeed() {
  const started = performance.now();
  const compiled = compileModel(modelJson as SerializedModel);
  const compileMs = performance.now() - started;
  const corpus = loadCorpus();
  const tickets = corpus.lines;
  for (const t of tickets.slice(0, 200)) classifyTicket(t);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const t of tickets) {
      const s = performance.now();
      classifyTicket(t);
      times.push(performance.now() - s);
    }
  }
  times.sort((a, b) => a - b);
  const q = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))]!;
  const size = readFileSync(new URL('../shared/domain/classify/intent-model.json', import.meta.url)).length;
  console.log('\n## Speed');
  console.log(
    `committed model: ${compiled.labels.length} intents, ${(modelJson as SerializedModel).features.split('\n').length} features, ${(size / 1024).toFixed(0)} KB JSON, compiled in ${compileMs.toFixed(1)} ms`,
  );
  console.log(
    `classifyTicket() (features + model + facts): median ${(q(0.5) * 1000).toFixed(0)} µs · p99 ${(q(0.99) * 1000).toFixed(0)} µs (n=${times.length})`,
  );
}

console.log(`# Gongdan intent classifier bench (Node ${process.version})`);
benchBanking77();
benchCrossValidation();
benchSpeed();
