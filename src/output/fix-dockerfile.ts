/**
 * `slimgate check … --fix-dockerfile [--write]`: the one-click fixes (src/analysis/fixes.ts) as a unified
 * diff on stdout, or written into the Dockerfile. Why a finding has no fix goes to stderr, one line each.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { proposeFixes, type FixPlan } from '../analysis/fixes.js';
import { InputError, oneLine } from '../util/errors.js';
import { unifiedDiff } from '../report/patch.js';
import type { Report } from '../types/report.js';
import { escapeBlock, escapeControls } from '../util/text.js';

export function planFixes(
  report: Report,
  dockerfile: { path: string; buildArgs?: Record<string, string>; target?: string },
): FixPlan {
  let text: string;
  try {
    text = readFileSync(dockerfile.path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${dockerfile.path}: ${oneLine(err)}`);
  }
  return proposeFixes(text, report, {
    path: dockerfile.path,
    ...(dockerfile.buildArgs ? { buildArgs: dockerfile.buildArgs } : {}),
    ...(dockerfile.target ? { target: dockerfile.target } : {}),
  });
}

/** Prints the diff (or writes the file) and the reasons for findings without a fix. */
export function emitFixes(
  plan: FixPlan,
  write: boolean,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): void {
  // A reason may quote an image path: one escaped line each, so none can start a workflow command.
  for (const s of plan.skipped)
    err.write(
      escapeControls(`slimgate: no fix for ${s.rule}${s.line ? ` (line ${s.line})` : ''}: ${s.reason}`) +
        '\n',
    );
  if (!plan.fixes.length) {
    err.write('slimgate: no fix to suggest for this Dockerfile\n');
    return;
  }
  if (write) {
    try {
      writeFileSync(plan.path, plan.after);
    } catch (e) {
      throw new InputError(`cannot write ${plan.path}: ${oneLine(e)}`);
    }
    for (const f of plan.fixes) err.write(escapeControls(`slimgate: fixed ${f.rule}: ${f.title}`) + '\n');
    return;
  }
  out.write(
    escapeBlock(
      unifiedDiff(
        diffPath(plan.path, process.cwd()),
        plan.before,
        plan.fixes.map((f) => f.edit),
      ),
    ),
  );
}

/**
 * The Dockerfile's path in the diff's `a/` and `b/` headers: relative to the working directory, so that
 * `git apply` and `patch -p1` take the diff there, also when --dockerfile was given as an absolute path.
 * A file outside the working directory keeps its absolute path without the leading slash, as
 * `git diff --no-index` writes it (`a/tmp/Dockerfile`, for `patch -p1` run from the root).
 */
export function diffPath(path: string, cwd: string): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  return (inside ? rel : abs.replace(/^\/+/, '')).split(sep).join('/');
}
