import type { Context } from 'aws-lambda';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '#shared/adapters/auth/jwt-verifier.ts';
import { type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { apiEvent } from '../support/api-event.ts';
import { routeNamed } from '../support/route-call.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';

const issuer = 'urn:gongdan:test';
const audience = 'gongdan-test';
const hour = 3600;

/**
 * Issue 15: a correctly signed token without `exp` was accepted forever. Tokens must carry `exp`, and
 * live no longer than the verifier's maximum (12 h for staff, 24 h for customers by default).
 */
describe('Bearer token lifetime (the real verifier through a real handler, on DynamoDB Local)', () => {
  let deps: ApiDeps;
  let sign: (claims: JWTPayload, times: { iat?: number; exp?: number }) => Promise<string>;
  const now = () => Math.floor(Date.now() / 1000);

  const getTicket = async (token: string) => {
    const route = routeNamed('list-tickets');
    const result = (await apiHandler(route, deps)(apiEvent(route, { token }), {
      awsRequestId: 'req-1',
    } as Context)) as ApiResult;
    return { status: result.statusCode, body: JSON.parse(result.body || 'null') };
  };

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' };
    const verifyToken = createJwtVerifier({ issuer, audience, keys: createLocalJWKSet({ keys: [jwk] }) });
    deps = { ...(await freshTicketDeps()).deps, verifyToken };
    sign = (claims, times) => {
      const jwt = new SignJWT({ 'cognito:groups': ['agent'], ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .setSubject('agent-li')
        .setIssuer(issuer)
        .setAudience(audience);
      if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
      if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
      return jwt.sign(privateKey);
    };
  });

  it('accepts a staff token that expires within 12 hours of its issue', async () => {
    const response = await getTicket(await sign({}, { iat: now(), exp: now() + hour }));
    expect(response.status).toBe(200);
  });

  it('refuses a correctly signed token without exp with 401', async () => {
    const response = await getTicket(await sign({}, { iat: now() }));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('AUTH.INVALID_TOKEN');
    expect(response.body.error.message).toMatch(/exp/);
  });

  it('refuses a staff token issued to live longer than 12 hours with 401', async () => {
    const response = await getTicket(await sign({}, { iat: now(), exp: now() + 13 * hour }));
    expect(response.status).toBe(401);
    expect(response.body.error.message).toMatch(/lifetime/);
  });

  it('refuses a token without iat whose exp is further away than the maximum', async () => {
    const response = await getTicket(await sign({}, { exp: now() + 30 * 24 * hour }));
    expect(response.status).toBe(401);
  });

  it('gives customers a lifetime of up to 24 hours (Cognito ID tokens live at most a day), not more', async () => {
    const customer = { 'cognito:groups': ['customer'], email: 'c@example.com' };
    const day = await sign(customer, { iat: now(), exp: now() + 20 * hour });
    const tooLong = await sign(customer, { iat: now(), exp: now() + 25 * hour });
    const route = routeNamed('create-ticket');
    const create = async (token: string) =>
      (
        (await apiHandler(route, deps)(apiEvent(route, { token, body: JSON.stringify({ subject: 'x' }) }), {
          awsRequestId: 'req-2',
        } as Context)) as ApiResult
      ).statusCode;
    expect(await create(day)).toBe(201);
    expect(await create(tooLong)).toBe(401);
  });
});
