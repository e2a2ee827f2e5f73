import { createRemoteJWKSet } from 'jose';
import { createJwtVerifier } from '../adapters/auth/jwt-verifier.ts';
import type { ApiDeps } from '../http/route.ts';
import { requiredEnv } from './env.ts';
import { ticketLambdaDeps } from './ticket-lambda-deps.ts';

let cached: ApiDeps | undefined;

/**
 * The dependencies of an API function in AWS: those of every ticket-changing function
 * (`ticketLambdaDeps`) and the verifier of the Cognito user pool whose tokens are accepted. Built once
 * per container.
 */
export function lambdaDeps(): ApiDeps {
  if (cached) return cached;
  const issuer = requiredEnv('AUTH_ISSUER');
  const audience = requiredEnv('AUTH_AUDIENCE');
  cached = {
    ...ticketLambdaDeps(),
    verifyToken: createJwtVerifier({
      issuer,
      audience,
      keys: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
    }),
  };
  return cached;
}
