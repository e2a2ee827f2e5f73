import type { Role } from '#shared/domain/actor.ts';

/** A person (or system) who can sign in locally: the stand-in for a Cognito user and its groups. */
export interface LocalUser {
  id: string;
  name: string;
  email: string;
  roles: Role[];
}

/**
 * The local runtime's users. Staff ids are the ids of the seeded agents (`AGENT` items), so a token's
 * subject and the routing data agree. `/dev/tokens` signs one token per user.
 */
export const localUsers = [
  { id: 'u-admin', name: '王磊 (管理员)', email: 'wang.lei@gongdan.local', roles: ['admin'] },
  { id: 'u-sup-field', name: '刘洋', email: 'liu.yang@gongdan.local', roles: ['supervisor'] },
  { id: 'u-sup-desk', name: '陈静', email: 'chen.jing@gongdan.local', roles: ['supervisor'] },
  { id: 'u-agent-zhang', name: '张伟', email: 'zhang.wei@gongdan.local', roles: ['agent'] },
  { id: 'u-agent-li', name: '李娜', email: 'li.na@gongdan.local', roles: ['agent'] },
  { id: 'u-agent-wang', name: '王强', email: 'wang.qiang@gongdan.local', roles: ['agent'] },
  { id: 'u-agent-zhao', name: '赵敏', email: 'zhao.min@gongdan.local', roles: ['agent'] },
  { id: 'u-agent-sun', name: '孙浩', email: 'sun.hao@gongdan.local', roles: ['agent'] },
  { id: 'u-agent-zhou', name: 'Zhou Jie', email: 'zhou.jie@gongdan.local', roles: ['agent'] },
  { id: 'svc-crm', name: 'CRM 集成', email: 'crm@integrations.gongdan.local', roles: ['integration'] },
  { id: 'c-huang', name: '黄先生 (华联商厦)', email: 'huang@hualian.example.com', roles: ['customer'] },
  { id: 'c-li', name: '李小姐', email: 'li.xiaojie@example.com', roles: ['customer'] },
  { id: 'c-smith', name: 'Anna Smith', email: 'anna.smith@example.org', roles: ['customer'] },
] as const satisfies readonly LocalUser[];

/** The user `/dev/tokens` names for each role (its top-level `admin`, `agent`, … tokens). */
export const defaultUserFor: Record<Role, string> = {
  admin: 'u-admin',
  supervisor: 'u-sup-field',
  agent: 'u-agent-zhang',
  integration: 'svc-crm',
  customer: 'c-li',
};

export function localUser(id: string): LocalUser {
  const user = localUsers.find((u) => u.id === id);
  if (!user) throw new Error(`no local user ${id}`);
  return { ...user, roles: [...user.roles] };
}
