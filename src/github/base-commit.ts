/**
 * The base commit's tree, for `baseline: auto` in build mode: the base SHA is fetched (when the checkout is
 * shallow) and checked out in a `git worktree` under a temp directory. The workspace is never touched: no
 * checkout, no stash, no change to HEAD or the index.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { onCancel } from '../util/interrupt.js';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { oneLine } from '../util/errors.js';
import { runProcess } from '../util/subprocess.js';

async function git(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runProcess('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (r.spawnError) return { code: 1, stdout: '', stderr: r.spawnError.message };
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export interface BaseTree {
  /** Where the base commit is checked out. */
  dir: string;
  /** A path of the workspace, mapped into the base tree. */
  map(path: string): string;
  remove(): Promise<void>;
}

/**
 * Checks out `sha` of the repository at `workspace` into a new worktree under `tmp`. Throws an Error with
 * one line (the caller turns it into "no baseline") when git is missing, the workspace is not a
 * repository, or the commit cannot be fetched.
 */
export async function checkoutBase(workspace: string, sha: string, tmp: string): Promise<BaseTree> {
  if (!/^[0-9a-f]{7,64}$/i.test(sha)) throw new Error(`"${sha}" is not a commit SHA`);
  const top = await git(['rev-parse', '--show-toplevel'], workspace);
  if (top.code !== 0)
    throw new Error(`${workspace} is not a git checkout (${oneLine(top.stderr) || 'git failed'})`);
  const root = top.stdout.trim();
  if ((await git(['cat-file', '-e', `${sha}^{commit}`], root)).code !== 0) {
    const f = await git(['fetch', '--no-tags', '--depth=1', 'origin', sha], root);
    if (f.code !== 0)
      throw new Error(`could not fetch the base commit ${sha.slice(0, 12)}: ${oneLine(f.stderr)}`);
  }
  const dir = await mkdtemp(join(tmp, 'slimgate-base-'));
  // A cancelled run removes the directory (the worktree's entry in .git is pruned by the next git gc).
  const forget = onCancel(() => rm(dir, { recursive: true, force: true }));
  const add = await git(['worktree', 'add', '--detach', dir, sha], root);
  if (add.code !== 0) {
    forget();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`git worktree add failed: ${oneLine(add.stderr)}`);
  }
  return {
    dir,
    map(path: string): string {
      const abs = isAbsolute(path) ? path : resolve(workspace, path);
      const rel = relative(root, abs);
      if (rel.startsWith('..')) throw new Error(`${path} is outside the repository`);
      return join(dir, rel);
    },
    async remove(): Promise<void> {
      forget();
      await git(['worktree', 'remove', '--force', dir], root);
      await rm(dir, { recursive: true, force: true });
      await git(['worktree', 'prune'], root);
    },
  };
}
