import { App } from 'aws-cdk-lib';
import { addGongdan } from '../gongdan-app.ts';

// The cdk CLI sets CDK_DEFAULT_REGION from the profile or AWS_REGION (us-east-1 when neither is set).
addGongdan(new App(), { region: process.env.CDK_DEFAULT_REGION });
