import modelJson from './intent-model.json' with { type: 'json' };
import type { SerializedModel } from './intent-model.ts';

/**
 * The committed intent model, from the repository's file: what `#intent-model` resolves to in tests,
 * benches and the local runtime. Lambda bundles are built with the `gongdan-lambda` condition
 * (infra/bundling.ts), which resolves `#intent-model` to `shared/adapters/classify/intent-model-layer.ts`
 * instead, so the 0.5 MB model is not in any function bundle (docs/operations.md, "Bundle sizes").
 */
export function loadIntentModel(): SerializedModel {
  return modelJson as SerializedModel;
}
