/**
 * A linear text model: weights per (feature, label), a bias per label, softmax over the sums (scaled by
 * a calibrated temperature). Trained as naive Bayes (`trainModel`). Small enough to ship with every
 * intake function (as a Lambda layer, not in the bundle: docs/operations.md), fast enough to run on every ticket (a few dozen map lookups), and its training is
 * deterministic, so the committed model can be rebuilt byte for byte from the committed corpus
 * (`npm run train:classifier`).
 */

/** The model as committed: labels, biases, and int8-quantised weights (weight = int8 × scale). */
export interface SerializedModel {
  format: 'gongdan-intent/1';
  labels: string[];
  bias: number[];
  temperature: number;
  scale: number;
  /** Feature names, `\n`-joined, in the order of the weight rows. */
  features: string;
  /** Base64 of an Int8Array: one row of `labels.length` weights per feature. */
  weights: string;
  /** What the model was trained on, for anyone asking where a prediction comes from. */
  trainedOn: { documents: number; byLabel: Record<string, number>; corpusSha256: string };
}

export interface LabelScore {
  label: string;
  probability: number;
}

export interface CompiledModel {
  labels: readonly string[];
  /** Probabilities of every label, best first; features the model never saw are ignored. */
  predict(features: readonly string[]): LabelScore[];
  /** The raw score of each label, in `labels` order, before temperature and softmax. */
  scores(features: readonly string[]): number[];
}

/** The committed model, weights dequantised as they are read. */
export function compileModel(model: SerializedModel): CompiledModel {
  const weights = Int8Array.from(atob(model.weights), (c) => (c.charCodeAt(0) << 24) >> 24);
  return linearModel(model.labels, model.features.split('\n'), model.bias, model.temperature, (w) => {
    return weights[w]! * model.scale;
  });
}

/** A trained model as a `CompiledModel`, without quantising (evaluation, cross-validation). */
export function compileTrained(model: TrainedModel): CompiledModel {
  return linearModel(
    model.labels,
    model.features,
    [...model.bias],
    model.temperature,
    (w) => model.weights[w]!,
  );
}

/** Scores: bias plus each known feature's row; probabilities: softmax of scores / temperature. */
function linearModel(
  labels: readonly string[],
  features: readonly string[],
  bias: readonly number[],
  temperature: number,
  weight: (index: number) => number,
): CompiledModel {
  const k = labels.length;
  const rows = new Map(features.map((f, i) => [f, i * k]));
  const scores = (present: readonly string[]) => {
    const z = [...bias];
    for (const feature of present) {
      const row = rows.get(feature);
      if (row === undefined) continue;
      for (let j = 0; j < k; j++) z[j]! += weight(row + j);
    }
    return z;
  };
  return {
    labels,
    scores,
    predict: (present) =>
      softmax(scores(present).map((z) => z / temperature))
        .map((probability, j) => ({ label: labels[j]!, probability }))
        .sort((a, b) => b.probability - a.probability || (a.label < b.label ? -1 : 1)),
  };
}

export function softmax(z: readonly number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export interface TrainingDocument {
  label: string;
  features: readonly string[];
}

export interface TrainingOptions {
  /** Additive (Lidstone) smoothing of the feature counts. */
  alpha: number;
  /** Features seen in fewer documents than this are left out (noise, typos, numbers). */
  minCount: number;
  /** Divides the scores before the softmax, so probabilities are calibrated (`calibrateTemperature`). */
  temperature: number;
}

/** Chosen by cross-validation on the corpus: minCount 2 keeps the accuracy of 1 at a third of the size. */
export const defaultTrainingOptions: TrainingOptions = { alpha: 0.3, minCount: 2, temperature: 1 };

/** Weights as trained, before quantisation: for evaluation and for `serializeModel`. */
export interface TrainedModel {
  labels: string[];
  features: string[];
  /** features.length × labels.length, row-major. */
  weights: Float64Array;
  bias: Float64Array;
  temperature: number;
}

/**
 * Multinomial naive Bayes over feature presence: a label's score is its log prior plus, for each known
 * feature of the ticket, the log of how often that feature occurs among the label's features
 * (smoothed). On short, sparse texts with a few hundred examples per label it beats logistic
 * regression (cross-validated on the corpus, docs/classify.md), trains in one pass, and is exactly
 * reproducible. Each feature's row is centred (its mean over labels subtracted), which changes no
 * prediction but keeps the weights small enough to quantise.
 */
export function trainModel(
  documents: readonly TrainingDocument[],
  options: TrainingOptions = defaultTrainingOptions,
): TrainedModel {
  const labels = [...new Set(documents.map((d) => d.label))].sort();
  const k = labels.length;
  const documentCounts = new Map<string, number>();
  for (const doc of documents)
    for (const f of doc.features) documentCounts.set(f, (documentCounts.get(f) ?? 0) + 1);
  const features = [...documentCounts.entries()]
    .filter(([, n]) => n >= options.minCount)
    .map(([f]) => f)
    .sort();
  const index = new Map(features.map((f, i) => [f, i]));

  const counts = new Float64Array(features.length * k);
  const totals = new Float64Array(k);
  const priors = new Float64Array(k);
  for (const doc of documents) {
    const j = labels.indexOf(doc.label);
    priors[j]!++;
    for (const f of doc.features) {
      const i = index.get(f);
      if (i === undefined) continue;
      counts[i * k + j]!++;
      totals[j]!++;
    }
  }
  const weights = new Float64Array(features.length * k);
  for (let i = 0; i < features.length; i++) {
    let mean = 0;
    for (let j = 0; j < k; j++) {
      const w = Math.log(
        (counts[i * k + j]! + options.alpha) / (totals[j]! + options.alpha * features.length),
      );
      weights[i * k + j] = w;
      mean += w / k;
    }
    for (let j = 0; j < k; j++) weights[i * k + j]! -= mean;
  }
  const bias = priors.map((n) => Math.log(n / documents.length));
  return { labels, features, weights, bias, temperature: options.temperature };
}

/**
 * The temperature that makes the model's probabilities honest: the one (of a fixed grid) with the
 * lowest log-loss on held-out predictions. Naive Bayes is overconfident — it multiplies evidence as if
 * features were independent — so its raw top probability is near 1 even when it is wrong; a threshold
 * on confidence only means something after this.
 */
export function calibrateTemperature(
  heldOut: readonly { label: string; scores: readonly number[] }[],
  labels: readonly string[],
): number {
  const grid = [1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20];
  let best = { temperature: 1, loss: Number.POSITIVE_INFINITY };
  for (const temperature of grid) {
    let loss = 0;
    for (const { label, scores } of heldOut) {
      const p = softmax(scores.map((z) => z / temperature));
      loss -= Math.log(Math.max(p[labels.indexOf(label)]!, 1e-12));
    }
    if (loss < best.loss) best = { temperature, loss };
  }
  return best.temperature;
}

/** Quantises the weights to int8 (weight ≈ int8 × scale) for a model small enough to bundle. */
export function serializeModel(
  model: TrainedModel,
  trainedOn: SerializedModel['trainedOn'],
): SerializedModel {
  let max = 0;
  for (const w of model.weights) max = Math.max(max, Math.abs(w));
  const scale = max / 127 || 1;
  let binary = '';
  for (const w of model.weights) binary += String.fromCharCode(Math.round(w / scale) & 0xff);
  return {
    format: 'gongdan-intent/1',
    labels: model.labels,
    bias: [...model.bias].map((b) => round(b, 4)),
    temperature: model.temperature,
    scale: round(scale, 8),
    features: model.features.join('\n'),
    weights: btoa(binary),
    trainedOn,
  };
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));
