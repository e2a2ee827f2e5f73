import { App } from 'aws-cdk-lib';
import { addGongdan } from '../gongdan-app.ts';
import { consoleDist, ensureConsoleBuilt } from '../tools/console-build.ts';

// The console is uploaded from console/dist: build it (with Vite, offline) when its sources are newer,
// before any construct is made (construction is synchronous), so `cdk synth` works from a clean clone.
await ensureConsoleBuilt((line) => console.error(line));

// The cdk CLI sets CDK_DEFAULT_REGION from the profile or AWS_REGION (us-east-1 when neither is set).
// Settings and the stage come from the context (`-c gongdan:mailFrom=…`, `-c stage=prod`) or, failing
// that, from GONGDAN_* variables (a pipeline's repository variables): see docs/deploy.md.
addGongdan(new App(), {
  region: process.env.CDK_DEFAULT_REGION,
  consoleAssets: consoleDist,
  environment: process.env,
});
