import { createRemoteJWKSet } from 'jose';
import type { AwsEdges } from '../aws-platform.ts';

/** Sign-in: the user pool's JWKS, fetched and cached by jose. */
export const authEdges: AwsEdges = {
  tokenKeys: () => (issuer) => createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
};
