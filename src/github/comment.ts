/**
 * The sticky PR comment: one comment per comment key, found by its hidden marker and updated in place.
 *
 * PRs often have more than 100 comments, so every page is read. A comment that a person wrote (or quoted
 * the marker in) is never taken over when the bot's own comment exists.
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

/** Prefers the Actions bot's comment, then any bot's, then the oldest match. */
function pick(matches: ListedComment[]): ListedComment | undefined {
  return (
    matches.find((c) => c.user?.login === 'github-actions[bot]') ??
    matches.find((c) => c.user?.type === 'Bot') ??
    matches[0]
  );
}

export async function findComment(
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
  return pick(matches);
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
