import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { validationError } from '../../domain/errors.ts';
import { fnv1a } from './index-shards.ts';

type Item = Record<string, unknown>;
type Key = Record<string, string>;

/** One partition a query reads: the value of `:pk`, and of `:sp` when the key condition has a prefix. */
export interface Lane {
  pk: string;
  prefix?: string;
}

/**
 * A query over one or more partitions of an index, read as one list ordered by the index's sort key:
 * the shards of a sharded index (index-shards.ts), or the status prefixes of a queue.
 */
export interface MergedQuery {
  /** The query without its partition: `KeyConditionExpression` names `:pk` (and `:sp` with prefixes). */
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit' | 'ScanIndexForward'>;
  lanes: Lane[];
  /** The index's key attributes (the table's are `pk` and `sk`). */
  partitionKey: string;
  sortKey: string;
  /** Ascending by the sort key (oldest or earliest due first), or descending (newest first). */
  forward: boolean;
  /**
   * The table key of the item at a sort key value, or undefined if the value cannot be one. Cursors
   * keep only sort key values (a 24-lane position must fit a URL); the rest of a start key is derived.
   */
  tableKey(sortValue: string): { pk: string; sk: string } | undefined;
  /**
   * What a cursor must have been made for; by default the index, key condition, filter, values, lanes
   * and direction, so a cursor of one query never continues another.
   */
  scope?: unknown;
}

export interface MergedPage {
  items: Item[];
  /** Where to go on: every lane's position. Absent when every lane is read to its end. */
  cursor?: string;
  /** Items DynamoDB evaluated for this page (read capacity is spent on these, matched or not). */
  scanned: number;
}

/** A lane's place in a cursor: not read yet, read to its end, or read up to (and including) a key. */
type Position = 'start' | 'end' | Key;

interface LaneState {
  lane: Lane;
  /** Where this request started it. */
  from: Position;
  /** The last key read (everything up to it is seen); undefined before the first read from the start. */
  frontier?: Key;
  done: boolean;
  /** Items read and matched, not emitted yet, in list order. */
  buffer: Item[];
  /** Where to go on while `buffer` holds items: after the last emitted one, or where the last read began. */
  resume: Position;
}

export const invalidCursor = () =>
  validationError('The cursor is not valid for this query', [
    { path: 'cursor', message: 'Invalid cursor', code: 'invalid' },
  ]);

/**
 * Reads a page of a merged query: every lane in parallel, merged by the sort key into exactly the order
 * one unsharded partition would give, reading at most `budget` items (evaluated, before the filter; at
 * least one per lane, so every call moves on).
 *
 * 1. Start each lane where the cursor says (validated: made for this query, a position in its lane).
 * 2. Emit the next item in list order while every lane that could still hold an earlier one has been
 *    read past it (its frontier); stop at `limit` items.
 * 3. Otherwise read the lanes that block (nothing buffered, not at their end), in parallel, each with a
 *    growing `Limit` that together never exceeds what is left of the budget.
 * 4. Return what was emitted with a cursor: a lane with unemitted items resumes after its last emitted
 *    one (they are read again), any other at its frontier. A short or empty page with a cursor means the
 *    budget ran out: the caller asks again to go on.
 */
export async function mergedQuery(
  doc: DynamoDBDocumentClient,
  query: MergedQuery,
  page: { limit: number; budget: number; cursor?: string },
): Promise<MergedPage> {
  const positions = page.cursor
    ? decodePositions(page.cursor, query)
    : query.lanes.map(() => 'start' as const);
  const states: LaneState[] = query.lanes.map((lane, i) => {
    const from = positions[i]!;
    return {
      lane,
      from,
      done: from === 'end',
      buffer: [],
      resume: from,
      ...(typeof from === 'object' ? { frontier: from } : {}),
    };
  });
  const first = firstOf(query);
  const items: Item[] = [];
  let left = Math.max(page.budget, query.lanes.length);
  let scanned = 0;
  let perLane = initialLimit(query, page.limit);

  for (;;) {
    while (items.length < page.limit) {
      let best: LaneState | undefined;
      for (const s of states)
        if (s.buffer.length && (!best || first(s.buffer[0]!, best.buffer[0]!))) best = s;
      if (!best) break;
      const head = best.buffer[0]!;
      const blocked = states.some(
        (s) => !s.done && !s.buffer.length && (!s.frontier || first(s.frontier, head)),
      );
      if (blocked) break;
      best.buffer.shift();
      best.resume = keyOf(head, query);
      items.push(head);
    }
    if (items.length >= page.limit) break;
    let reading = states.filter((s) => !s.done && !s.buffer.length);
    if (!reading.length || left <= 0) break;
    // The lanes furthest behind first, when the budget cannot give each one at least an item.
    if (reading.length > left) {
      reading = [...reading].sort((a, b) =>
        !a.frontier ? -1 : !b.frontier ? 1 : first(a.frontier, b.frontier) ? -1 : 1,
      );
      reading = reading.slice(0, left);
    }
    const limit = Math.max(1, Math.min(perLane, Math.floor(left / reading.length)));
    const results = await Promise.all(reading.map((s) => readLane(doc, query, s, limit, !!page.cursor)));
    results.forEach((result, i) => {
      const s = reading[i]!;
      const evaluated = Math.max(result.ScannedCount ?? 0, result.LastEvaluatedKey ? 1 : 0);
      left -= evaluated;
      scanned += evaluated;
      // Everything before this read was emitted (only lanes with nothing buffered are read).
      s.resume = s.frontier ?? s.from;
      s.buffer = result.Items ?? [];
      if (result.LastEvaluatedKey) s.frontier = result.LastEvaluatedKey as Key;
      else s.done = true;
    });
    perLane *= 2;
  }

  const finished = states.every((s) => s.done && !s.buffer.length);
  if (finished) return { items, scanned };
  const next: Position[] = states.map((s) => {
    if (s.buffer.length) return s.resume;
    if (s.done) return 'end';
    return s.frontier ?? s.from;
  });
  return { items, scanned, cursor: encodePositions(next, query) };
}

/**
 * Every item a merged query matches, in no particular order, reading at most `budget` items: the lanes
 * in parallel, each round sharing what is left of the budget. `complete` says whether every lane ended.
 */
export async function readMerged(
  doc: DynamoDBDocumentClient,
  query: MergedQuery,
  budget: number,
): Promise<{ items: Item[]; complete: boolean; scanned: number }> {
  const states: LaneState[] = query.lanes.map((lane) => ({
    lane,
    from: 'start',
    done: false,
    buffer: [],
    resume: 'start',
  }));
  const items: Item[] = [];
  const total = Math.max(budget, query.lanes.length);
  let left = total;
  for (;;) {
    let reading = states.filter((s) => !s.done);
    if (!reading.length || left <= 0) break;
    reading = reading.slice(0, left);
    const limit = Math.max(1, Math.floor(left / reading.length));
    const results = await Promise.all(reading.map((s) => readLane(doc, query, s, limit, false)));
    results.forEach((result, i) => {
      const s = reading[i]!;
      left -= Math.max(result.ScannedCount ?? 0, result.LastEvaluatedKey ? 1 : 0);
      items.push(...(result.Items ?? []));
      if (result.LastEvaluatedKey) s.frontier = result.LastEvaluatedKey as Key;
      else s.done = true;
    });
  }
  return { items, complete: states.every((s) => s.done), scanned: total - left };
}

/**
 * The first read of each lane: for one lane, the page itself; for shards, a little over each one's
 * share of the page (hashing spreads the newest tickets evenly); more when a filter thins the matches.
 */
function initialLimit(query: MergedQuery, limit: number): number {
  const lanes = query.lanes.length;
  const share = lanes === 1 ? limit : Math.ceil((limit * 1.5) / lanes) + 1;
  return query.input.FilterExpression ? Math.max(share, 25) : share;
}

async function readLane(
  doc: DynamoDBDocumentClient,
  query: MergedQuery,
  state: LaneState,
  limit: number,
  fromCursor: boolean,
) {
  const values = {
    ...query.input.ExpressionAttributeValues,
    ':pk': state.lane.pk,
    ...(state.lane.prefix !== undefined ? { ':sp': state.lane.prefix } : {}),
  };
  try {
    return await doc.send(
      new QueryCommand({
        ...query.input,
        ExpressionAttributeValues: values,
        ScanIndexForward: query.forward,
        Limit: limit,
        ...(state.frontier ? { ExclusiveStartKey: state.frontier } : {}),
      }),
    );
  } catch (error) {
    // A start key outside the key condition (a cursor made for another query) is refused by DynamoDB.
    if (fromCursor && (error as { name?: string }).name === 'ValidationException') throw invalidCursor();
    throw error;
  }
}

/** Whether `a` comes before `b` in the list: by the sort key, ties (never in practice) by the table key. */
function firstOf(query: MergedQuery) {
  const { sortKey, forward } = query;
  return (a: Item, b: Item) => {
    const x = String(a[sortKey]);
    const y = String(b[sortKey]);
    if (x !== y) return forward ? x < y : x > y;
    const p = String(a.pk);
    const q = String(b.pk);
    return forward ? p < q : p > q;
  };
}

function keyOf(item: Item, query: MergedQuery): Key {
  return Object.fromEntries(
    ['pk', 'sk', query.partitionKey, query.sortKey].map((name) => [name, String(item[name])]),
  );
}

/** 8 hex digits naming the query a cursor belongs to. */
function scopeOf(query: MergedQuery): string {
  const { input } = query;
  const scope = query.scope ?? [
    input.IndexName,
    input.KeyConditionExpression,
    input.FilterExpression,
    input.ExpressionAttributeValues,
    query.lanes,
    query.forward,
  ];
  return fnv1a(JSON.stringify(scope)).toString(16).padStart(8, '0');
}

/** `{ q: scope, s: [0 (start) | 1 (end) | sort key value, …] }`, base64url. */
function encodePositions(positions: Position[], query: MergedQuery): string {
  const s = positions.map((p) => (p === 'start' ? 0 : p === 'end' ? 1 : p[query.sortKey]));
  return Buffer.from(JSON.stringify({ q: scopeOf(query), s })).toString('base64url');
}

/** The positions of a cursor, each checked against its lane and query; anything else is a 400. */
function decodePositions(cursor: string, query: MergedQuery): Position[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const { q, s: positions } = (decoded ?? {}) as { q?: unknown; s?: unknown };
  if (q !== scopeOf(query) || !Array.isArray(positions) || positions.length !== query.lanes.length)
    throw invalidCursor();
  return positions.map((position, i): Position => {
    if (position === 0) return 'start';
    if (position === 1) return 'end';
    const lane = query.lanes[i]!;
    if (typeof position !== 'string' || position.length > 200) throw invalidCursor();
    if (lane.prefix !== undefined && !position.startsWith(lane.prefix)) throw invalidCursor();
    const table = query.tableKey(position);
    if (!table) throw invalidCursor();
    return { ...table, [query.partitionKey]: lane.pk, [query.sortKey]: position };
  });
}
