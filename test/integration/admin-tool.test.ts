import { readFileSync } from 'node:fs';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '#infra/tools/admin/create-agent.ts';
import { loadRoutingConfig } from '#infra/tools/admin/load-routing.ts';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { freshTable } from '../support/ticket-fixtures.ts';

const userPoolId = 'eu-central-1_TEST';
const template = () =>
  JSON.parse(readFileSync(new URL('../../docs/templates/routing.json', import.meta.url), 'utf8'));

/**
 * A fake user pool behind the Cognito client (the one AWS edge mocked), enough for the admin tool:
 * users by e-mail with a generated sub, and group memberships.
 */
function fakeUserPool() {
  const cognito = mockClient(CognitoIdentityProviderClient);
  const users = new Map<string, { sub: string; groups: Set<string> }>();
  const attributes = (email: string) => [
    { Name: 'sub', Value: users.get(email)!.sub },
    { Name: 'email', Value: email },
  ];
  cognito.on(AdminGetUserCommand).callsFake(({ Username }) => {
    if (!users.has(Username))
      throw new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
    return { Username: users.get(Username)!.sub, UserAttributes: attributes(Username) };
  });
  cognito.on(AdminCreateUserCommand).callsFake(({ Username }) => {
    users.set(Username, {
      sub: `sub-${users.size + 1}-0000-4000-8000-${Username.length}`,
      groups: new Set(),
    });
    return { User: { Username: users.get(Username)!.sub, Attributes: attributes(Username) } };
  });
  const byUsername = (username: string) => [...users.values()].find((u) => u.sub === username)!;
  cognito.on(AdminListGroupsForUserCommand).callsFake(({ Username }) => ({
    Groups: [...byUsername(Username).groups].map((GroupName) => ({ GroupName })),
  }));
  cognito.on(AdminAddUserToGroupCommand).callsFake(({ Username, GroupName }) => {
    byUsername(Username).groups.add(GroupName);
    return {};
  });
  return { cognito, users };
}

describe('npm run admin -- create-agent (Cognito mocked, DynamoDB Local)', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  let pool: ReturnType<typeof fakeUserPool>;
  let deps: Parameters<typeof createAgent>[0];
  beforeAll(async () => {
    table = await freshTable();
  });
  beforeEach(() => {
    pool = fakeUserPool();
    deps = {
      cognito: new CognitoIdentityProviderClient({ region: 'eu-central-1' }),
      userPoolId,
      agents: dynamoAgentStore(table.client, table.tableName),
    };
  });

  it('creates the Cognito user in its role group and the agent profile under the user’s sub', async () => {
    // Act
    const created = await createAgent(deps, {
      email: 'li.na@corp.example',
      name: '李娜',
      teams: ['service-desk'],
      role: 'supervisor',
    });

    // Assess
    const sub = pool.users.get('li.na@corp.example')!.sub;
    expect(created).toEqual({
      id: sub,
      email: 'li.na@corp.example',
      userCreated: true,
      groupsAdded: ['supervisor'],
      profileWritten: true,
    });
    expect(pool.cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toMatchObject({
      UserPoolId: userPoolId,
      Username: 'li.na@corp.example',
      UserAttributes: expect.arrayContaining([{ Name: 'email_verified', Value: 'true' }]),
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect([...pool.users.get('li.na@corp.example')!.groups]).toEqual(['supervisor']);
    expect(await deps.agents.get(sub)).toMatchObject({
      id: sub,
      name: '李娜',
      email: 'li.na@corp.example',
      teams: ['service-desk'],
      capacity: { max: 5 },
    });
  });

  it('changes nothing when run again, and keeps what a supervisor set on the profile since', async () => {
    // Prepare
    const input = {
      email: 'zhang.wei@corp.example',
      name: '张伟',
      teams: ['billing'],
      role: 'agent' as const,
    };
    const first = await createAgent(deps, input);
    const stored = (await deps.agents.get(first.id))!;
    await deps.agents.put(AgentProfile.parse({ ...stored, skills: { billing: 4 } }));

    // Act
    const again = await createAgent(deps, input);

    // Assess
    expect(again).toEqual({ ...first, userCreated: false, groupsAdded: [], profileWritten: false });
    expect(pool.cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(1);
    expect(pool.cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(1);
    expect(await deps.agents.get(first.id)).toMatchObject({ skills: { billing: 4 }, teams: ['billing'] });
  });

  it('completes a half-done run: a user without group or profile gets both', async () => {
    // Prepare: the user exists (an earlier run stopped after creating it)
    await deps.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'wang@corp.example' }),
    );
    const sub = pool.users.get('wang@corp.example')!.sub;

    // Act
    const created = await createAgent(deps, {
      email: 'wang@corp.example',
      name: '王强',
      teams: ['technical'],
      role: 'admin',
    });

    // Assess
    expect(created).toMatchObject({
      id: sub,
      userCreated: false,
      groupsAdded: ['admin'],
      profileWritten: true,
    });
    expect((await deps.agents.get(sub))?.teams).toEqual(['technical']);
  });

  it('rejects bad input before touching Cognito, naming the field', async () => {
    // Act
    const bad = createAgent(deps, { email: 'nope', name: 'x', teams: ['desk'], role: 'root' as 'agent' });

    // Assess
    await expect(bad).rejects.toThrow(/email[\s\S]*role|role[\s\S]*email/);
    expect(pool.cognito.calls()).toHaveLength(0);
  });
});

describe('The production routing template (docs/templates/routing.json)', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable();
  });

  it('loads as the first routing version once its supervisors exist, their e-mails turned into ids', async () => {
    // Prepare
    const agents = dynamoAgentStore(table.client, table.tableName);
    const routing = dynamoRoutingConfigStore(table.client, table.tableName);
    const emails = new Set<string>(template().teams.map((t: { supervisor: string }) => t.supervisor));
    for (const [i, email] of [...emails].entries()) {
      await agents.put(
        AgentProfile.parse({ id: `sub-${i}`, name: email, email, teams: ['service-desk'], capacity: 5 }),
      );
    }

    // Act
    const loaded = await loadRoutingConfig({ routing, agents }, template());

    // Assess
    expect(loaded.version).toBe(1);
    expect(await routing.get()).toEqual(loaded);
    expect(loaded.teams.map((t) => t.supervisor).every((id) => id.startsWith('sub-'))).toBe(true);
    expect(loaded.defaults.team).toBe('service-desk');
  });

  it('is refused, naming the team, while a supervisor’s e-mail belongs to no agent', async () => {
    // Prepare
    const { client, tableName } = await freshTable();

    // Act
    const load = loadRoutingConfig(
      { routing: dynamoRoutingConfigStore(client, tableName), agents: dynamoAgentStore(client, tableName) },
      template(),
    );

    // Assess
    await expect(load).rejects.toThrow(
      /teams\.0\.supervisor: no agent has the e-mail desk-lead@your-domain\.example/,
    );
  });
});
