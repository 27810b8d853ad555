/**
 * A cancelled run (the runner's SIGINT then SIGTERM, or Ctrl-C) stops what it started and removes its temp
 * files before it exits: every program still running (docker save, buildx, git) is stopped, and every
 * registered clean-up (a build's output directory, the base commit's worktree, a half-written cache
 * entry) runs, within a bound, so that the runner never has to kill the process.
 */
import { stopChildren } from './subprocess.js';

type Cleanup = () => Promise<unknown> | unknown;

const cleanups = new Set<Cleanup>();

/** Runs `fn` if the run is cancelled before the returned function is called (the normal clean-up path). */
export function onCancel(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** How long the clean-ups may take: GitHub sends SIGKILL 7.5 s after SIGINT. */
const CLEANUP_MS = 5_000;

let cancelling = false;

/** The run is being cancelled: what fails now failed because of it, and says nothing more. */
export function cancelled(): boolean {
  return cancelling;
}

/**
 * Stops the children, runs the clean-ups (at most CLEANUP_MS) and exits with `code`. Returns the promise of
 * that work, for tests; a second signal while it runs changes nothing.
 */
async function cancelRun(say: (line: string) => void, signal: string, code = 1): Promise<void> {
  if (cancelling) return;
  cancelling = true;
  const stopped = stopChildren();
  say(`cancelled (${signal}): stopped ${stopped} program${stopped === 1 ? '' : 's'}, removing temp files`);
  const all = Promise.allSettled([...cleanups].map(async (f) => f()));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, CLEANUP_MS)))]);
  clearTimeout(timer);
  process.exit(code);
}

/** SIGINT and SIGTERM cancel the run; `say` prints the one line that says so. */
export function cancelOnSignals(say: (line: string) => void, code = 1): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      void cancelRun(say, signal, code);
    });
}
