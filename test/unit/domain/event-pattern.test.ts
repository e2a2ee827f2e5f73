import { describe, expect, it } from 'vitest';
import { type EventPattern, matchesPattern } from '#shared/domain/events/event-pattern.ts';

const event = {
  version: '0',
  id: 'e1',
  source: 'gongdan',
  'detail-type': 'sla.breached',
  time: '2026-01-05T02:00:00.000Z',
  detail: {
    ticketId: 'T1',
    priority: 'urgent',
    team: 'field-repair',
    breached: ['firstResponse', 'resolution'],
    minutesLate: 42,
    customerTier: 'VIP',
    assignee: null,
  },
};

const matches = (pattern: EventPattern) => matchesPattern(pattern, event);

describe('matchesPattern() (EventBridge patterns, evaluated locally)', () => {
  it('matches exact values, any of a list, at any depth', () => {
    expect(matches({ source: ['gongdan'], 'detail-type': ['sla.warning', 'sla.breached'] })).toBe(true);
    expect(matches({ detail: { priority: ['urgent'], team: ['field-repair'] } })).toBe(true);
    expect(matches({ detail: { priority: ['high'] } })).toBe(false);
    expect(matches({ source: ['other'] })).toBe(false);
  });

  it('requires every key of the pattern to match', () => {
    expect(matches({ source: ['gongdan'], detail: { priority: ['low'] } })).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    expect(matches({ detail: { breached: ['resolution'] } })).toBe(true);
    expect(matches({ detail: { breached: ['nothing'] } })).toBe(false);
  });

  it('matches prefix, suffix and equals-ignore-case', () => {
    expect(matches({ 'detail-type': [{ prefix: 'sla.' }] })).toBe(true);
    expect(matches({ 'detail-type': [{ prefix: 'ticket.' }] })).toBe(false);
    expect(matches({ 'detail-type': [{ suffix: '.breached' }] })).toBe(true);
    expect(matches({ detail: { customerTier: [{ 'equals-ignore-case': 'vip' }] } })).toBe(true);
  });

  it('matches anything-but a value, a list or a prefix', () => {
    expect(matches({ detail: { priority: [{ 'anything-but': 'low' }] } })).toBe(true);
    expect(matches({ detail: { priority: [{ 'anything-but': ['urgent', 'high'] }] } })).toBe(false);
    expect(matches({ 'detail-type': [{ 'anything-but': { prefix: 'ticket.' } }] })).toBe(true);
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('matches on whether a field exists', () => {
    expect(matches({ detail: { ticketId: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { parentId: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { parentId: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { ticketId: [{ exists: false }] } })).toBe(false);
  });

  it('matches numeric ranges, and null as a value', () => {
    expect(matches({ detail: { minutesLate: [{ numeric: ['>', 30, '<=', 60] }] } })).toBe(true);
    expect(matches({ detail: { minutesLate: [{ numeric: ['<', 30] }] } })).toBe(false);
    expect(matches({ detail: { priority: [{ numeric: ['>', 0] }] } })).toBe(false);
    expect(matches({ detail: { assignee: [null] } })).toBe(true);
  });

  it('matches wildcards and $or', () => {
    expect(matches({ detail: { team: [{ wildcard: 'field-*' }] } })).toBe(true);
    expect(matches({ detail: { team: [{ wildcard: '*desk' }] } })).toBe(false);
    expect(
      matches({ $or: [{ detail: { priority: ['low'] } }, { detail: { team: ['field-repair'] } }] }),
    ).toBe(true);
    expect(matches({ $or: [{ detail: { priority: ['low'] } }, { source: ['x'] }] })).toBe(false);
  });

  it('does not match a nested pattern against a field that is not an object', () => {
    expect(matches({ source: { nested: ['x'] } })).toBe(false);
  });
});
