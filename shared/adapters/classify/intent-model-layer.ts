import { readFileSync } from 'node:fs';
import type { SerializedModel } from '../../domain/classify/intent-model.ts';

/**
 * Where the intent model is in a Lambda: the `IntentModel` layer (infra/constructs/intent-model-layer.ts)
 * puts `intent-model.json` at the root of `/opt`. `INTENT_MODEL_PATH` overrides it.
 */
export const intentModelPath = () => process.env.INTENT_MODEL_PATH || '/opt/intent-model.json';

/**
 * `#intent-model` in Lambda bundles (the `gongdan-lambda` condition, infra/bundling.ts): the committed
 * model read from the layer. `classify.ts` calls it on first use, so a function that never classifies
 * never reads it.
 */
export function loadIntentModel(): SerializedModel {
  const path = intentModelPath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `The intent model is not at ${path}: attach the IntentModel layer or set INTENT_MODEL_PATH`,
      { cause: error },
    );
  }
  const model = JSON.parse(text) as SerializedModel;
  if (model.format !== 'gongdan-intent/1') throw new Error(`${path} is not a gongdan-intent/1 model`);
  return model;
}
