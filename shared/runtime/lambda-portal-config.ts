import { dynamoPortalConfigStore } from '../adapters/dynamo/dynamo-portal-config-store.ts';
import type { ChannelDeps } from '../channels/deps.ts';
import type { ApiDeps } from '../http/route.ts';
import { env, readEnv } from './env.ts';
import { apiDeps, once, platform } from './lambda.ts';

/**
 * `GET/PUT /config/portal`: staff API functions (no channel settings in their environment) that need
 * the portal configuration store only, on the ticket table.
 */
export const portalConfigDeps = /* @__PURE__ */ once(
  (): ApiDeps & { channels: Pick<ChannelDeps, 'portalConfig'> } => ({
    ...apiDeps(),
    channels: {
      portalConfig: dynamoPortalConfigStore(
        platform().dynamo,
        readEnv({ tableName: env.tableName }, process.env).tableName,
      ),
    },
  }),
);
