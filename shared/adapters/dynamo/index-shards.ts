/**
 * Sharded partition keys of the hot ticket indexes (docs/data-model.md, "Sharded indexes").
 *
 * `byCreated` (every ticket), `byStatus` (one status) and `byDue` (every running SLA) would otherwise
 * each put all tickets under one partition key: every ticket write lands on it, and a business-hours
 * herd (tickets opened overnight, all due at 09:00) reads it at once. Each ticket goes to one of
 * `indexShards` partitions (`TICKETS#3`, `STATUS#open#3`, `DUE#3`), chosen by a stable hash of its id,
 * so it never moves between shards; readers query every shard in parallel and merge by the sort key
 * (merged-query.ts). Changing `indexShards` changes every ticket's shard: run the index backfill
 * (index-backfill.ts, `npm run migrate:indexes`) with a new migration id after a change.
 */
export const indexShards = 8;

/** FNV-1a (32 bit) of a string's UTF-16 code units: stable across processes and versions. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard of a ticket id: `fnv1a(id)` modulo `indexShards`. */
export const shardOf = (id: string): number => fnv1a(id) % indexShards;

const shards = Array.from({ length: indexShards }, (_, shard) => shard);

/** The partition values of the sharded indexes; `all*` give every shard's, for a fan-out. */
export const shardedPartition = {
  created: (shard: number) => `TICKETS#${shard}`,
  status: (status: string, shard: number) => `STATUS#${status}#${shard}`,
  due: (shard: number) => `DUE#${shard}`,
  allCreated: () => shards.map((s) => `TICKETS#${s}`),
  allStatus: (status: string) => shards.map((s) => `STATUS#${status}#${s}`),
  allDue: () => shards.map((s) => `DUE#${s}`),
};
