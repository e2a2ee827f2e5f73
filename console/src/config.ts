/**
 * The console's runtime configuration, fetched from `config.json` next to `index.html` at start-up:
 * the local runtime serves it itself; in AWS the stack writes it into the console bucket at deploy.
 */
export interface ConsoleConfig {
  /** `local`: sign in by choosing a seeded user; `cognito`: the Cognito Hosted UI (code + PKCE). */
  mode: 'local' | 'cognito';
  /** The API's base URL, no trailing slash; empty means the console's own origin. */
  apiUrl: string;
  cognito?: {
    /** The Hosted UI's base URL, e.g. `https://gongdan-123.auth.eu-west-1.amazoncognito.com`. */
    domain: string;
    clientId: string;
    region: string;
    userPoolId: string;
    /** Where the Hosted UI returns with `?code=` (the console's `/console/callback`). */
    redirectUri: string;
    /** Where it returns after sign-out (the console's `/console/`). */
    logoutUri: string;
  };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  // index.html preloads it; the server marks it no-store, so a deploy's new values are read at once.
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`);
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}
