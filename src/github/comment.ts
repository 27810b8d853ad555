/**
 * The sticky PR comment: one comment per comment key, found by its hidden marker and updated in place.
 *
 * PRs often have more than 100 comments, so every page is read. Only a bot's comment is ever updated: a
 * comment that a person wrote (or quoted the marker in) is never taken over; without a bot's comment a new
 * one is created.
 *
 * GitHub under load: the client (github-api.ts) retries every call with a bound and gives them all one
 * deadline; here a 401, 403 or 404 after that is CommentForbidden. A comment deleted between the listing and the update is created again. Two runs for the same PR that start
 * together may both create one: after creating, the run lists again and keeps only the oldest of its own.
 */
import { statusOf, type Octokit } from './github-api.js';

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

/** A call that may not read or write: 401, 403 or 404 (after the retries a rate limit gets). */
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

/** Every comment of the PR that carries the marker, in the order GitHub lists them (oldest first). */
async function listMarked(octokit: Octokit, t: CommentTarget, marker: string): Promise<ListedComment[]> {
  return guarded(`listing the comments of #${t.issueNumber}`, async () => {
    const matches: ListedComment[] = [];
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      owner: t.owner,
      repo: t.repo,
      issue_number: t.issueNumber,
      per_page: 100,
    });
    for await (const page of pages) for (const c of page.data) if (c.body?.includes(marker)) matches.push(c);
    return matches;
  });
}

async function findComment(
  octokit: Octokit,
  t: CommentTarget,
  marker: string,
): Promise<ListedComment | undefined> {
  const matches = await listMarked(octokit, t, marker);
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
    try {
      const r = await guarded(`updating comment ${existing.id}`, () =>
        octokit.rest.issues.updateComment({
          owner: t.owner,
          repo: t.repo,
          comment_id: existing.id,
          body,
        }),
      );
      return { id: r.data.id, url: r.data.html_url, action: 'updated' };
    } catch (err) {
      // Deleted since it was listed: a new one takes its place.
      if (!(err instanceof CommentForbidden && err.status === 404)) throw err;
    }
  }
  const r = await guarded(`commenting on #${t.issueNumber}`, () =>
    octokit.rest.issues.createComment({
      owner: t.owner,
      repo: t.repo,
      issue_number: t.issueNumber,
      body,
    }),
  );
  const created = { id: r.data.id, url: r.data.html_url, action: 'created' as const };
  return (await keepOne(octokit, t, marker, body, r.data.user?.login, created)) ?? created;
}

/**
 * Two runs that started together may each have created a comment. The oldest of this identity's comments
 * with the marker stays (both runs agree on which), with this run's body; the others are deleted.
 */
async function keepOne(
  octokit: Octokit,
  t: CommentTarget,
  marker: string,
  body: string,
  login: string | undefined,
  created: PostedComment,
): Promise<PostedComment | undefined> {
  if (!login) return undefined;
  const mine = (await listMarked(octokit, t, marker)).filter((c) => c.user?.login === login);
  const [oldest, ...others] = [...mine].sort((a, b) => a.id - b.id);
  if (!oldest || !others.length) return undefined;
  for (const c of others)
    await guarded(`deleting the duplicate comment ${c.id}`, () =>
      octokit.rest.issues.deleteComment({
        owner: t.owner,
        repo: t.repo,
        comment_id: c.id,
      }),
    ).catch((err: unknown) => {
      // The other run deleted it first.
      if (!(err instanceof CommentForbidden && err.status === 404)) throw err;
    });
  if (oldest.id === created.id) return created;
  if (oldest.body !== body)
    await guarded(`updating comment ${oldest.id}`, () =>
      octokit.rest.issues.updateComment({
        owner: t.owner,
        repo: t.repo,
        comment_id: oldest.id,
        body,
      }),
    );
  return { id: oldest.id, url: oldest.html_url, action: 'updated' };
}
