// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field.
type Json = any;
type Api = (
  method: string,
  path: string,
  init?: { token?: string; body?: unknown },
) => Promise<{ status: number; body: Json }>;

/** The fields of an agent `PUT /agents/{id}` takes back (live load and bookkeeping left out). */
const profileFields = [
  'name',
  'email',
  'phone',
  'teams',
  'skills',
  'languages',
  'level',
  'fieldEngineer',
  'shift',
  'location',
  'delegate',
] as const;

/**
 * Gives a seeded agent more capacity, keeping the rest of their profile as it is (a test that hands one
 * agent many jobs needs room for them). Answers the PUT's response.
 */
export async function setCapacity(
  api: Api,
  adminToken: string | undefined,
  agentId: string,
  capacity: number,
) {
  const agents = (await api('GET', '/agents', { token: adminToken })).body.items as Json[];
  const agent = agents.find((a) => a.id === agentId);
  const profile = Object.fromEntries(profileFields.map((f) => [f, agent[f]]));
  return api('PUT', `/agents/${agentId}`, { token: adminToken, body: { ...profile, capacity } });
}
