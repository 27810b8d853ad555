// Registry and network failures are RegistryErrors, not InputErrors: one line, exit 2 like bad input, the
// original error kept as `cause`, and no token in the message. A local HTTP server plays the registry.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import { HttpStatusError } from '../../src/sources/registry/http.js';
import { authError } from '../../src/sources/registry/auth.js';
import { proxyError } from '../../src/sources/registry/proxy.js';
import {
  failureLine,
  InputError,
  RegistryError,
  UserFacingError,
  withPrefix,
} from '../../src/util/errors.js';

const TOKEN = 'tok-VERY-SECRET-0123456789';

type Handler = (req: IncomingMessage, res: ServerResponse, base: string) => void;

async function serve(handler: Handler): Promise<{ host: string; server: Server }> {
  const server = createServer((req, res) => handler(req, res, `http://${host}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, server };
}

/** A registry that hands out TOKEN, then answers every authorized request with `status`, echoing the header. */
function tokenRegistry(status: number, extraHeaders: Record<string, string> = {}): Handler {
  return (req, res, base) => {
    if (req.url?.startsWith('/token')) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: TOKEN }));
      return;
    }
    if (!req.headers.authorization) {
      res
        .writeHead(401, {
          'WWW-Authenticate': `Bearer realm="${base}/token",service="t",scope="repository:o/app:pull"`,
        })
        .end();
      return;
    }
    const body = {
      errors: [{ code: 'UNKNOWN', message: `you sent ${req.headers.authorization}\nsecond line` }],
    };
    res.writeHead(status, { 'Content-Type': 'application/json', ...extraHeaders }).end(JSON.stringify(body));
  };
}

const FAST = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10 };
const opts = {
  cache: false,
  registry: { retry: FAST, timeoutMs: 2000, credentials: { dockerConfigDir: '/nonexistent-docker-config' } },
};

async function failure(source: string): Promise<RegistryError> {
  const err = await inspect(source, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  expect(err).not.toBeInstanceOf(InputError);
  const e = err as RegistryError;
  expect(e.message).not.toContain(TOKEN);
  expect(e.message).not.toContain('\n');
  const line = failureLine(e);
  expect(line).not.toContain('\n');
  expect(line).not.toContain(TOKEN);
  expect(line).not.toMatch(/^internal error/);
  return e;
}

describe('RegistryError', () => {
  const servers: Server[] = [];
  let hosts: Record<string, string> = {};
  beforeAll(async () => {
    const add = async (name: string, h: Handler): Promise<void> => {
      const s = await serve(h);
      servers.push(s.server);
      hosts = { ...hosts, [name]: s.host };
    };
    await add('five', tokenRegistry(503));
    await add('limited', tokenRegistry(429, { 'Retry-After': '3600' }));
    await add('refused-token', tokenRegistry(401));
    await add('missing', tokenRegistry(404));
    // A port that was open and is closed again: connection refused.
    const gone = await serve(() => {});
    hosts = { ...hosts, refused: gone.host };
    await new Promise((r) => gone.server.close(r));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('a 5xx after the retries: names the status, keeps the HttpStatusError as cause, shows no token', async () => {
    const e = await failure(`${hosts['five']}/o/app:latest`);
    expect(e.message).toMatch(/answered HTTP 503: UNKNOWN: you sent Bearer \*\*\*/);
    expect(e.message).toMatch(/after 2 tries/);
    expect(e.cause).toBeInstanceOf(HttpStatusError);
    expect((e.cause as HttpStatusError).status).toBe(503);
  });

  it('429 with a long Retry-After: rate-limited, cause kept', async () => {
    const e = await failure(`${hosts['limited']}/o/app:latest`);
    expect(e.message).toMatch(/is rate-limiting requests \(HTTP 429, Retry-After 3600 s\)/);
    expect((e.cause as HttpStatusError).status).toBe(429);
  });

  it('credentials refused on the second round: an auth RegistryError', async () => {
    const e = await failure(`${hosts['refused-token']}/o/app:latest`);
    expect(e.message).toMatch(/needs authentication, or does not exist \(HTTP 401/);
  });

  it('404: not found, a RegistryError', async () => {
    const e = await failure(`${hosts['missing']}/o/app:latest`);
    expect(e.message).toMatch(/not found \(HTTP 404/);
  });

  it('connection refused: a RegistryError whose cause is the socket error', async () => {
    const e = await failure(`${hosts['refused']}/o/app:latest`);
    expect(e.message).toMatch(/connection to 127\.0\.0\.1:\d+ failed after 2 tries/);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('auth and proxy errors are RegistryErrors; the proxy keeps its cause', () => {
    expect(authError({ registry: 'ghcr.io', repository: 'o/a', status: 401 })).toBeInstanceOf(RegistryError);
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const p = proxyError(
      { url: new URL('http://user:pw@proxy:3128'), variable: 'HTTP_PROXY' } as Parameters<
        typeof proxyError
      >[0],
      'ghcr.io:443',
      cause,
    );
    expect(p).toBeInstanceOf(RegistryError);
    expect(p.cause).toBe(cause);
    expect(p.message).not.toContain('pw');
  });
});

describe('one mapping to the one line', () => {
  it.each<[string, unknown, string]>([
    ['an InputError', new InputError('bad flag'), 'bad flag'],
    [
      'a RegistryError',
      new RegistryError('ghcr.io/o/a: not found', { cause: new Error('HTTP 404') }),
      'ghcr.io/o/a: not found',
    ],
    ['anything else', new TypeError('x is undefined'), 'internal error: x is undefined'],
    ['a thrown string', 'oops', 'internal error: oops'],
  ])('%s', (_n, err, line) => {
    expect(failureLine(err)).toBe(line);
  });

  it('escapes a message that has several lines into one', () => {
    const line = failureLine(new RegistryError('first\nsecond\r\nthird'));
    expect(line).not.toMatch(/[\n\r]/);
    expect(line).toContain('first');
  });

  it('both kinds are user-facing with exit code 2', () => {
    for (const e of [new InputError('a'), new RegistryError('b')]) {
      expect(e).toBeInstanceOf(UserFacingError);
      expect(e.exitCode).toBe(2);
    }
  });

  it('withPrefix keeps the kind and the cause', () => {
    const cause = new Error('ECONNRESET');
    const r = withPrefix(new RegistryError('x', { cause }), 'baseline b: ');
    expect(r).toBeInstanceOf(RegistryError);
    expect(r.message).toBe('baseline b: x');
    expect(r.cause).toBe(cause);
    const i = withPrefix(new InputError('y'), 'baseline b: ');
    expect(i).toBeInstanceOf(InputError);
    expect(i.message).toBe('baseline b: y');
  });
});
