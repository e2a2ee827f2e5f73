import { defineConfig } from 'vitest/config';

/**
 * Four suites, run in parallel by `npm test`:
 * unit (pure domain, no I/O), integration (DynamoDB Local), infra (CDK template + cdk-nag),
 * e2e (the local runtime over HTTP, a real browser for pages).
 */
// The SDK's Node 20 notice is silenced for test runs only (Lambda runs Node 22).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', './test/setup/summary-reporter.ts'],
    setupFiles: ['./test/setup/polyfills.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['./test/setup/dynamodb-local.global.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], testTimeout: 60_000 },
      },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000 } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['./test/setup/console-build.global.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
