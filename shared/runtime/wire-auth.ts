import { createJwtVerifier } from '../adapters/auth/jwt-verifier.ts';
import type { VerifyToken } from '../domain/auth.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

export const authEnv = { issuer: env.authIssuer, audience: env.authAudience };

/**
 * Sign-in: the verifier of the ID tokens the API accepts (AUTH_ISSUER, AUTH_AUDIENCE), against the
 * issuer's keys — Cognito's JWKS in AWS, the local runtime's own key locally. The same code either way.
 */
export function wireAuth(source: EnvSource, platform: Platform): VerifyToken {
  const { issuer, audience } = readEnv(authEnv, source);
  return createJwtVerifier({ issuer, audience, keys: platform.tokenKeys(issuer) });
}
