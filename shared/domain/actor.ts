import * as z from 'zod';

export const roles = ['customer', 'agent', 'supervisor', 'admin', 'integration'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

export const staffRoles: readonly Role[] = ['agent', 'supervisor', 'admin'];

export const channels = ['web', 'email', 'api', 'webhook', 'event', 'import', 'phone'] as const;
export const Channel = z.enum(channels);
export type Channel = z.infer<typeof Channel>;

/** Who did something, through which door, from where: the subject of every audit event. */
export interface Actor {
  id: string;
  name?: string;
  email?: string;
  roles: Role[];
  channel: Channel;
  sourceIp?: string;
}

export const isStaff = (actor: Pick<Actor, 'roles'>) => actor.roles.some((r) => staffRoles.includes(r));
export const hasAnyRole = (actor: Pick<Actor, 'roles'>, allowed: readonly Role[]) =>
  actor.roles.some((r) => allowed.includes(r));

/** The role an action is recorded under: the most privileged one the actor holds. */
export function primaryRole(actor: Pick<Actor, 'roles'>): Role {
  const order: Role[] = ['admin', 'supervisor', 'agent', 'integration', 'customer'];
  return order.find((r) => actor.roles.includes(r)) ?? 'customer';
}

/** The system itself (timers, routing) when it acts on a ticket. */
export const systemActor = (sourceIp?: string): Actor => ({
  id: 'system',
  name: 'Gongdan',
  roles: ['admin'],
  channel: 'api',
  sourceIp,
});
