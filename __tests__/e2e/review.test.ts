// End to end: the one-click fixes as a pull request review, on the bundled action (dist/index.js) against
// the GitHub REST double, which validates every call (pulls.createReview with comments, line and side
// included) against GitHub's OpenAPI description and, like GitHub, refuses review comments outside the
// PR's diff. dist/ must be current: `npm run bundle`.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { runAction, webhookExample, type ActionRun } from '../helpers/github-action.js';
import { node24, repoRoot } from '../helpers/world.js';

const PR_IMAGE = path.join(repoRoot, 'examples', 'busybox-os.tar'); // no USER: SG320
const REPO = 'Codertocat/Hello-World';
const DOCKERFILE =
  'FROM busybox:1.36\nCOPY helper /usr/local/bin/helper\nRUN chmod u+s /usr/local/bin/helper\nCMD ["/bin/sh"]\n';
/** The PR adds the whole Dockerfile: every line is in the diff. */
const WHOLE =
  '@@ -0,0 +1,4 @@\n' +
  DOCKERFILE.trimEnd()
    .split('\n')
    .map((l) => `+${l}`)
    .join('\n');
/** The PR changes only the first line: line 4 (where USER goes) is outside the diff. */
const FIRST_LINE =
  '@@ -1,2 +1,2 @@\n-FROM busybox:1.35\n+FROM busybox:1.36\n COPY helper /usr/local/bin/helper';

describe('the one-click fixes as a PR review', () => {
  let api: GitHubApi;
  let payload: Record<string, unknown>;
  let pr: number;
  beforeEach(async () => {
    api = await startGitHubApi();
    payload = webhookExample('pull_request', 'opened');
    pr = payload['number'] as number;
  });
  afterEach(async () => {
    await api.stop();
    expect(api.violations).toEqual([]);
  });

  const run = (inputs: Record<string, string> = {}): Promise<ActionRun> =>
    runAction({
      node: node24(),
      api,
      event: 'pull_request',
      payload,
      inputs: { image: PR_IMAGE, dockerfile: 'docker/Dockerfile', ...inputs },
      files: { 'docker/Dockerfile': DOCKERFILE },
    });
  const setDiff = (patch: string): void => {
    const head = (payload['pull_request'] as { head: { sha: string } }).head.sha;
    api.setPull(REPO, pr, { headSha: head, labels: [], files: [{ filename: 'docker/Dockerfile', patch }] });
  };
  const sticky = () => api.issueComments(REPO, pr).find((c) => c.body.includes('<!-- slimgate-comment:'))!;

  it('a line in the diff gets a suggestion in one review; the comment has no diff block', async () => {
    setDiff(WHOLE);
    const r = await run();
    expect(r.status).toBe(1); // the verdict is unchanged
    const reviews = api.pullReviews(REPO, pr);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.state).toBe('COMMENTED');
    expect(reviews[0]!.comments).toEqual([
      expect.objectContaining({
        path: 'docker/Dockerfile',
        line: 4,
        side: 'RIGHT',
        start_line: null,
        body: expect.stringContaining('```suggestion\nUSER 65532:65532\nCMD ["/bin/sh"]\n```'),
      }),
    ]);
    const create = api.requests.find((q) => q.operation === 'pulls/create-review')!;
    expect(create.body).toMatchObject({
      event: 'COMMENT',
      commit_id: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(sticky().body).not.toContain('```diff');
  }, 120_000);

  it('a line outside the diff goes into the sticky comment as a diff block, and no review is posted', async () => {
    setDiff(FIRST_LINE);
    const r = await run();
    expect(r.status).toBe(1);
    expect(api.pullReviews(REPO, pr)).toEqual([]);
    expect(api.requests.some((q) => q.operation === 'pulls/create-review')).toBe(false);
    const body = sticky().body;
    expect(body).toContain('**Suggested changes to the Dockerfile**');
    expect(body).toMatch(
      /```diff\n--- a\/docker\/Dockerfile\n\+\+\+ b\/docker\/Dockerfile\n@@ [^\n]+\n[\s\S]*\n\+USER 65532:65532\n/,
    );
  }, 120_000);

  it('a re-run replaces its review: one set of suggestions, the earlier review emptied and marked', async () => {
    setDiff(WHOLE);
    await run();
    await run();
    const reviews = api.pullReviews(REPO, pr);
    expect(reviews).toHaveLength(2);
    expect(reviews[0]!.comments).toEqual([]);
    expect(reviews[0]!.body).toBe('Slimgate: superseded by a later run.');
    expect(reviews[1]!.comments).toHaveLength(1);
    expect(reviews.flatMap((x) => x.comments)).toHaveLength(1);
  }, 240_000);

  it('a fork token that cannot review degrades to a warning; the verdict and summary stand', async () => {
    setDiff(WHOLE);
    api.readOnly = true;
    const r = await run();
    expect(r.status).toBe(1);
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(/cannot review #\d+/);
    expect(r.summary.length).toBeGreaterThan(0);
    expect(api.pullReviews(REPO, pr)).toEqual([]);
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  }, 120_000);

  it('suggestions: false, or comment: false (the fork-safe read-only run), posts no review and no diff block', async () => {
    setDiff(WHOLE);
    await run({ suggestions: 'false' });
    expect(api.requests.some((q) => q.operation?.startsWith('pulls/') && q.operation !== 'pulls/get')).toBe(
      false,
    );
    expect(sticky().body).not.toContain('```diff');
    await run({ comment: 'false' });
    expect(api.requests.some((q) => q.operation?.startsWith('pulls/') && q.operation !== 'pulls/get')).toBe(
      false,
    );
  }, 240_000);
});
