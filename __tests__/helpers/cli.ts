// Runs the bundled CLI (dist/cli.js, what users and the action's runner run) under a given Node binary.
// dist/ must be current: `npm run bundle` (npm test checks it with `npm run check-dist`).
import path from 'node:path';
import { repoRoot, run, type RunResult } from './world.js';

export const distCli = path.join(repoRoot, 'dist', 'cli.js');

export function cli(args: readonly string[], node: string = process.execPath): RunResult {
  // Exactly what a pipeline sees: no debug stack traces, no colours.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.SLIMGATE_DEBUG;
  return run(node, [distCli, ...args], { allowFailure: true, timeout: 120_000, env });
}

/** The lines of stderr ([] when it is empty). */
export function stderrLines(r: RunResult): string[] {
  const text = r.stderr.replace(/\n$/, '');
  return text === '' ? [] : text.split('\n');
}
