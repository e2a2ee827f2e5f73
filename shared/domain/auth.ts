import type { Role } from './actor.ts';

/** Who a valid token says the caller is. */
export interface Principal {
  id: string;
  name?: string;
  email?: string;
  roles: Role[];
}

/** Checks a bearer token and says who it belongs to; an invalid one is AUTH.INVALID_TOKEN (401). */
export type VerifyToken = (token: string) => Promise<Principal>;
