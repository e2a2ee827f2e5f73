/**
 * The layer rules of DESIGN §3 and STYLE.md ("dependencies point inward"), checked by `npm run lint`
 * (part of `npm test`): a break fails the suite, naming the rule and the import.
 *
 *   domain ← events ← use-cases ← channels ← reactions        (inner → outer; http beside channels)
 *   adapters implement ports of domain/events, and are composed only by runtime/, functions/, infra/
 *
 * test/unit/layers.test.ts runs these same rules over a fixture with a deliberate break.
 */
const inShared = (layers) => `^shared/(${layers.join('|')})/`;
/** A package as resolved (`node_modules/<name>/…`) or, for a types-only one, as written. */
const aws =
  '(^|node_modules/)(@aws-sdk|aws-lambda|@middy|aws-cdk-lib|@aws-lambda-powertools|constructs)(/|$)';

/** Each layer, and the layers of `shared/` it must not import. */
const layers = {
  domain: ['events', 'use-cases', 'channels', 'reactions', 'http', 'adapters', 'runtime'],
  events: ['use-cases', 'channels', 'reactions', 'http', 'adapters', 'runtime'],
  'use-cases': ['channels', 'reactions', 'http', 'adapters', 'runtime'],
  channels: ['reactions', 'http', 'adapters', 'runtime'],
  reactions: ['http', 'adapters', 'runtime'],
  http: ['channels', 'reactions', 'adapters', 'runtime'],
  adapters: ['use-cases', 'channels', 'reactions', 'http', 'runtime'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be read, tested or moved apart.',
      from: {},
      to: { circular: true },
    },
    ...Object.entries(layers).map(([layer, outer]) => ({
      name: `${layer}-points-inward`,
      severity: 'error',
      comment: `shared/${layer} may not import ${outer.join(', ')}: dependencies point inward, and adapters are composed only in runtime/.`,
      from: { path: `^shared/${layer}/` },
      to: { path: inShared(outer) },
    })),
    {
      name: 'core-without-aws',
      severity: 'error',
      comment:
        'The domain, use cases, channels and reactions know no AWS SDK, Lambda types, middy or CDK: adapters do (and http/, the middy seam of the API functions).',
      from: { path: inShared(['domain', 'events', 'use-cases', 'channels', 'reactions']) },
      to: { path: aws },
    },
    {
      name: 'shared-stands-alone',
      severity: 'error',
      comment: 'shared/ is used by functions/, infra/ and workflows/, never the other way.',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|workflows|bench|test)/' },
    },
    {
      name: 'functions-are-entries',
      severity: 'error',
      comment:
        'A function folder is an entry: nothing but infra/ (and the route list) may import another one.',
      from: { path: '^functions/([^/]+)/', pathNot: '^functions/routes\\.ts$' },
      to: { path: '^functions/([^/]+)/', pathNot: '^functions/$1/' },
    },
    {
      name: 'tracer-only-in-lambdas',
      severity: 'error',
      comment:
        "Powertools' Tracer loads the X-Ray SDK, whose context tracking (cls-hooked) puts a destroy hook on every promise of the process: the local runtime and the benches run a tenth slower with it. Only Lambda entries (functions/*/handler.ts) may reach it; import a function's task.ts for its logic.",
      from: { path: '^(infra/local|bench)/' },
      to: { path: '@aws-lambda-powertools/tracer|aws-xray-sdk-core', reachable: true },
    },
    {
      name: 'no-duckdb-in-lambdas',
      severity: 'error',
      comment:
        'DuckDB is a native module (a 70 MB binary) that the Lambda bundles cannot carry: the report routes use Athena in AWS (docs/analytics.md). Only the local runtime, tests and benches may reach @duckdb (infra/local/report-engine.ts loads it on the first report).',
      from: { path: '^(functions|workflows)/' },
      to: { path: '@duckdb', reachable: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing (aws-lambda is types only: @types/aws-lambda).',
      from: {},
      to: { couldNotResolve: true, pathNot: '^aws-lambda$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Packages stay in the graph as leaves (not followed), so rules can name them.
    exclude: { path: '\\.json$' },
    // TypeScript 7 has no compiler API: swc parses the sources.
    parser: 'swc',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs'],
      conditionNames: ['import', 'require', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
