import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { readPortalConfig } from '#shared/channels/portal/portal-config.ts';
import { uploadScript } from '#shared/channels/portal/upload-script.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';

const assetHeaders = { 'x-content-type-options': 'nosniff', 'cross-origin-resource-policy': 'same-origin' };

export const route = defineRoute({
  name: 'portal-asset',
  method: 'GET',
  path: '/portal/assets/{name}',
  auth: 'public',
  roles: [],
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description:
          "`upload.js`: the intake form's upload progress (progressive enhancement); `logo`: the uploaded logo " +
          'of the portal configuration',
        files: ['text/javascript', 'image/png', 'image/jpeg', 'image/webp'],
      },
      { status: 404, description: 'No such asset (or no uploaded logo)' },
    ],
  },
  async handle({ params }, deps: ChannelTicketDeps & RouteDeps) {
    if (params.name === 'upload.js') {
      return {
        status: 200,
        bytes: Buffer.from(uploadScript, 'utf8'),
        headers: {
          ...assetHeaders,
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'public, max-age=86400',
        },
      };
    }
    if (params.name === 'logo') {
      const { logoImage } = await readPortalConfig(deps);
      if (logoImage) {
        return {
          status: 200,
          bytes: Buffer.from(logoImage.data, 'base64'),
          headers: {
            ...assetHeaders,
            'content-type': logoImage.contentType,
            'cache-control': 'public, max-age=300',
          },
        };
      }
    }
    throw new DomainError('not_found', 'PORTAL.ASSET_NOT_FOUND', 'No such portal asset');
  },
});
