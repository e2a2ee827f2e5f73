import { loadIntentModel } from '#intent-model';
import type { Classification } from '../ticket/ticket.entity.ts';
import { extractFacts } from './facts.ts';
import { ticketFeatures } from './features.ts';
import { type CompiledModel, compileModel } from './intent-model.ts';
import { type Intent, isIntent } from './intents.ts';

/**
 * The committed intent model (`npm run train:classifier` rebuilds it from `corpus/*.jsonl`), loaded and
 * compiled into a map of its features on first use (about 25 ms), not at import: functions that bundle
 * intake but serve a request that creates nothing (the portal's form) do not pay for it. `#intent-model`
 * is the repository's file locally and in tests, and a Lambda layer in AWS (intent-model-file.ts): the
 * model is not inside any function bundle.
 */
let committed: { model: CompiledModel; id: string } | undefined;
const committedModel = () => {
  if (!committed) {
    const serialized = loadIntentModel();
    committed = {
      model: compileModel(serialized),
      id: `intent-${serialized.trainedOn.corpusSha256.slice(0, 12)}`,
    };
  }
  return committed;
};
/** The committed model's id (`intent-` and the start of its corpus's SHA-256); loads it on first use. */
export const intentModelId = (): string => committedModel().id;

export interface IntentScore {
  intent: Intent;
  probability: number;
}

/** What the model made of a ticket's text. */
export interface IntentPrediction {
  /** The intent, or null when the model is not sure enough to act on (routing then uses its rules alone). */
  intent: Intent | null;
  /** The top intent's probability. */
  confidence: number;
  /** The three likeliest intents, best first. */
  scores: IntentScore[];
  model: string;
}

export interface ClassifyOptions {
  /** Below this, `intent` is null. */
  minConfidence?: number;
}

/**
 * Chosen on the corpus's cross-validation (bench/classify.ts): below 0.4 the keyword rules, which then
 * decide, route worse than the model's own best guess; above it they do no better.
 */
export const defaultMinConfidence = 0.4;

export function predictIntent(
  features: readonly string[],
  options: ClassifyOptions = {},
  using: CompiledModel = committedModel().model,
): IntentPrediction {
  const ranked = using.predict(features);
  const scores = ranked
    .slice(0, 3)
    .flatMap(({ label, probability }) =>
      isIntent(label) ? [{ intent: label, probability: Number(probability.toFixed(4)) }] : [],
    );
  const best = scores[0];
  const sure = best !== undefined && best.probability >= (options.minConfidence ?? defaultMinConfidence);
  return {
    intent: sure ? best.intent : null,
    confidence: best?.probability ?? 0,
    scores,
    model: intentModelId(),
  };
}

/**
 * Classifies a ticket's text: the intent (or null when unsure), the top scores and the key facts.
 * Pure and fast (about 0.1 ms): runs on every channel before routing.
 */
export function classifyTicket(
  ticket: { subject: string; description: string },
  options: ClassifyOptions = {},
): Classification {
  const prediction = predictIntent(ticketFeatures(ticket.subject, ticket.description), options);
  return { ...prediction, facts: extractFacts(ticket.subject, ticket.description) };
}
