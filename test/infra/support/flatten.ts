import { NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

type Json = Record<string, unknown>;

/** Replaces each `{ Ref: parameter }` with what the parent passes for that parameter. */
function substitute(value: unknown, parameters: Json): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, parameters));
  if (value && typeof value === 'object') {
    const ref = (value as Json).Ref;
    if (typeof ref === 'string' && Object.keys(value).length === 1 && ref in parameters) {
      return parameters[ref];
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, parameters)]));
  }
  return value;
}

/** Resolves `Fn::GetAtt: [nestedStack, 'Outputs.X']` in the parent to the output's own value. */
function inlineOutputs(value: unknown, outputs: Map<string, Json>): unknown {
  if (Array.isArray(value)) return value.map((v) => inlineOutputs(v, outputs));
  if (value && typeof value === 'object') {
    const getAtt = (value as Json)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[1] === 'string' && getAtt[1].startsWith('Outputs.')) {
      const output = outputs.get(getAtt[0] as string)?.[getAtt[1].slice('Outputs.'.length)] as
        | { Value: unknown }
        | undefined;
      if (output) return inlineOutputs(output.Value, outputs);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inlineOutputs(v, outputs)]));
  }
  return value;
}

/**
 * One template holding a stack's resources and those of every nested stack in it, each nested
 * stack's parameters replaced by what the parent passes and its outputs by their values: assertions
 * read it as if the routes (which live in nested stacks, see infra/constructs/ticket-api.ts) were in
 * the stack itself. Logical ids are unique across the stacks (they carry the construct path's hash).
 */
export function flattenNested(stack: Stack): Template {
  const parent = Template.fromStack(stack).toJSON() as { Resources: Record<string, Json>; Outputs?: Json };
  const nested = stack.node
    .findAll()
    .filter((c): c is NestedStack => c instanceof NestedStack && c.nestedStackParent === stack);
  const outputs = new Map<string, Json>();
  const resources: Record<string, unknown> = {};
  for (const child of nested) {
    const id = stack.getLogicalId(child.nestedStackResource!);
    const passed = (parent.Resources[id]?.Properties as Json | undefined)?.Parameters as Json | undefined;
    const template = flattenNested(child).toJSON() as { Resources: Json; Outputs?: Json };
    Object.assign(resources, substitute(template.Resources, passed ?? {}) as Json);
    outputs.set(id, (substitute(template.Outputs ?? {}, passed ?? {}) as Json) ?? {});
  }
  for (const [id, r] of Object.entries(parent.Resources)) {
    if (r.Type !== 'AWS::CloudFormation::Stack') resources[id] = r;
  }
  return Template.fromJSON({
    Resources: inlineOutputs(resources, outputs) as Json,
    Outputs: inlineOutputs(parent.Outputs ?? {}, outputs) as Json,
  });
}
