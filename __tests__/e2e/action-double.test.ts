// The GitHub REST double checks itself: it must catch requests that GitHub's OpenAPI description
// rejects, and behave as GitHub does where the action relies on it (pagination, 401, 403, 422).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';

const REPO = 'octo-org/octo-repo';

describe('the GitHub REST double', () => {
  let api: GitHubApi;
  const call = (method: string, path: string, body?: unknown, token = api.token): Promise<Response> =>
    fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeEach(async () => {
    api = await startGitHubApi();
  });
  afterEach(async () => {
    await api.stop();
  });

  it('accepts valid requests and validates its own responses against the schema', async () => {
    const r = await call('POST', `/repos/${REPO}/issues/2/comments`, { body: 'hello' });
    expect(r.status).toBe(201);
    const c = (await r.json()) as { id: number; body: string; user: { login: string } };
    expect(c).toMatchObject({ body: 'hello', user: { login: 'github-actions[bot]' } });
    const u = await call('PATCH', `/repos/${REPO}/issues/comments/${c.id}`, { body: 'again' });
    expect(u.status).toBe(200);
    expect(api.issueComments(REPO, 2).map((x) => x.body)).toEqual(['again']);
    expect(api.violations).toEqual([]);
  });

  it.each([
    [
      'a body that misses a required field',
      'POST',
      `/repos/${REPO}/issues/2/comments`,
      { text: 'x' },
      /request body: .*body/,
    ],
    [
      'a body of the wrong type',
      'POST',
      `/repos/${REPO}/issues/2/comments`,
      { body: 42 },
      /request body: .*must be string/,
    ],
    [
      'a path that is not an operation',
      'GET',
      `/repos/${REPO}/issues/2/commentz`,
      undefined,
      /is not an operation/,
    ],
    [
      'a method the path does not have',
      'PUT',
      `/repos/${REPO}/issues/2/comments`,
      { body: 'x' },
      /is not an operation/,
    ],
    [
      'an unknown query parameter',
      'GET',
      `/repos/${REPO}/issues/2/comments?sort=asc`,
      undefined,
      /unknown query parameter sort/,
    ],
    [
      'a query parameter of the wrong type',
      'GET',
      `/repos/${REPO}/issues/2/comments?per_page=lots`,
      undefined,
      /per_page=lots/,
    ],
    [
      'a path parameter of the wrong type',
      'GET',
      `/repos/${REPO}/issues/two/comments`,
      undefined,
      /issue_number=two/,
    ],
  ])('records a violation for %s', async (_name, method, path, body, want) => {
    await call(method, path, body);
    expect(api.violations.join('\n')).toMatch(want);
  });

  it('pages with Link headers as GitHub does (per_page max 100)', async () => {
    for (let i = 0; i < 250; i++) api.seedComment(REPO, 7, `c${i}`);
    const r1 = await call('GET', `/repos/${REPO}/issues/7/comments?per_page=100`);
    expect(((await r1.json()) as unknown[]).length).toBe(100);
    const link = r1.headers.get('link')!;
    expect(link).toContain(`<${api.url}/repos/${REPO}/issues/7/comments?per_page=100&page=2>; rel="next"`);
    expect(link).toContain('page=3>; rel="last"');
    const r3 = await call('GET', `/repos/${REPO}/issues/7/comments?per_page=100&page=3`);
    expect(((await r3.json()) as { body: string }[]).map((c) => c.body).slice(-1)).toEqual(['c249']);
    expect(r3.headers.get('link')).not.toContain('rel="next"');
    const dflt = await call('GET', `/repos/${REPO}/issues/7/comments`);
    expect(((await dflt.json()) as unknown[]).length).toBe(30);
    expect(api.violations).toEqual([]);
  });

  it('answers 401 to a bad token, 403 to writes with a read-only token, 422 to a body over 65,536', async () => {
    expect((await call('GET', `/repos/${REPO}/issues/2/comments`, undefined, 'nope')).status).toBe(401);
    expect(
      (await call('POST', `/repos/${REPO}/issues/2/comments`, { body: 'x'.repeat(65_537) })).status,
    ).toBe(422);
    expect(
      (await call('POST', `/repos/${REPO}/issues/2/comments`, { body: 'x'.repeat(65_536) })).status,
    ).toBe(201);
    api.readOnly = true;
    const r = await call('POST', `/repos/${REPO}/issues/2/comments`, { body: 'x' });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { message: string }).message).toBe('Resource not accessible by integration');
    expect((await call('GET', `/repos/${REPO}/issues/2/comments`)).status).toBe(200);
    expect(api.violations).toEqual([]);
  });
});
