import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod';
import type { AgentStore } from '#shared/domain/routing/agent.store.ts';
import { AgentProfile, TeamId } from '#shared/domain/routing/agent.ts';

/** The roles a member of staff can have; each is a Cognito group of the same name. */
export const StaffRole = z.enum(['agent', 'supervisor', 'admin']);

export const NewAgent = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(120),
  teams: z.array(TeamId).min(1).max(20),
  role: StaffRole,
  /** Max concurrent open tickets (the profile's capacity). */
  capacity: z.coerce.number().int().min(0).max(10_000).default(5),
  languages: z.array(z.string()).min(1).default(['zh']),
});
export type NewAgent = z.input<typeof NewAgent>;

export interface CreateAgentDeps {
  cognito: CognitoIdentityProviderClient;
  userPoolId: string;
  agents: AgentStore;
}

export interface CreatedAgent {
  /** The Cognito `sub`: the agent's id everywhere (tokens, assignments, routing). */
  id: string;
  email: string;
  /** A Cognito user was created now (an invitation mail with a temporary password was sent). */
  userCreated: boolean;
  /** Groups the user was added to now. */
  groupsAdded: string[];
  /** The profile was written now (absent or different before). */
  profileWritten: boolean;
}

const attribute = (attributes: AttributeType[] | undefined, name: string) =>
  attributes?.find((a) => a.Name === name)?.Value;

/**
 * Creates a member of staff in one go: the Cognito user (invited by e-mail), their role's group, and
 * their agent profile, whose id must be the user's `sub` (the API takes the caller's id from the token's
 * `sub`). Safe to run again: an existing user, group membership or identical profile is left as it is,
 * and a re-run after a failure half-way completes what is missing.
 */
export async function createAgent(deps: CreateAgentDeps, input: NewAgent): Promise<CreatedAgent> {
  const agent = NewAgent.parse(input);
  const { cognito, userPoolId } = deps;

  // 1. The user: found by e-mail (the pool signs in with it), or created with the e-mail verified.
  let userCreated = false;
  let user = await findUser(cognito, userPoolId, agent.email);
  if (!user) {
    try {
      const created = await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: agent.email,
          UserAttributes: [
            { Name: 'email', Value: agent.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: agent.name },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      user = { username: created.User?.Username ?? agent.email, attributes: created.User?.Attributes };
      userCreated = true;
    } catch (error) {
      // Someone (or an earlier run) created it in between: use that one.
      if (!(error instanceof UsernameExistsException)) throw error;
      user = await findUser(cognito, userPoolId, agent.email);
    }
  }
  const sub = attribute(user?.attributes, 'sub');
  if (!user || !sub) throw new Error(`Cognito user ${agent.email} has no sub attribute`);

  // 2. The role's group (adding is idempotent; listing first reports what changed).
  const listed = await cognito.send(
    new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: user.username }),
  );
  const groupsAdded: string[] = [];
  if (!(listed.Groups ?? []).some((g) => g.GroupName === agent.role)) {
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        GroupName: agent.role,
      }),
    );
    groupsAdded.push(agent.role);
  }

  // 3. The profile under the sub; an existing one keeps its skills, shift and the rest.
  const existing = await deps.agents.get(sub);
  const profile = AgentProfile.parse({
    ...(existing ? AgentProfile.parse(existing) : { capacity: agent.capacity, languages: agent.languages }),
    id: sub,
    name: agent.name,
    email: agent.email,
    teams: existing ? [...new Set([...existing.teams, ...agent.teams])] : agent.teams,
  });
  const unchanged = existing && JSON.stringify(AgentProfile.parse(existing)) === JSON.stringify(profile);
  if (!unchanged) await deps.agents.put(profile, { by: { id: 'admin-tool', name: 'npm run admin' } });

  return { id: sub, email: agent.email, userCreated, groupsAdded, profileWritten: !unchanged };
}

async function findUser(cognito: CognitoIdentityProviderClient, userPoolId: string, email: string) {
  try {
    const found = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    return { username: found.Username ?? email, attributes: found.UserAttributes };
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}
