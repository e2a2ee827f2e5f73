import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  beginSignIn,
  type CognitoConfig,
  codeChallenge,
  completeSignIn,
  signOutUrl,
  stateKey,
  verifierKey,
} from '../../console/src/auth/cognito.ts';

const config: CognitoConfig = {
  domain: 'https://gongdan-123456789012.auth.eu-central-1.amazoncognito.com',
  clientId: 'client-abc',
  redirectUri: 'https://d111.cloudfront.net/console/callback',
  logoutUri: 'https://d111.cloudfront.net/console/',
};

/** A minimal sessionStorage: what the module uses of it. */
function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

const tokenResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const granted = {
  id_token: 'id.jwt',
  access_token: 'access.jwt',
  refresh_token: 'refresh',
  expires_in: 3600,
};

let storage: ReturnType<typeof memoryStorage>;
let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;

beforeEach(() => {
  storage = memoryStorage();
  fetchMock = vi.fn<typeof fetch>();
  vi.stubGlobal('sessionStorage', storage);
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Starts a sign-in and returns the authorize URL's parameters. */
async function started() {
  const url = new URL(await beginSignIn(config));
  return { url, params: url.searchParams };
}

describe('beginSignIn()', () => {
  it("returns the Hosted UI's authorize URL for the code grant with PKCE", async () => {
    // Act
    const { url, params } = await started();

    // Assess
    expect(`${url.origin}${url.pathname}`).toBe(`${config.domain}/oauth2/authorize`);
    expect([...params.keys()]).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
    ]);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(config.clientId);
    expect(params.get('redirect_uri')).toBe(config.redirectUri);
    expect(url.search).toContain('scope=openid+email+profile');
    expect(params.get('code_challenge_method')).toBe('S256');
  });

  it('keeps a 64-character verifier and the state in sessionStorage, and sends the state', async () => {
    // Act
    const { params } = await started();

    // Assess
    const verifier = storage.getItem(verifierKey)!;
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{64}$/); // RFC 7636 unreserved characters
    expect(storage.getItem(stateKey)).toBe(params.get('state'));
    expect(params.get('state')!.length).toBeGreaterThanOrEqual(32);
  });

  it('sends the S256 challenge of the stored verifier: base64url(SHA-256(verifier)), unpadded', async () => {
    // Act
    const { params } = await started();

    // Assess: computed independently, with Node's crypto
    const verifier = storage.getItem(verifierKey)!;
    const expected = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    expect(params.get('code_challenge')).toBe(expected);
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('makes a new verifier and state for every sign-in', async () => {
    // Act
    const first = await started();
    const firstVerifier = storage.getItem(verifierKey);
    const second = await started();

    // Assess
    expect(second.params.get('state')).not.toBe(first.params.get('state'));
    expect(storage.getItem(verifierKey)).not.toBe(firstVerifier);
  });
});

describe('codeChallenge()', () => {
  it("matches RFC 7636's example (appendix B)", async () => {
    // Act
    const challenge = await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');

    // Assess
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('completeSignIn()', () => {
  it('posts the code and the verifier, form-encoded, to the token endpoint and returns the tokens', async () => {
    // Prepare
    const { params } = await started();
    const verifier = storage.getItem(verifierKey)!;
    fetchMock.mockResolvedValue(tokenResponse(200, granted));
    const before = Date.now();

    // Act
    const tokens = await completeSignIn(
      config,
      `${config.redirectUri}?code=the-code&state=${params.get('state')}`,
    );

    // Assess
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe(`${config.domain}/oauth2/token`);
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(String(init?.body)))).toEqual({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: 'the-code',
      redirect_uri: config.redirectUri,
      code_verifier: verifier,
    });
    expect(tokens).toMatchObject({ idToken: 'id.jwt', accessToken: 'access.jwt', refreshToken: 'refresh' });
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(tokens.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it('clears the stored verifier and state, so a code is exchanged once', async () => {
    // Prepare
    const { params } = await started();
    fetchMock.mockResolvedValue(tokenResponse(200, granted));
    const callback = `${config.redirectUri}?code=the-code&state=${params.get('state')}`;

    // Act
    await completeSignIn(config, callback);
    const again = completeSignIn(config, callback);

    // Assess
    expect(storage.items.size).toBe(0);
    await expect(again).rejects.toThrow(/no sign-in was started in this tab/);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('rejects a state that is not the one this tab sent, without calling the token endpoint', async () => {
    // Prepare
    await started();

    // Act
    const result = completeSignIn(config, `${config.redirectUri}?code=the-code&state=forged`);

    // Assess
    await expect(result).rejects.toThrow(/state does not match/);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(storage.items.size).toBe(0);
  });

  it('rejects a callback without a state', async () => {
    // Prepare
    await started();

    // Act
    const result = completeSignIn(config, `${config.redirectUri}?code=the-code`);

    // Assess
    await expect(result).rejects.toThrow(/state does not match/);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("reports the Hosted UI's ?error= with its description", async () => {
    // Prepare
    const { params } = await started();

    // Act
    const result = completeSignIn(
      config,
      `${config.redirectUri}?error=access_denied&error_description=User+is+disabled&state=${params.get('state')}`,
    );

    // Assess
    await expect(result).rejects.toThrow('Sign-in failed at the Hosted UI: access_denied (User is disabled)');
    expect(fetchMock).not.toHaveBeenCalled();
    expect(storage.items.size).toBe(0);
  });

  it('reports a refused exchange with the status and the OAuth error', async () => {
    // Prepare
    const { params } = await started();
    fetchMock.mockResolvedValue(tokenResponse(400, { error: 'invalid_grant' }));

    // Act
    const result = completeSignIn(config, `${config.redirectUri}?code=old&state=${params.get('state')}`);

    // Assess
    await expect(result).rejects.toThrow('Sign-in failed: the token endpoint answered 400: invalid_grant');
  });

  it('reports a token response without tokens', async () => {
    // Prepare
    const { params } = await started();
    fetchMock.mockResolvedValue(tokenResponse(200, { access_token: 'access.jwt' }));

    // Act
    const result = completeSignIn(config, `${config.redirectUri}?code=c&state=${params.get('state')}`);

    // Assess
    await expect(result).rejects.toThrow(/without an ID token/);
  });
});

describe('signOutUrl()', () => {
  it("returns the Hosted UI's logout URL with the client and the console to return to", () => {
    // Act
    const url = new URL(signOutUrl(config));

    // Assess
    expect(`${url.origin}${url.pathname}`).toBe(`${config.domain}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: config.clientId,
      logout_uri: config.logoutUri,
    });
  });

  it('ignores a trailing slash on the domain', () => {
    // Act
    const url = signOutUrl({ ...config, domain: `${config.domain}/` });

    // Assess
    expect(url.startsWith(`${config.domain}/logout?`)).toBe(true);
  });
});
