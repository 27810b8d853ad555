/**
 * The sticky PR comment: one comment per comment key, found by its hidden marker and updated in place.
 *
 * PRs often have more than 100 comments, so every page is read. Only a bot's comment is ever updated: a
 * comment that a person wrote (or quoted the marker in) is never taken over; without a bot's comment a new
 * one is created.
 */
import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface PostedComment {
  id: number;
  url: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** The token may not read or write the PR's comments: a fork PR's read-only token, or missing permissions. */
export class CommentForbidden extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'CommentForbidden';
  }
}

interface ListedComment {
  id: number;
  html_url: string;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

async function guarded<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    const status = statusOf(err);
    if (status === 401 || status === 403 || status === 404) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new CommentForbidden(`${what}: HTTP ${status} ${msg}`, status);
    }
    throw err;
  }
}

/**
 * The Actions bot's comment, else any bot's (a GitHub App token), else none: anyone can paste the marker,
 * and updating a person's comment would overwrite their words (or fail with 403 under a PAT).
 */
function pick(matches: ListedComment[]): ListedComment | undefined {
  return (
    matches.find((c) => c.user?.login === 'github-actions[bot]') ??
    matches.find((c) => c.user?.type === 'Bot')
  );
}

async function findComment(
  octokit: Octokit,
  t: CommentTarget,
  marker: string,
): Promise<ListedComment | undefined> {
  const matches: ListedComment[] = [];
  await guarded(`listing the comments of #${t.issueNumber}`, async () => {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      owner: t.owner,
      repo: t.repo,
      issue_number: t.issueNumber,
      per_page: 100,
    });
    for await (const page of pages) for (const c of page.data) if (c.body?.includes(marker)) matches.push(c);
  });
  const bot = pick(matches);
  if (bot || !matches.length) return bot;
  // A personal access token posts as its owner, not as a bot: that user's own comment is ours to update,
  // never another person's. GITHUB_TOKEN cannot read /user, and then there is nothing to reuse.
  const login = await octokit.rest.users.getAuthenticated().then(
    (r) => r.data.login,
    () => undefined,
  );
  return login ? matches.find((c) => c.user?.login === login && c.user?.type !== 'Bot') : undefined;
}

/** Creates the comment, or updates the one that carries the marker (left alone when it is already current). */
export async function upsertComment(
  octokit: Octokit,
  t: CommentTarget,
  marker: string,
  body: string,
): Promise<PostedComment> {
  const existing = await findComment(octokit, t, marker);
  if (existing) {
    if (existing.body === body) return { id: existing.id, url: existing.html_url, action: 'unchanged' };
    const r = await guarded(`updating comment ${existing.id}`, () =>
      octokit.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: existing.id, body }),
    );
    return { id: r.data.id, url: r.data.html_url, action: 'updated' };
  }
  const r = await guarded(`commenting on #${t.issueNumber}`, () =>
    octokit.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.issueNumber, body }),
  );
  return { id: r.data.id, url: r.data.html_url, action: 'created' };
}
