// Vitest global setup: starts the test world (scripts/test-world.sh) before the tests and stops it after.
//
// The world is shared through leases: a run that finds the world already running (started by hand, or by
// another Vitest run in the same checkout) uses it and leaves it running. The last run to finish stops it
// if a test run started it.
//
//   SLIMGATE_KEEP_WORLD=1  leave the world running after the tests (faster reruns)
//   SLIMGATE_NO_WORLD=1    do not touch the world at all (e.g. for unit tests only)
//   SLIMGATE_WORLD_DIR     state dir (default <repo>/.test-world)
import { spawnSync } from 'node:child_process';
import { node24, world, worldScript } from './world.js';

const lease = String(process.pid);

function script(args: string[]): string {
  const r = spawnSync('bash', [worldScript, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`scripts/test-world.sh ${args.join(' ')} failed (status ${r.status}):\n${r.stderr}`);
  }
  return r.stdout.trim();
}

export function setup(): void {
  if (process.env.SLIMGATE_NO_WORLD === '1') return;
  const state = script(['acquire', lease]);
  const w = world();
  // Workers are forked after this, so they inherit these.
  process.env.DOCKER_HOST = w.dockerHost;
  process.env.SLIMGATE_REGISTRY = w.registry;
  process.env.SLIMGATE_WORLD_DIR = w.dir;
  console.log(`test world ${state}: DOCKER_HOST=${w.dockerHost} SLIMGATE_REGISTRY=${w.registry}`);
  // Resolve Node 24 once here, so that parallel workers do not all run `npm exec` at the same time.
  try {
    node24();
  } catch (e) {
    console.warn(`could not obtain Node 24 (tests that need it will fail): ${(e as Error).message}`);
  }
}

export function teardown(): void {
  if (process.env.SLIMGATE_NO_WORLD === '1') return;
  const r = spawnSync('bash', [worldScript, 'release', lease], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) console.warn(`scripts/test-world.sh release failed:\n${r.stderr}`);
}
