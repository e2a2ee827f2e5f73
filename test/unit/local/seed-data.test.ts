import { describe, expect, it } from 'vitest';
import { localUsers } from '#infra/local/local-users.ts';
import { agents, demoTickets } from '#infra/local/seed-data.ts';
import { Agent, rosterGaps } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { NewTicket } from '#shared/domain/ticket/ticket.entity.ts';

const parsedAgents = agents.map((a) => Agent.parse(a));
const teamIds = defaultRoutingConfig.teams.map((t) => t.id);

describe('The local seed', () => {
  it('has a valid agent profile for every staff user who takes work', () => {
    const staff = localUsers.filter((u) => u.roles.some((r) => r === 'agent' || r === 'supervisor'));
    expect(parsedAgents.map((a) => a.id).sort()).toEqual(staff.map((u) => u.id).sort());
  });

  it('puts agents only in teams of the routing configuration, matching its rosters', () => {
    for (const agent of parsedAgents) expect(teamIds).toEqual(expect.arrayContaining(agent.teams));
    for (const team of defaultRoutingConfig.teams) {
      expect(rosterGaps(team, parsedAgents), team.id).toEqual({ notOnRoster: [], notInTeam: [] });
    }
  });

  it('opens demo tickets that are valid and name known teams and users', () => {
    for (const demo of demoTickets) {
      expect(() => NewTicket.parse(demo.ticket)).not.toThrow();
      if (demo.ticket.team) expect(teamIds).toContain(demo.ticket.team);
      expect(localUsers.map((u) => u.id)).toContain(demo.by);
    }
  });
});
