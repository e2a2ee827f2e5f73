/**
 * Rebuilds the committed intent model from the corpus: `npm run train:classifier`.
 * `--cv K` instead reports K-fold cross-validated accuracy (nothing written).
 *
 * Training is deterministic, so a test (test/unit/classify-model.test.ts) checks the committed model is
 * exactly what this produces from the committed corpus.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  calibrateTemperature,
  compileTrained,
  defaultTrainingOptions,
  type LabelScore,
  type SerializedModel,
  serializeModel,
  type TrainingOptions,
  trainModel,
} from '#shared/domain/classify/intent-model.ts';
import { type Corpus, loadCorpus, modelFile } from './intent-corpus.ts';

/** Folds used to calibrate the temperature and to report accuracy. */
export const folds = 5;

/**
 * 1. Cross-validate: each fold's tickets scored by a model trained on the other folds.
 * 2. Choose the temperature that makes those held-out probabilities honest.
 * 3. Train on the whole corpus with it; quantise for shipping.
 */
export function buildModel(corpus: Corpus = loadCorpus()): SerializedModel {
  const heldOut = crossValidate(corpus, folds);
  const labels = [...new Set(corpus.documents.map((d) => d.label))].sort();
  const temperature = calibrateTemperature(
    heldOut.map((p) => ({ label: corpus.documents[p.index]!.label, scores: p.scores })),
    labels,
  );
  const trained = trainModel(corpus.documents, { ...defaultTrainingOptions, temperature });
  return serializeModel(trained, corpus.trainedOn);
}

export const renderModel = (model: SerializedModel) => `${JSON.stringify(model, null, 1)}\n`;

export interface HeldOutPrediction {
  index: number;
  /** Raw scores in label order (before temperature). */
  scores: number[];
  /** Probabilities at temperature 1, best first. */
  ranked: LabelScore[];
}

/** Predictions for every line, each from a model trained on the other folds (line i is in fold i mod K). */
export function crossValidate(
  corpus: Corpus,
  k: number,
  options: TrainingOptions = defaultTrainingOptions,
): HeldOutPrediction[] {
  const predictions: HeldOutPrediction[] = [];
  for (let fold = 0; fold < k; fold++) {
    const model = compileTrained(
      trainModel(
        corpus.documents.filter((_, i) => i % k !== fold),
        options,
      ),
    );
    corpus.documents.forEach((doc, index) => {
      if (index % k === fold)
        predictions.push({ index, scores: model.scores(doc.features), ranked: model.predict(doc.features) });
    });
  }
  return predictions.sort((a, b) => a.index - b.index);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const corpus = loadCorpus();
  const cv = process.argv.indexOf('--cv');
  if (cv > 0) {
    const k = Number(process.argv[cv + 1] ?? folds);
    const predictions = crossValidate(corpus, k);
    const right = predictions.filter((p) => p.ranked[0]!.label === corpus.documents[p.index]!.label).length;
    console.log(
      `${k}-fold cross-validation over ${corpus.lines.length} tickets: ${right} right (${((100 * right) / predictions.length).toFixed(1)} %)`,
    );
  } else {
    const model = buildModel(corpus);
    writeFileSync(modelFile, renderModel(model));
    const bytes = Buffer.byteLength(renderModel(model));
    console.log(
      `intent model: ${corpus.lines.length} tickets, ${model.features.split('\n').length} features, temperature ${model.temperature}, ${(bytes / 1024).toFixed(0)} KB → ${modelFile}`,
    );
  }
}
