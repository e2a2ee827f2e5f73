import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The local runtime's data dir (default `.gongdan/`):
 *
 * | path                         | what                                                  |
 * | ---------------------------- | ----------------------------------------------------- |
 * | `gongdan-data.json`          | marks the dir as ours (so `--reset` may wipe it)      |
 * | `runtime.lock`               | pid of the runtime using it; a second one refuses     |
 * | `dynamodb/`                  | DynamoDB Local's files (`shared-local-instance.db`)   |
 * | `auth/signing-key.jwk.json`  | the local token signing key                           |
 * | `clock.json`                 | the virtual clock's last checkpoint                   |
 */
const markerFile = 'gongdan-data.json';
const lockFile = 'runtime.lock';
/** What a runtime writes; a dir holding only these (e.g. from before the marker existed) is ours. */
const ownEntries = new Set([
  markerFile,
  lockFile,
  'dynamodb',
  'auth',
  'clock.json',
  'clock.json.tmp',
  'attachments',
  'webhooks',
]);
const isOurs = (entries: string[]) => entries.includes(markerFile) || entries.every((e) => ownEntries.has(e));

/**
 * Creates the data dir (or checks an existing one is ours) and returns its absolute path. It holds
 * customers' tickets, attachments and the token signing key, so it is the owner's alone: the dir and
 * every dir in it 0700, every file 0600 (a dir from before this rule is tightened here; new files are
 * written with these modes, DynamoDB Local's under umask 077).
 */
export function prepareDataDir(dir: string): string {
  const path = resolve(dir);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const marker = join(path, markerFile);
  if (!existsSync(marker)) {
    if (!isOurs(readdirSync(path))) {
      throw new Error(`${path} is not empty and is not a Gongdan data dir; choose another --data-dir`);
    }
    writeFileSync(marker, `${JSON.stringify({ createdAt: new Date().toISOString(), format: 1 })}\n`, {
      mode: 0o600,
    });
  }
  ownerOnly(path);
  return path;
}

/** chmod 0700 on `dir` and the dirs in it, 0600 on its files (symbolic links are left alone). */
function ownerOnly(dir: string) {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) ownerOnly(path);
    else if (entry.isFile() && (lstatSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}

/**
 * Wipes a data dir for `--reset`. Refuses a dir that is in use by a running runtime, or that holds
 * files and is not a Gongdan data dir (a mistyped `--data-dir ~` must not delete a home directory).
 */
export function wipeDataDir(dir: string) {
  const path = resolve(dir);
  if (!existsSync(path)) return;
  const entries = readdirSync(path);
  if (entries.length === 0) return;
  if (!isOurs(entries)) {
    throw new Error(`Refusing to reset ${path}: it is not a Gongdan data dir`);
  }
  const owner = lockOwner(path);
  if (owner) throw new Error(`Refusing to reset ${path}: a runtime (pid ${owner}) is using it`);
  for (const entry of entries) rmSync(join(path, entry), { recursive: true, force: true });
}

const heldInProcess = new Set<string>();

/** Claims the data dir for this runtime; throws if another live runtime holds it. */
export function lockDataDir(path: string): () => void {
  const owner = lockOwner(path);
  if (owner || heldInProcess.has(path)) {
    throw new Error(
      `${path} is in use by another Gongdan runtime (pid ${owner ?? process.pid}); use another --data-dir`,
    );
  }
  const file = join(path, lockFile);
  writeFileSync(file, `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`, {
    mode: 0o600,
  });
  heldInProcess.add(path);
  return () => {
    heldInProcess.delete(path);
    rmSync(file, { force: true });
  };
}

/** The pid of another live process holding the lock, if any. */
function lockOwner(path: string): number | undefined {
  const file = join(path, lockFile);
  if (!existsSync(file)) return undefined;
  let pid: number;
  try {
    pid = Number((JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // no such process: the lock is stale
  }
  try {
    // A recycled pid belonging to something else is not a runtime.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('node')) return undefined;
  } catch {
    // No /proc (not Linux): trust the pid.
  }
  return pid;
}
