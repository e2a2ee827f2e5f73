import { type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { roles as knownRoles, type Role } from '../../domain/actor.ts';
import type { VerifyToken } from '../../domain/auth.ts';
import { DomainError } from '../../domain/errors.ts';

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** Cognito's JWKS in AWS (`createRemoteJWKSet`); the runtime's own public key locally. */
  keys: JWTVerifyGetKey;
  /**
   * The longest a token may live, in seconds, from its `iat` (or from now, without one) to its `exp`:
   * staff 12 h, customers 24 h (a Cognito ID token lives at most a day) unless set.
   */
  maxLifetimeSeconds?: { staff?: number; customer?: number };
}

/** Default maximum token lifetimes, in seconds (docs/security.md, "Token lifetime"). */
export const defaultMaxLifetimeSeconds = { staff: 12 * 3600, customer: 24 * 3600 } as const;

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
        // A token without an expiry would be valid forever: Cognito's always carry one.
        requiredClaims: ['exp'],
      });
      const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'] : [];
      const roles = groups.filter((g): g is Role => typeof g === 'string' && knownRoles.includes(g as Role));
      if (!payload.sub) throw unauthenticated('The token has no subject');
      const customerOnly = !roles.some((r) => r !== 'customer');
      const max = customerOnly
        ? (options.maxLifetimeSeconds?.customer ?? defaultMaxLifetimeSeconds.customer)
        : (options.maxLifetimeSeconds?.staff ?? defaultMaxLifetimeSeconds.staff);
      const from = typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000);
      if (payload.exp! - from > max) {
        throw unauthenticated(`The token's lifetime is longer than the ${max / 3600} h allowed`);
      }
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
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp') {
        throw unauthenticated('The token has no expiry (exp)');
      }
      throw unauthenticated('The token is not valid');
    }
  };
}
