/**
 * Sign-in through the Cognito Hosted UI: the authorization code grant with PKCE (RFC 7636, S256) for a
 * public app client (no secret). Browser code with no library: Web Crypto, fetch, sessionStorage.
 *
 * The types below are written out rather than imported from `../config.ts` (whose `cognito` section
 * they match), and sessionStorage is reached through `globalThis`, so that this module also
 * type-checks under the repository's Node tsconfig, which runs its unit tests
 * (test/unit/console-cognito.test.ts).
 */

/** The `cognito` section of `config.json` (`ConsoleConfig['cognito']`). */
export interface CognitoConfig {
  /** The Hosted UI's base URL, e.g. `https://gongdan-123.auth.eu-west-1.amazoncognito.com`. */
  domain: string;
  clientId: string;
  /** Registered on the app client as a callback URL: where the Hosted UI returns with `?code=`. */
  redirectUri: string;
  /** Registered on the app client as a sign-out URL. */
  logoutUri: string;
}

export interface CognitoTokens {
  /** What the API takes as `Authorization: Bearer …` (its audience is the app client). */
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** When the ID and access tokens expire, epoch milliseconds. */
  expiresAt: number;
}

/** The part of `sessionStorage` used here. */
interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Per tab, so two tabs signing in at once do not overwrite each other's verifier. */
const session = (): SessionStore =>
  (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage;

export const verifierKey = 'gongdan.signIn.verifier';
export const stateKey = 'gongdan.signIn.state';

/** base64url without padding (RFC 4648 §5). */
function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** `bytes` random bytes as base64url: 48 bytes make 64 characters, all of them PKCE-unreserved. */
const randomText = (bytes: number) => base64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

const baseOf = (config: CognitoConfig) => config.domain.replace(/\/+$/, '');

/**
 * Starts a sign-in: makes a PKCE verifier (64 random characters) and a random `state`, keeps both in
 * this tab's sessionStorage for the callback, and returns the Hosted UI's authorize URL to navigate to.
 */
export async function beginSignIn(config: CognitoConfig): Promise<string> {
  const verifier = randomText(48);
  const state = randomText(24);
  session().setItem(verifierKey, verifier);
  session().setItem(stateKey, state);
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email profile',
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return `${baseOf(config)}/oauth2/authorize?${query}`;
}

/**
 * Finishes a sign-in on the callback URL: checks that `state` is the one this tab sent, then exchanges
 * the code and the stored verifier for tokens at the token endpoint. The verifier and state are
 * removed first, whatever the outcome: a code is exchanged once, and a failed sign-in starts again.
 * Throws an Error saying what went wrong (an `?error=` from the Hosted UI, a state that does not
 * match, a refused exchange).
 */
export async function completeSignIn(config: CognitoConfig, currentUrl: string): Promise<CognitoTokens> {
  const params = new URL(currentUrl).searchParams;
  const verifier = session().getItem(verifierKey);
  const expectedState = session().getItem(stateKey);
  session().removeItem(verifierKey);
  session().removeItem(stateKey);

  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    throw new Error(`Sign-in failed at the Hosted UI: ${error}${description ? ` (${description})` : ''}`);
  }
  if (!verifier || !expectedState) {
    throw new Error('Sign-in failed: no sign-in was started in this tab; start again');
  }
  if (params.get('state') !== expectedState) {
    throw new Error('Sign-in failed: the state does not match the sign-in this tab started; start again');
  }
  const code = params.get('code');
  if (!code) throw new Error('Sign-in failed: the callback URL has no authorization code');

  const response = await fetch(`${baseOf(config)}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const reason = typeof body.error === 'string' ? `: ${body.error}` : '';
    throw new Error(`Sign-in failed: the token endpoint answered ${response.status}${reason}`);
  }
  const { id_token, access_token, refresh_token, expires_in } = body;
  if (typeof id_token !== 'string' || typeof access_token !== 'string' || typeof expires_in !== 'number') {
    throw new Error(
      'Sign-in failed: the token endpoint answered without an ID token, access token or expiry',
    );
  }
  return {
    idToken: id_token,
    accessToken: access_token,
    ...(typeof refresh_token === 'string' ? { refreshToken: refresh_token } : {}),
    expiresAt: Date.now() + expires_in * 1000,
  };
}

/** The Hosted UI's sign-out URL: it ends the Cognito session and returns to the console. */
export function signOutUrl(config: CognitoConfig): string {
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: config.logoutUri });
  return `${baseOf(config)}/logout?${query}`;
}
