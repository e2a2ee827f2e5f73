import { type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { roles as knownRoles, type Role } from '../../domain/actor.ts';
import type { VerifyToken } from '../../domain/auth.ts';
import { DomainError } from '../../domain/errors.ts';

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** Cognito's JWKS in AWS (`createRemoteJWKSet`); the runtime's own public key locally. */
  keys: JWTVerifyGetKey;
}

const unauthenticated = (message: string) =>
  new DomainError('unauthenticated', 'AUTH.INVALID_TOKEN', message);

/**
 * Verifies a bearer token (a Cognito ID token in AWS, a token the local runtime signed locally — the
 * same code either way) and maps its claims: `sub` → id, `cognito:groups` → roles, `email`, `name`.
 */
export function createJwtVerifier(options: JwtVerifierOptions): VerifyToken {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, options.keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['RS256', 'ES256'],
      });
      const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'] : [];
      const roles = groups.filter((g): g is Role => typeof g === 'string' && knownRoles.includes(g as Role));
      if (!payload.sub) throw unauthenticated('The token has no subject');
      const email = typeof payload.email === 'string' ? payload.email : undefined;
      const name = typeof payload.name === 'string' ? payload.name : undefined;
      return {
        id: payload.sub,
        roles: roles.length ? roles : ['customer'],
        ...(email ? { email } : {}),
        ...(name ? { name } : {}),
      };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired');
      throw unauthenticated('The token is not valid');
    }
  };
}
