/**
 * One pull request review per run with the one-click fixes as ```suggestion blocks, on Dockerfile lines
 * inside the PR's diff (GitHub accepts review comments nowhere else). Fixes on other lines go into the
 * sticky comment as a ```diff block instead.
 *
 * A re-run replaces the earlier review: the comments of every earlier Slimgate review for the same key are
 * deleted and its body marked superseded (a COMMENT review cannot be dismissed or deleted), then one new
 * review is created. Only a bot's reviews are touched. A token that cannot review (a fork PR) gets one
 * warning, as the comment does.
 */
import type { Fix, FixPlan } from '../analysis/fixes.js';
import { oneLine } from '../util/errors.js';
import { asSuggestion, unifiedDiff } from '../report/patch.js';
import type { Octokit } from './github-api.js';

export interface ReviewTarget {
  owner: string;
  repo: string;
  pull: number;
  /** The PR head the suggestions were made on. */
  commitId: string;
}

export function reviewMarker(key: string): string {
  return `<!-- slimgate-review:${key.replace(/--/g, '- -').replace(/>/g, '&gt;')} -->`;
}

/** The new-side line numbers that a patch (`pulls.listFiles`' `patch`) shows: added and context lines. */
export function diffLines(patch: string): Set<number> {
  const out = new Set<number>();
  let line = 0;
  for (const l of patch.split('\n')) {
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (h) {
      line = Number(h[1]);
      continue;
    }
    if (line === 0 || l.startsWith('\\')) continue;
    if (l.startsWith('-')) continue;
    out.add(line);
    line++;
  }
  return out;
}

export interface SplitFixes {
  /** Fixes whose every line is in the diff: review suggestions. */
  inDiff: Fix[];
  /** The rest: the ```diff block of the sticky comment. */
  outside: Fix[];
}

export function splitByDiff(plan: FixPlan, lines: ReadonlySet<number>): SplitFixes {
  const out: SplitFixes = { inDiff: [], outside: [] };
  for (const f of plan.fixes) {
    const s = asSuggestion(plan.before, f.edit);
    let all = true;
    for (let l = s.start; l <= s.end; l++) if (!lines.has(l)) all = false;
    (all ? out.inDiff : out.outside).push(f);
  }
  return out;
}

/** A fence longer than any run of backticks in `text`, so that the Dockerfile cannot close it. */
export function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

export function suggestionBody(plan: FixPlan, f: Fix): string {
  const s = asSuggestion(plan.before, f.edit);
  const text = s.lines.join('\n');
  const fc = fence(text);
  return `**Slimgate ${f.rule}**: ${f.title}.\n\n${fc}suggestion\n${text}\n${fc}`;
}

/** The Dockerfile's patch in the PR, or undefined when the PR does not change it. */
async function fetchPatch(octokit: Octokit, t: ReviewTarget, path: string): Promise<string | undefined> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: t.owner,
    repo: t.repo,
    pull_number: t.pull,
    per_page: 100,
  });
  return files.find((f) => f.filename === path)?.patch ?? undefined;
}

interface ListedReview {
  id: number;
  body?: string | null;
  user?: { type?: string } | null;
}

/** Deletes the comments of earlier Slimgate reviews for `key` and marks them superseded. */
async function retireEarlier(octokit: Octokit, t: ReviewTarget, key: string): Promise<number> {
  const marker = reviewMarker(key);
  const reviews = (await octokit.paginate(octokit.rest.pulls.listReviews, {
    owner: t.owner,
    repo: t.repo,
    pull_number: t.pull,
    per_page: 100,
  })) as ListedReview[];
  let retired = 0;
  for (const r of reviews) {
    if (!r.body?.includes(marker) || r.user?.type !== 'Bot') continue;
    const comments = await octokit.paginate(octokit.rest.pulls.listCommentsForReview, {
      owner: t.owner,
      repo: t.repo,
      pull_number: t.pull,
      review_id: r.id,
      per_page: 100,
    });
    for (const c of comments)
      await octokit.rest.pulls.deleteReviewComment({ owner: t.owner, repo: t.repo, comment_id: c.id });
    await octokit.rest.pulls.updateReview({
      owner: t.owner,
      repo: t.repo,
      pull_number: t.pull,
      review_id: r.id,
      body: 'Slimgate: superseded by a later run.',
    });
    retired++;
  }
  return retired;
}

interface PostedReview {
  url: string;
  comments: number;
  retired: number;
}

/** Replaces the earlier review with one holding a suggestion per fix in `inDiff` (none: only retires). */
async function postReview(
  octokit: Octokit,
  t: ReviewTarget,
  key: string,
  path: string,
  plan: FixPlan,
  inDiff: readonly Fix[],
): Promise<PostedReview> {
  const retired = await retireEarlier(octokit, t, key);
  if (!inDiff.length) return { url: '', comments: 0, retired };
  const comments = inDiff.map((f) => {
    const s = asSuggestion(plan.before, f.edit);
    return {
      path,
      body: suggestionBody(plan, f),
      line: s.end,
      side: 'RIGHT' as const,
      ...(s.start < s.end ? { start_line: s.start, start_side: 'RIGHT' as const } : {}),
    };
  });
  const r = await octokit.rest.pulls.createReview({
    owner: t.owner,
    repo: t.repo,
    pull_number: t.pull,
    commit_id: t.commitId,
    event: 'COMMENT',
    body: `Slimgate: ${inDiff.length} one-click fix${inDiff.length === 1 ? '' : 'es'} for \`${path}\`.\n\n${reviewMarker(key)}`,
    comments,
  });
  return { url: r.data.html_url, comments: comments.length, retired };
}

// ------------------------------------------------------------------------------------------ the action's call

export interface Suggestions {
  /** The fixes outside the PR's diff as a unified diff, for the sticky comment ('' when none). */
  outsideDiff: string;
  /** Posts the review (after the comment); warns instead of failing. */
  post(): Promise<void>;
}

/**
 * Plans the fixes for a PR run and splits them by the PR's diff. Undefined when there is nothing to do.
 * `path` is the Dockerfile relative to the repository root, as the PR's files name it.
 */
export async function prepareSuggestions(o: {
  octokit: Octokit | undefined;
  target: ReviewTarget;
  key: string;
  path: string;
  plan: FixPlan;
  warn: (message: string) => void;
  info: (message: string) => void;
  fromFork: boolean;
}): Promise<Suggestions | undefined> {
  const { octokit, target, plan } = o;
  if (!plan.fixes.length && !octokit) return undefined;
  let lines = new Set<number>();
  if (octokit && plan.fixes.length) {
    try {
      const patch = await fetchPatch(octokit, target, o.path);
      if (patch) lines = diffLines(patch);
    } catch (err) {
      o.warn(`Slimgate: could not read the PR's files for suggestions: ${oneLine(err)}`);
    }
  }
  const split = splitByDiff(plan, lines);
  return {
    outsideDiff: split.outside.length
      ? unifiedDiff(
          o.path,
          plan.before,
          split.outside.map((f) => f.edit),
        )
      : '',
    post: async () => {
      if (!octokit) return;
      try {
        const r = await postReview(octokit, target, o.key, o.path, plan, split.inDiff);
        if (r.url) o.info(`PR review with ${r.comments} suggestion(s): ${r.url}`);
        if (r.retired) o.info(`retired ${r.retired} earlier Slimgate review(s)`);
      } catch (err) {
        const status = (err as { status?: number }).status;
        const fork = o.fromFork ? ' (a pull request from a fork gets a read-only token)' : '';
        o.warn(
          status === 403 || status === 404
            ? `Slimgate: this token cannot review #${target.pull}${fork}: the suggestions are not posted`
            : `Slimgate: could not post the suggestions: ${oneLine(err)}`,
        );
      }
    },
  };
}
