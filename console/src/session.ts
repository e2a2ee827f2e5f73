/** Who is signed in: the ID token and what it says (subject, name, roles). */
export interface Session {
  token: string;
  user: { id: string; name: string; email?: string; roles: string[] };
  expiresAt: number;
}

const key = 'gongdan.session';

/** Where to go after the Hosted UI's round trip (kept in sessionStorage across it). */
export const returnToKey = 'gongdan.returnTo';

export function sessionFromToken(token: string): Session {
  const payload = JSON.parse(base64UrlDecode(token.split('.')[1] ?? '')) as {
    sub: string;
    name?: string;
    email?: string;
    'cognito:groups'?: string[];
    exp?: number;
  };
  return {
    token,
    user: {
      id: payload.sub,
      name: payload.name ?? payload.email ?? payload.sub,
      ...(payload.email ? { email: payload.email } : {}),
      roles: payload['cognito:groups'] ?? [],
    },
    expiresAt: (payload.exp ?? 0) * 1000,
  };
}

function base64UrlDecode(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null) {
  if (session) localStorage.setItem(key, JSON.stringify(session));
  else localStorage.removeItem(key);
}

export const hasRole = (session: Session | null, ...roles: string[]) =>
  !!session && session.user.roles.some((r) => roles.includes(r));
