import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
} from 'jose';
import { createJwtVerifier } from '#shared/adapters/auth/jwt-verifier.ts';
import type { VerifyToken } from '#shared/domain/auth.ts';
import type { LocalUser } from './local-users.ts';

export const localIssuer = 'urn:gongdan:local';
export const localAudience = 'gongdan-local';

const algorithm = 'ES256';
const tokenLifetime = '12h';

export interface LocalAuth {
  /** The same verifier the cloud path builds, given this runtime's public key instead of Cognito's JWKS. */
  verifyToken: VerifyToken;
  /** A signed ID token for `user`, shaped like Cognito's: `sub`, `name`, `email`, `cognito:groups`. */
  issue(user: LocalUser): Promise<string>;
  jwks: JSONWebKeySet;
}

/**
 * Local sign-in: an ES256 key pair made on first start and kept in `<dataDir>/auth/`, so tokens handed
 * out stay valid across restarts. Token lifetimes are on the wall clock, as `jose` checks them.
 */
export async function localAuth(dataDir: string): Promise<LocalAuth> {
  const privateJwk = await loadOrCreateKey(join(dataDir, 'auth'));
  const { d: _private, ...publicJwk } = privateJwk;
  const signingKey = await importJWK(privateJwk, algorithm);
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  const verifyToken = createJwtVerifier({
    issuer: localIssuer,
    audience: localAudience,
    keys: createLocalJWKSet(jwks),
  });
  return {
    verifyToken,
    jwks,
    issue: (user) =>
      new SignJWT({ name: user.name, email: user.email, 'cognito:groups': [...user.roles], token_use: 'id' })
        .setProtectedHeader({ alg: algorithm, kid: privateJwk.kid!, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(localIssuer)
        .setAudience(localAudience)
        .setIssuedAt()
        .setExpirationTime(tokenLifetime)
        .sign(signingKey),
  };
}

async function loadOrCreateKey(dir: string): Promise<JWK> {
  const path = join(dir, 'signing-key.jwk.json');
  if (existsSync(path)) {
    const jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
    if (jwk.kty === 'EC' && jwk.d && jwk.kid) return jwk;
  }
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = algorithm;
  jwk.use = 'sig';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
  return jwk;
}
