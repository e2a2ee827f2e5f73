import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createJwtVerifier } from '#shared/adapters/auth/jwt-verifier.ts';
import type { Role } from '#shared/domain/actor.ts';

/** A signing key and the verifier that trusts it, as the local runtime and Cognito set them up. */
export async function testIssuer(issuer = 'urn:gongdan:test', audience = 'gongdan-test') {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256' };
  const verifyToken = createJwtVerifier({ issuer, audience, keys: createLocalJWKSet({ keys: [jwk] }) });
  const sign = (sub: string, roles: Role[], claims: Record<string, unknown> = {}, expiresIn = '1h') =>
    new SignJWT({ 'cognito:groups': roles, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'test' })
      .setSubject(sub)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  return { verifyToken, sign };
}
