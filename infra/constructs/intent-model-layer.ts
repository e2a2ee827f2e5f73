import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { Architecture, Code, type ILayerVersion, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** The folder of the committed model; only `intent-model.json` goes into the layer. */
const classifyDir = fileURLToPath(new URL('../../shared/domain/classify/', import.meta.url));

/**
 * The intake classifier's model as a Lambda layer, one per stack: `/opt/intent-model.json` in every
 * function, read on first use by `shared/adapters/classify/intent-model-layer.ts`. Keeping it out of the
 * bundles takes 0.5 MB off each function that classifies (docs/operations.md, "Bundle sizes"); a new
 * model is a new layer version, deployed with the functions that use it.
 */
export function intentModelLayer(scope: Construct): ILayerVersion {
  const stack = Stack.of(scope);
  const id = 'IntentModelLayer';
  const existing = stack.node.tryFindChild(id) as LayerVersion | undefined;
  if (existing) return existing;
  return new LayerVersion(stack, id, {
    code: Code.fromAsset(classifyDir, { exclude: ['*', '!intent-model.json'] }),
    compatibleRuntimes: [Runtime.NODEJS_22_X],
    compatibleArchitectures: [Architecture.ARM_64],
    description: 'Gongdan intake classifier model (/opt/intent-model.json)',
  });
}
