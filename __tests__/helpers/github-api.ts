// A stateful double of GitHub's REST API, for the end-to-end tests of the action (dist/index.js).
//
// GitHub's API cannot run here, so this is the one mock in the tests, and it keeps itself honest:
// - every request's method and path must be an operation in GitHub's own OpenAPI description
//   (@octokit/openapi), and its path and query parameters and JSON body must validate against it;
// - every response the double sends must validate against the operation's response schema too, so the
//   action is tested against the shapes GitHub really sends;
// - anything else is recorded in `violations`, which every test expects to be empty.
//
// State: issue comments per repository and issue, and pull requests. It behaves as GitHub does where the
// action depends on it: pagination with Link headers (per_page default 30, max 100), 401 on a bad token,
// 403 "Resource not accessible by integration" on writes with a read-only token (a fork PR), and 422 for a
// comment body over 65,536 characters.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterEach, beforeEach, expect } from 'vitest';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

interface Operation {
  id: string;
  method: string;
  template: string;
  regex: RegExp;
  literal: number;
  names: string[];
  params: { name: string; in: string; required: boolean; schema: Json }[];
  body: Json | undefined;
  responses: Record<string, Json | undefined>;
}

interface Spec {
  ajv: Ajv;
  ops: Operation[];
  validators: Map<string, ValidateFunction>;
}

let spec: Spec | undefined;

function deref(doc: Json, v: unknown): Json {
  let o = v as Json;
  while (o && typeof o['$ref'] === 'string') {
    const path = (o['$ref'] as string).replace(/^#\//, '').split('/');
    o = path.reduce<Json>((acc, k) => acc[k] as Json, doc);
  }
  return o;
}

/**
 * OpenAPI 3.0's `nullable: true` beside `anyOf` and no `type` (the dependency graph's metadata values) is
 * null or one of the alternatives; ajv refuses `nullable` without `type`, so it is written out as such.
 */
function typelessNullable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(typelessNullable);
  if (!v || typeof v !== 'object') return v;
  const o = Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, typelessNullable(x)])) as Json;
  if (o['nullable'] !== true || 'type' in o || !Array.isArray(o['anyOf'])) return o;
  const { nullable: _, anyOf, ...rest } = o;
  return { ...rest, anyOf: [...(anyOf as unknown[]), { type: 'null' }] };
}

function loadSpec(): Spec {
  if (spec) return spec;
  const doc = require('@octokit/openapi/generated/api.github.com.json') as Json;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, allowUnionTypes: true });
  for (const f of ['date-time', 'date', 'uri', 'uri-template', 'email', 'binary', 'repo.nwo', 'timestamp'])
    ajv.addFormat(f, true);
  for (const f of ['int32', 'int64', 'double']) ajv.addFormat(f, { type: 'number', validate: () => true });
  ajv.addSchema({ components: typelessNullable(doc['components']) }, 'gh');
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc['paths'] as Record<string, Json>)) {
    const names: string[] = [];
    const regex = new RegExp(
      '^' +
        template
          .replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`))
          .replace(/\{([^}]+)\}/g, (_, n: string) => {
            names.push(n);
            return '([^/]+)';
          }) +
        '$',
    );
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const params = ((op['parameters'] as unknown[]) ?? []).map((p) => {
        const d = deref(doc, p);
        return {
          name: d['name'] as string,
          in: d['in'] as string,
          required: d['required'] === true,
          schema: (d['schema'] as Json) ?? {},
        };
      });
      const rb = deref(doc, op['requestBody']);
      const body = ((rb?.['content'] as Json | undefined)?.['application/json'] as Json | undefined)?.[
        'schema'
      ] as Json | undefined;
      const responses: Record<string, Json | undefined> = {};
      for (const [status, r] of Object.entries((op['responses'] as Json) ?? {})) {
        const resp = deref(doc, r);
        responses[status] = (
          (resp?.['content'] as Json | undefined)?.['application/json'] as Json | undefined
        )?.['schema'] as Json | undefined;
      }
      ops.push({
        id: op['operationId'] as string,
        method: method.toUpperCase(),
        template,
        regex,
        literal: template.replace(/\{[^}]+\}/g, '').length,
        names,
        params,
        body,
        responses,
      });
    }
  }
  spec = { ajv, ops, validators: new Map() };
  return spec;
}

/** Schemas in the spec use `#/components/…` refs; compiled against the registered `gh` document. */
function validator(s: Spec, key: string, schema: Json): ValidateFunction {
  let v = s.validators.get(key);
  if (!v) {
    const rewritten = JSON.parse(
      JSON.stringify(schema).replace(/"#\/components\//g, '"gh#/components/'),
    ) as Json;
    v = s.ajv.compile(rewritten);
    s.validators.set(key, v);
  }
  return v;
}

function coerce(value: string, schema: Json): unknown {
  const t = schema['type'];
  if ((t === 'integer' || t === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (t === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  operation: string | undefined;
  body: unknown;
  authorization: string | undefined;
  status: number;
}

export interface StoredComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: Json;
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface StoredPull {
  headSha: string;
  labels: string[];
  /** The PR's changed files (pulls.listFiles), with their patches. */
  files?: { filename: string; patch?: string }[];
}

export interface StoredReviewComment {
  id: number;
  path: string;
  body: string;
  line: number;
  start_line: number | null;
  side: string;
}

export interface StoredReview {
  id: number;
  body: string;
  state: string;
  commit_id: string;
  user: Json;
  comments: StoredReviewComment[];
}

/**
 * What the double answers instead, for the action's fault tests: an error status (with headers such as
 * `retry-after`), a delay, no answer at all, or something done first (a comment deleted) before the normal
 * answer.
 */
export interface Fault {
  status?: number;
  headers?: Record<string, string>;
  message?: string;
  delayMs?: number;
  /** The normal answer is computed now and sent this much later (two clients that both read the old state). */
  holdMs?: number;
  /** Never answer (the connection is closed when the double stops). */
  hang?: boolean;
  /** Runs before the normal answer, e.g. deleting the comment about to be updated. */
  before?: () => void;
}

export interface GitHubApiOptions {
  /** The token the API accepts (default: a fresh random one). */
  token?: string;
  /** Writes answer 403, as with the read-only token of a fork PR. */
  readOnly?: boolean;
}

function user(login: string, id: number, type: 'User' | 'Bot'): Json {
  const api = 'https://api.github.com/users/' + encodeURIComponent(login);
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    site_admin: false,
  };
}

const BOT = user('github-actions[bot]', 41898282, 'Bot');
export const HUMAN = user('octocat', 583231, 'User');
export const OTHER_HUMAN = user('hubot', 4827, 'User');

export class GitHubApi {
  readonly token: string;
  readOnly: boolean;
  /**
   * Who the token is. Unset: GITHUB_TOKEN, which posts as github-actions[bot] and cannot read /user.
   * Set: a personal access token, which posts as this user.
   */
  viewer: Json | undefined;
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** `owner/repo#number` → comments, oldest first. */
  readonly comments = new Map<string, StoredComment[]>();
  /** `owner/repo#number` → pull request. */
  readonly pulls = new Map<string, StoredPull>();
  /** `owner/repo#number` → reviews, oldest first. */
  readonly reviews = new Map<string, StoredReview[]>();
  /** `owner/repo` → dependency snapshots submitted, oldest first (GitHub keeps the latest per correlator). */
  readonly snapshots = new Map<string, Json[]>();
  /** Faults by operation id (`issues/create-comment`), used in order, each for its count of requests. */
  private readonly faults = new Map<string, { fault: Fault; times: number }[]>();
  private server: Server | undefined;
  private nextId = 1_000_001;
  private clock = Date.parse('2024-05-01T12:00:00Z');
  url = '';

  constructor(opts: GitHubApiOptions = {}) {
    this.token = opts.token ?? `ghs_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}SECRET`;
    this.readOnly = opts.readOnly ?? false;
    this.viewer = undefined;
    loadSpec();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        this.violations.push(`double crashed on ${req.method} ${req.url}: ${(err as Error).stack}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    // A hanging fault keeps its connection open: close them all.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` requests to operation `op` get `fault` (Infinity: every one). */
  inject(op: string, fault: Fault, times = 1): void {
    const list = this.faults.get(op) ?? [];
    list.push({ fault, times });
    this.faults.set(op, list);
  }

  /** Removes every fault not used up yet. */
  clearFaults(): void {
    this.faults.clear();
  }

  private nextFault(op: string): Fault | undefined {
    const list = this.faults.get(op);
    const head = list?.[0];
    if (!list || !head) return undefined;
    if (--head.times <= 0) list.shift();
    return head.fault;
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  /** Comments on an issue or PR: `issueComments('o/r', 2)`. */
  issueComments(repo: string, issue: number): StoredComment[] {
    const k = `${repo}#${issue}`;
    let list = this.comments.get(k);
    if (!list) this.comments.set(k, (list = []));
    return list;
  }

  /** Adds a comment as someone else (to fill pages, or to quote the marker). */
  seedComment(repo: string, issue: number, body: string, author: Json = HUMAN): StoredComment {
    const id = this.nextId++;
    const t = this.now();
    const c: StoredComment = {
      id,
      node_id: `IC_kwDOA${id}`,
      url: `${this.url}/repos/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${this.url}/repos/${repo}/issues/${issue}`,
      body,
      user: author,
      created_at: t,
      updated_at: t,
      author_association: author['type'] === 'Bot' ? 'NONE' : 'MEMBER',
    };
    this.issueComments(repo, issue).push(c);
    return c;
  }

  pullReviews(repo: string, pull: number): StoredReview[] {
    const k = `${repo}#${pull}`;
    let list = this.reviews.get(k);
    if (!list) this.reviews.set(k, (list = []));
    return list;
  }

  private reviewJson(repo: string, pull: number, r: StoredReview): Json {
    const html = `https://github.com/${repo}/pull/${pull}#pullrequestreview-${r.id}`;
    const pr = `${this.url}/repos/${repo}/pulls/${pull}`;
    return {
      id: r.id,
      node_id: `PRR_${r.id}`,
      user: r.user,
      body: r.body,
      state: r.state,
      html_url: html,
      pull_request_url: pr,
      _links: { html: { href: html }, pull_request: { href: pr } },
      submitted_at: '2024-05-01T12:00:00Z',
      commit_id: r.commit_id,
      author_association: r.user['type'] === 'Bot' ? 'NONE' : 'MEMBER',
    };
  }

  private reviewCommentJson(repo: string, pull: number, r: StoredReview, c: StoredReviewComment): Json {
    const url = `${this.url}/repos/${repo}/pulls/comments/${c.id}`;
    const html = `https://github.com/${repo}/pull/${pull}#discussion_r${c.id}`;
    const pr = `${this.url}/repos/${repo}/pulls/${pull}`;
    return {
      url,
      pull_request_review_id: r.id,
      id: c.id,
      node_id: `PRRC_${c.id}`,
      diff_hunk: '@@ -1 +1 @@',
      path: c.path,
      position: 1,
      original_position: 1,
      commit_id: r.commit_id,
      original_commit_id: r.commit_id,
      user: r.user,
      body: c.body,
      created_at: '2024-05-01T12:00:00Z',
      updated_at: '2024-05-01T12:00:00Z',
      html_url: html,
      pull_request_url: pr,
      author_association: r.user['type'] === 'Bot' ? 'NONE' : 'MEMBER',
      _links: { self: { href: url }, html: { href: html }, pull_request: { href: pr } },
      line: c.line,
      side: c.side,
      start_line: c.start_line,
    };
  }

  setPull(repo: string, number: number, pull: StoredPull): void {
    this.pulls.set(`${repo}#${number}`, pull);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const query = Object.fromEntries(u.searchParams);
    let hold = 0;
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query,
      operation: undefined,
      body: undefined,
      authorization: req.headers.authorization,
      status: 0,
    };
    this.requests.push(rec);
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      op?: Operation,
    ): void => {
      rec.status = status;
      if (op && body !== undefined) {
        const schema = op.responses[String(status)];
        if (schema) {
          const v = validator(loadSpec(), `${op.id}:${status}`, schema);
          if (!v(body))
            this.violations.push(
              `double's ${status} response to ${op.id} breaks the schema: ${loadSpec().ajv.errorsText(v.errors)}`,
            );
        }
      }
      const text = body === undefined ? '' : JSON.stringify(body);
      const write = (): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(text);
      };
      if (hold) setTimeout(write, hold);
      else write();
    };
    const fail = (status: number, message: string, op?: Operation): void =>
      send(
        status,
        { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
        {},
        op,
      );

    const s = loadSpec();
    const candidates = s.ops
      .filter((o) => o.method === rec.method && o.regex.test(u.pathname))
      .sort((a, b) => b.literal - a.literal);
    const op = candidates[0];
    if (!op) {
      this.violations.push(`${rec.method} ${u.pathname} is not an operation in GitHub's OpenAPI description`);
      return fail(404, 'Not Found');
    }
    rec.operation = op.id;
    const m = op.regex.exec(u.pathname)!;
    const pathParams: Record<string, string> = {};
    op.names.forEach((n, i) => (pathParams[n] = decodeURIComponent(m[i + 1]!)));
    for (const p of op.params) {
      const value = p.in === 'path' ? pathParams[p.name] : p.in === 'query' ? query[p.name] : undefined;
      if (p.in !== 'path' && p.in !== 'query') continue;
      if (value === undefined) {
        if (p.required) this.violations.push(`${op.id}: missing required ${p.in} parameter ${p.name}`);
        continue;
      }
      const v = validator(s, `${op.id}:param:${p.name}`, p.schema);
      if (!v(coerce(value, p.schema)))
        this.violations.push(`${op.id}: ${p.in} parameter ${p.name}=${value}: ${s.ajv.errorsText(v.errors)}`);
    }
    for (const k of Object.keys(query))
      if (!op.params.some((p) => p.in === 'query' && p.name === k))
        this.violations.push(`${op.id}: unknown query parameter ${k}`);
    if (raw) {
      try {
        rec.body = JSON.parse(raw);
      } catch {
        this.violations.push(`${op.id}: the body is not JSON`);
      }
    }
    if (op.body) {
      const v = validator(s, `${op.id}:body`, op.body);
      if (!v(rec.body)) this.violations.push(`${op.id}: request body: ${s.ajv.errorsText(v.errors)}`);
    } else if (raw) this.violations.push(`${op.id}: takes no body`);

    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}` && auth !== `bearer ${this.token}`)
      return fail(401, 'Bad credentials', op);
    if (this.readOnly && rec.method !== 'GET') return fail(403, 'Resource not accessible by integration', op);

    const fault = this.nextFault(op.id);
    if (fault?.hang) return;
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    fault?.before?.();
    hold = fault?.holdMs ?? 0;
    if (fault?.status)
      return send(
        fault.status,
        {
          message: fault.message ?? 'Injected fault',
          documentation_url: 'https://docs.github.com/rest',
          status: String(fault.status),
        },
        fault.headers ?? {},
      );

    const repo = `${pathParams['owner']}/${pathParams['repo']}`;
    switch (op.id) {
      case 'issues/list-comments': {
        const list = this.issueComments(repo, Number(pathParams['issue_number']));
        const perPage = Math.min(100, Math.max(1, Number(query['per_page'] ?? 30)));
        const page = Math.max(1, Number(query['page'] ?? 1));
        const last = Math.max(1, Math.ceil(list.length / perPage));
        const link = (p: number): string => {
          const next = new URL(u.pathname, this.url);
          next.searchParams.set('per_page', String(perPage));
          next.searchParams.set('page', String(p));
          return next.toString();
        };
        const links: string[] = [];
        if (page < last) links.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
        if (page > 1) links.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
        return send(
          200,
          list.slice((page - 1) * perPage, page * perPage),
          links.length ? { link: links.join(', ') } : {},
          op,
        );
      }
      case 'issues/create-comment': {
        const body = (rec.body as { body: string }).body;
        if (body.length > 65_536)
          return send(
            422,
            {
              message: 'Validation Failed',
              errors: [
                {
                  resource: 'IssueComment',
                  code: 'custom',
                  field: 'body',
                  message: 'body is too long (maximum is 65536 characters)',
                },
              ],
              documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
              status: '422',
            },
            {},
            op,
          );
        const c = this.seedComment(repo, Number(pathParams['issue_number']), body, this.viewer ?? BOT);
        return send(201, c, { location: c.url }, op);
      }
      case 'issues/update-comment': {
        const id = Number(pathParams['comment_id']);
        const c = [...this.comments.values()].flat().find((x) => x.id === id);
        if (!c) return fail(404, 'Not Found', op);
        const body = (rec.body as { body: string }).body;
        if (body.length > 65_536) return fail(422, 'Validation Failed', op);
        c.body = body;
        c.updated_at = this.now();
        return send(200, c, {}, op);
      }
      case 'issues/delete-comment': {
        const id = Number(pathParams['comment_id']);
        for (const list of this.comments.values()) {
          const i = list.findIndex((x) => x.id === id);
          if (i < 0) continue;
          list.splice(i, 1);
          rec.status = 204;
          res.writeHead(204).end();
          return;
        }
        return fail(404, 'Not Found', op);
      }
      case 'users/get-authenticated': {
        if (!this.viewer) return fail(403, 'Resource not accessible by integration', op);
        const at = '2020-01-01T00:00:00Z';
        return send(
          200,
          {
            ...this.viewer,
            user_view_type: 'public',
            name: null,
            company: null,
            blog: '',
            location: null,
            email: null,
            hireable: null,
            bio: null,
            public_repos: 1,
            public_gists: 0,
            followers: 0,
            following: 0,
            created_at: at,
            updated_at: at,
          },
          {},
          op,
        );
      }
      case 'pulls/get': {
        const n = Number(pathParams['pull_number']);
        const p = this.pulls.get(`${repo}#${n}`);
        if (!p) return fail(404, 'Not Found', op);
        return send(200, this.pullJson(repo, n, p), {}, op);
      }
      case 'pulls/list-files': {
        const n = Number(pathParams['pull_number']);
        const p = this.pulls.get(`${repo}#${n}`);
        if (!p) return fail(404, 'Not Found', op);
        const files = (p.files ?? []).map((f, i) => ({
          sha: `${'0'.repeat(39)}${i}`,
          filename: f.filename,
          status: 'modified',
          additions: 1,
          deletions: 0,
          changes: 1,
          blob_url: `https://github.com/${repo}/blob/${p.headSha}/${f.filename}`,
          raw_url: `https://github.com/${repo}/raw/${p.headSha}/${f.filename}`,
          contents_url: `${this.url}/repos/${repo}/contents/${f.filename}?ref=${p.headSha}`,
          ...(f.patch !== undefined ? { patch: f.patch } : {}),
        }));
        return send(200, files, {}, op);
      }
      case 'pulls/list-reviews': {
        const n = Number(pathParams['pull_number']);
        return send(
          200,
          this.pullReviews(repo, n).map((r) => this.reviewJson(repo, n, r)),
          {},
          op,
        );
      }
      case 'pulls/create-review': {
        const n = Number(pathParams['pull_number']);
        const p = this.pulls.get(`${repo}#${n}`);
        if (!p) return fail(404, 'Not Found', op);
        const b = rec.body as {
          body?: string;
          event?: string;
          commit_id?: string;
          comments?: { path: string; body: string; line?: number; side?: string; start_line?: number }[];
        };
        // GitHub's rule: a review comment's lines must be in the PR's diff of that file.
        for (const c of b.comments ?? []) {
          const patch = p.files?.find((f) => f.filename === c.path)?.patch;
          const ok =
            patch !== undefined &&
            c.line !== undefined &&
            [c.start_line ?? c.line, c.line].every((l) => diffLinesOf(patch).has(l));
          if (!ok) return fail(422, 'Unprocessable Entity: line must be part of the diff', op);
        }
        const r: StoredReview = {
          id: this.nextId++,
          body: b.body ?? '',
          state: b.event === 'COMMENT' ? 'COMMENTED' : 'PENDING',
          commit_id: b.commit_id ?? p.headSha,
          user: this.viewer ?? BOT,
          comments: (b.comments ?? []).map((c) => ({
            id: this.nextId++,
            path: c.path,
            body: c.body,
            line: c.line!,
            start_line: c.start_line ?? null,
            side: c.side ?? 'RIGHT',
          })),
        };
        this.pullReviews(repo, n).push(r);
        return send(200, this.reviewJson(repo, n, r), {}, op);
      }
      case 'pulls/list-comments-for-review': {
        const n = Number(pathParams['pull_number']);
        const r = this.pullReviews(repo, n).find((x) => x.id === Number(pathParams['review_id']));
        if (!r) return fail(404, 'Not Found', op);
        return send(
          200,
          r.comments.map((c) => this.reviewCommentJson(repo, n, r, c)),
          {},
          op,
        );
      }
      case 'pulls/delete-review-comment': {
        const id = Number(pathParams['comment_id']);
        for (const list of this.reviews.values())
          for (const r of list) {
            const i = r.comments.findIndex((c) => c.id === id);
            if (i >= 0) {
              r.comments.splice(i, 1);
              rec.status = 204;
              res.writeHead(204).end();
              return;
            }
          }
        return fail(404, 'Not Found', op);
      }
      case 'pulls/update-review': {
        const n = Number(pathParams['pull_number']);
        const r = this.pullReviews(repo, n).find((x) => x.id === Number(pathParams['review_id']));
        if (!r) return fail(404, 'Not Found', op);
        r.body = (rec.body as { body: string }).body;
        return send(200, this.reviewJson(repo, n, r), {}, op);
      }
      case 'dependency-graph/create-repository-snapshot': {
        const list = this.snapshots.get(repo) ?? [];
        list.push(rec.body as Json);
        this.snapshots.set(repo, list);
        const created = this.now();
        return send(
          201,
          {
            id: this.nextId++,
            created_at: created,
            result: 'SUCCESS',
            message: 'Dependency results for the repo have been successfully updated.',
          },
          {},
          op,
        );
      }
      default:
        this.violations.push(`the double does not implement ${op.id} (${rec.method} ${u.pathname})`);
        return fail(501, 'Not implemented by the test double');
    }
  }

  /** A pull request in the REST shape, from the real webhook example with this PR's numbers. */
  private pullJson(repo: string, number: number, p: StoredPull): Json {
    const examples = require('@octokit/webhooks-examples') as { name: string; examples: Json[] }[];
    const pr = structuredClone(
      examples.find((e) => e.name === 'pull_request')!.examples[0]!['pull_request'],
    ) as Json;
    const head = pr['head'] as Json;
    const labels = p.labels.map((name, i) => ({
      id: 1000 + i,
      node_id: `LA_${i}`,
      url: `${this.url}/repos/${repo}/labels/${encodeURIComponent(name)}`,
      name,
      description: null,
      color: 'ededed',
      default: false,
    }));
    // The REST shape has these where a webhook payload may leave them out.
    return {
      auto_merge: null,
      ...pr,
      number,
      head: { ...head, sha: p.headSha },
      labels,
      url: `${this.url}/repos/${repo}/pulls/${number}`,
      html_url: `https://github.com/${repo}/pull/${number}`,
    };
  }

  /** Every body the double ever stored or was sent, for the token-leak test. */
  everythingSent(): string {
    return this.requests
      .map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)} ${JSON.stringify(r.body)}`)
      .join('\n');
  }
}

/** The new-side lines a patch shows (added and context), as GitHub lets reviews comment on. */
function diffLinesOf(patch: string): Set<number> {
  const out = new Set<number>();
  let line = 0;
  for (const l of patch.split('\n')) {
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (h) line = Number(h[1]);
    else if (line && !l.startsWith('-') && !l.startsWith('\\')) out.add(line++);
  }
  return out;
}

export async function startGitHubApi(opts: GitHubApiOptions = {}): Promise<GitHubApi> {
  return new GitHubApi(opts).start();
}

/**
 * A fresh REST double for each test of the calling describe block, handed to `use`; after each test it is
 * stopped, and it must have seen no request that GitHub's OpenAPI description rejects.
 */
export function useGitHubApi(use: (api: GitHubApi) => void): void {
  let api: GitHubApi | undefined;
  beforeEach(async () => {
    api = await startGitHubApi();
    use(api);
  });
  afterEach(async () => {
    await api?.stop();
    expect(api?.violations).toEqual([]);
  });
}
