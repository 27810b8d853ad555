/**
 * A registry client for one repository (the distribution API v2): manifests, small JSON blobs, and layer
 * blobs as streams. It handles the auth challenges (Bearer token flow, Basic), redirects (dropping
 * Authorization on any hop to another origin), retries with backoff, and resuming a cut blob with Range.
 *
 * No secret ever reaches a message: errors name the registry, the repository and the status, and
 * `redactError` scrubs anything that slipped through.
 */
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, oneLine, RegistryError, UserFacingError } from '../../util/errors.js';
import { sha256 } from '../../util/digest.js';
import { MAX_JSON_BLOB, MEDIA, type Descriptor } from '../model/image.js';
import { shortDigest } from '../../util/bytes.js';
import {
  authError,
  basicHeader,
  parseChallenges,
  pullScope,
  redact,
  resolveCredential,
  secretsOf,
  type Challenge,
  type CredentialOptions,
  type ResolvedCredential,
} from './auth.js';
import {
  backoffMs,
  DEFAULT_RETRY,
  discard,
  HttpStatusError,
  isTransient,
  rawRequest,
  readBody,
  registryErrorDetail,
  retryAfterMs,
  withRetries,
  type Headers,
  type RetryPolicy,
} from './http.js';
import { registryBaseUrl } from './reference.js';

/** Every manifest type, as distribution 2.8 wants: a partial Accept gets a 404, another manifest or schema1. */
const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(
  ', ',
);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 8;
/** Blob bytes are passed on in pieces of at least this size. */
const COALESCE = 512 * 1024;

export interface RegistryOptions {
  /** Registries (host[:port]) to reach over plain HTTP, besides localhost and 127.0.0.0/8. */
  insecureRegistries?: string[];
  /** Where credentials come from (explicit, Docker config, fallbacks). */
  credentials?: CredentialOptions;
  retry?: Partial<RetryPolicy>;
  /** Milliseconds to wait for headers, and between body chunks (default 60 s). */
  timeoutMs?: number;
  /** What an auth error tells the user to set (the action names its inputs here). */
  authHint?: string;
  /** Called with every secret the client learns (passwords from helpers, tokens): the action masks them. */
  onSecret?: (secret: string) => void;
}

/** Plain data from which a worker thread rebuilds the client, already authenticated. */
export interface ClientSpec {
  registry: string;
  repository: string;
  insecureRegistries: string[];
  retry: RetryPolicy;
  timeoutMs: number;
  authHint?: string;
  authorization?: string;
  credential?: ResolvedCredential | null;
  /** The base URL once settled (an insecure registry seen on HTTPS or plain HTTP). */
  baseUrl?: string;
}

export interface FetchedManifest {
  data: Buffer;
  digest: string;
  mediaType: string | undefined;
}

export class RegistryClient {
  baseUrl: string;
  private origin: string;
  /** An insecure registry not yet seen to speak HTTPS: a failed TLS connection switches to plain HTTP. */
  private httpFallback: boolean;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private authorization: string | undefined;
  /** undefined: not looked up yet; null: looked up, none. */
  private credential: ResolvedCredential | null | undefined;
  private readonly notes: string[] = [];
  private authPending: Promise<void> | undefined;
  private readonly secrets = new Set<string>();

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly opts: RegistryOptions = {},
  ) {
    ({ baseUrl: this.baseUrl, httpFallback: this.httpFallback } = registryBaseUrl(
      registry,
      opts.insecureRegistries,
    ));
    this.origin = new URL(this.baseUrl).origin;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  static fromSpec(spec: ClientSpec): RegistryClient {
    const c = new RegistryClient(spec.registry, spec.repository, {
      insecureRegistries: spec.insecureRegistries,
      retry: spec.retry,
      timeoutMs: spec.timeoutMs,
      authHint: spec.authHint,
    });
    c.credential = spec.credential;
    if (spec.baseUrl) c.useBaseUrl(spec.baseUrl);
    for (const s of secretsOf(spec.credential ?? undefined)) c.secrets.add(s);
    if (spec.authorization) c.setAuthorization(spec.authorization);
    return c;
  }

  /** For a worker: the same registry, retry policy and current authorization. */
  toSpec(): ClientSpec {
    const spec: ClientSpec = {
      registry: this.registry,
      repository: this.repository,
      insecureRegistries: this.opts.insecureRegistries ?? [],
      retry: this.retry,
      timeoutMs: this.timeoutMs,
      credential: this.credential ?? null,
    };
    if (this.opts.authHint) spec.authHint = this.opts.authHint;
    if (this.authorization) spec.authorization = this.authorization;
    if (!this.httpFallback) spec.baseUrl = this.baseUrl;
    return spec;
  }

  private useBaseUrl(baseUrl: string): void {
    this.baseUrl = baseUrl;
    this.origin = new URL(baseUrl).origin;
    this.httpFallback = false;
  }

  /** An insecure registry that does not speak TLS: from now on, plain HTTP (as Docker). */
  private fallBackToHttp(url: URL, err: unknown): URL | undefined {
    if (!this.httpFallback || url.origin !== this.origin || url.protocol !== 'https:') return undefined;
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
    const msg = (err as Error | undefined)?.message ?? '';
    const notTls =
      ['EPROTO', 'ECONNRESET', 'ECONNREFUSED', 'ERR_SSL_WRONG_VERSION_NUMBER'].includes(code) ||
      /wrong version number|packet length too long|socket hang up/i.test(msg);
    if (!notTls) return undefined;
    const http = new URL(url.href);
    http.protocol = 'http:';
    this.useBaseUrl(http.origin);
    return http;
  }

  get where(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** Any error, with every secret this client knows replaced by ***. */
  redactError(err: unknown): unknown {
    if (!(err instanceof Error) || !this.secrets.size) return err;
    const msg = redact(err.message, this.secrets);
    if (msg === err.message) return err;
    if (err instanceof RegistryError) return new RegistryError(msg, { cause: err.cause });
    return err instanceof InputError ? new InputError(msg) : new Error(msg);
  }

  // ------------------------------------------------------------------------------------------- API

  /** GET /v2/REPO/manifests/REF. The digest is computed from the bytes (and checked when REF is one). */
  async getManifest(reference: string, what?: string): Promise<FetchedManifest> {
    const url = this.url(`manifests/${reference}`);
    const isDigest = /^[a-z0-9]+:/.test(reference);
    const label = what ? `${what} of ${this.where}` : `${this.where}${isDigest ? '@' : ':'}${reference}`;
    const { data, headers } = await this.getSmall(url, { Accept: MANIFEST_ACCEPT }, label);
    const digest = sha256(data);
    if (isDigest && digest !== reference) {
      throw new InputError(`${label}: digest mismatch: content is ${digest}`);
    }
    const claimed = headers['docker-content-digest'];
    if (typeof claimed === 'string' && claimed.startsWith('sha256:') && claimed !== digest) {
      throw new InputError(
        `${label}: the registry says its digest is ${claimed}, but the bytes hash to ${digest}`,
      );
    }
    const ct = headers['content-type']?.split(';')[0]?.trim();
    return { data, digest, mediaType: ct && ct !== 'application/json' ? ct : undefined };
  }

  /** GET a small blob (a config) whole; the caller verifies its digest. */
  async getBlob(desc: Descriptor, what: string): Promise<Buffer> {
    const label = `${what} ${shortDigest(desc.digest)} of ${this.where}`;
    if (desc.size > MAX_JSON_BLOB) {
      throw new InputError(`${label} is too large to be metadata (${desc.size} bytes)`);
    }
    return (await this.getSmall(this.url(`blobs/${desc.digest}`), {}, label)).data;
  }

  /**
   * Streams a blob. A connection cut halfway resumes with Range where the registry honours it, else the
   * blob is fetched again and the bytes already passed on are skipped: the consumer sees one stream.
   * Never more bytes than the descriptor's size.
   */
  async *blob(desc: Descriptor, label: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
    // Sockets deliver 64 KiB at a time; inflating bigger pieces costs fewer trips through zlib and the
    // scanner (measured: about 15% faster on a large layer, for one copy of the compressed bytes).
    let parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of this.rawBlob(desc, label)) {
      // Another layer failed: stop downloading this one.
      if (signal?.aborted) throw new InputError(`${label}: download stopped`);
      parts.push(chunk);
      n += chunk.length;
      if (n >= COALESCE) {
        yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, n);
        parts = [];
        n = 0;
      }
    }
    if (n) yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, n);
  }

  private async *rawBlob(desc: Descriptor, label: string): AsyncGenerator<Buffer> {
    const url = this.url(`blobs/${desc.digest}`);
    let received = 0;
    // A cut after progress is resumed; bounded by `attempts` cuts in a row without progress, and by a
    // total (a flaky network on a big layer resumes several times; a registry that always cuts gives up).
    let cuts = 0;
    let stalls = 0;
    let lastCutAt = -1;
    const cut = async (err: unknown): Promise<void> => {
      cuts++;
      stalls = received > lastCutAt ? 0 : stalls + 1;
      lastCutAt = received;
      if (stalls + 1 >= this.retry.attempts || cuts >= this.retry.attempts * 4) {
        throw new RegistryError(
          `${label}: the connection to ${this.registry} was cut ${cuts} times, at ${received} of ${desc.size} bytes (${oneLine(err)})`,
          { cause: err },
        );
      }
      await sleep(backoffMs(this.retry, stalls));
    };
    for (;;) {
      const headers: Headers = received > 0 ? { Range: `bytes=${received}-` } : {};
      let res: IncomingMessage;
      try {
        res = await withRetries(this.retry, () => this.request(url, headers));
      } catch (err) {
        throw this.failure(err, label);
      }
      let skip = 0;
      const status = res.statusCode ?? 0;
      if (received > 0 && status === 206) {
        const start = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
        const from = start ? Number(start[1]) : NaN;
        if (!(from <= received)) {
          res.destroy();
          throw new InputError(`${label}: the registry resumed the download at the wrong offset`);
        }
        skip = received - from;
      } else if (received > 0) {
        skip = received; // the registry ignored Range and sends the whole blob again
      } else {
        const len = Number(res.headers['content-length']);
        if (status === 200 && Number.isFinite(len) && len !== desc.size) {
          res.destroy();
          throw new InputError(
            `${label}: the registry sends ${len} bytes, but the manifest says the blob has ${desc.size}`,
          );
        }
      }
      let complete = false;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          let c = chunk;
          if (skip) {
            if (c.length <= skip) {
              skip -= c.length;
              continue;
            }
            c = c.subarray(skip);
            skip = 0;
          }
          received += c.length;
          if (received > desc.size) {
            throw new InputError(
              `${label}: the blob is larger than the ${desc.size} bytes the manifest says`,
            );
          }
          yield c;
        }
        complete = true;
      } catch (err) {
        if (!isTransient(err)) throw this.failure(err, label);
        await cut(err);
        continue;
      } finally {
        if (!complete) res.destroy();
      }
      if (received === desc.size) return;
      // A clean end before the size (a body without Content-Length, cut): resume as for a reset.
      await cut(new Error('the body ended early'));
    }
  }

  // -------------------------------------------------------------------------------------- internals

  private url(path: string): URL {
    return new URL(`${this.baseUrl}/v2/${this.repository}/${path}`);
  }

  private async getSmall(
    url: URL,
    headers: Headers,
    label: string,
  ): Promise<{ data: Buffer; headers: IncomingMessage['headers'] }> {
    try {
      return await withRetries(this.retry, async () => {
        const res = await this.request(url, headers);
        return { data: await readBody(res, MAX_JSON_BLOB, label), headers: res.headers };
      });
    } catch (err) {
      throw this.failure(err, label);
    }
  }

  private addSecret(s: string): void {
    if (this.secrets.has(s)) return;
    this.secrets.add(s);
    this.opts.onSecret?.(s);
  }

  private setAuthorization(value: string): void {
    this.authorization = value;
    const token = value.slice(value.indexOf(' ') + 1);
    if (token.length >= 4) this.addSecret(token);
  }

  /**
   * One GET with the registry's authorization, following redirects (Authorization only to the registry's
   * own origin) and answering one 401 challenge. A 2xx response is returned unread; any other status is
   * thrown as an HttpStatusError with its body.
   */
  private async request(target: URL, headers: Headers): Promise<IncomingMessage> {
    let url = target;
    let hops = 0;
    let authRounds = 0;
    let races = 0;
    for (;;) {
      const sameOrigin = url.origin === this.origin;
      const sent = sameOrigin ? this.authorization : undefined;
      const h: Headers = { ...headers };
      if (sent) h['Authorization'] = sent;
      let res: IncomingMessage;
      try {
        res = await rawRequest(url, { headers: h }, this.timeoutMs);
      } catch (err) {
        const http = this.fallBackToHttp(url, err);
        if (!http) throw err;
        url = http;
        continue;
      }
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        const location = res.headers.location;
        await discard(res);
        if (!location || ++hops > MAX_REDIRECTS) {
          throw new RegistryError(
            `${this.registry}: ${location ? 'too many redirects' : 'a redirect without Location'}`,
          );
        }
        url = new URL(location, url);
        continue;
      }
      if (status === 401 && sameOrigin) {
        const challenges = parseChallenges(res.headers['www-authenticate']);
        const body = await discard(res);
        if (sent !== this.authorization && races++ < 3) continue; // another request refreshed it meanwhile
        if (authRounds++ === 0) {
          await this.authenticate(challenges);
          continue;
        }
        throw await this.authFailure(401, registryErrorDetail(body));
      }
      if (status >= 200 && status < 300) return res;
      throw new HttpStatusError(status, res.headers, await discard(res), url);
    }
  }

  private authenticate(challenges: Challenge[]): Promise<void> {
    this.authPending ??= this.answerChallenge(challenges).finally(() => {
      this.authPending = undefined;
    });
    return this.authPending;
  }

  private async lookupCredential(): Promise<ResolvedCredential | undefined> {
    if (this.credential === undefined) {
      const c = await resolveCredential(
        this.registry,
        this.opts.credentials ?? {},
        this.notes,
        this.repository,
      );
      this.credential = c ?? null;
      for (const s of secretsOf(c)) this.addSecret(s);
    }
    return this.credential ?? undefined;
  }

  private async answerChallenge(challenges: Challenge[]): Promise<void> {
    const cred = await this.lookupCredential();
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm']);
    if (bearer) {
      if (cred?.registryToken) this.setAuthorization(`Bearer ${cred.registryToken}`);
      else this.setAuthorization(`Bearer ${await this.fetchToken(bearer.params, cred)}`);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (cred?.username !== undefined && cred.password !== undefined) {
        this.setAuthorization(basicHeader(cred.username, cred.password));
        return;
      }
      throw await this.authFailure(401);
    }
    const schemes = challenges.map((c) => c.scheme).join(', ');
    throw new RegistryError(
      `${this.where}: the registry asks for authentication that Slimgate does not support (${schemes || 'no WWW-Authenticate challenge'})`,
    );
  }

  /** The Bearer token flow: GET the realm (Basic with credentials), or POST a refresh token (identitytoken). */
  private async fetchToken(
    params: Record<string, string>,
    cred: ResolvedCredential | undefined,
  ): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(params['realm'] as string);
      if (realm.protocol !== 'https:' && realm.protocol !== 'http:') throw new Error('scheme');
    } catch {
      throw new RegistryError(`${this.where}: the registry names an invalid token realm`);
    }
    const scope = params['scope'] || pullScope(this.repository);
    const service = params['service'];
    const label = `token for ${this.where} from ${realm.host}`;
    const doc = await withRetries(this.retry, async () => {
      let res: IncomingMessage;
      if (cred?.identityToken) {
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: cred.identityToken,
          client_id: 'slimgate',
          scope,
        });
        if (service) form.set('service', service);
        res = await rawRequest(
          realm,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          },
          this.timeoutMs,
        );
      } else {
        const url = new URL(realm);
        if (service) url.searchParams.set('service', service);
        url.searchParams.set('scope', scope);
        const headers: Headers = {};
        if (cred?.username !== undefined && cred.password !== undefined) {
          url.searchParams.set('account', cred.username);
          headers['Authorization'] = basicHeader(cred.username, cred.password);
        }
        res = await rawRequest(url, { headers }, this.timeoutMs);
      }
      const status = res.statusCode ?? 0;
      if (status === 401 || status === 403) {
        await discard(res);
        throw await this.authFailure(status);
      }
      if (status < 200 || status >= 300) {
        // The token endpoint's body is never shown: it may echo what was sent.
        await discard(res);
        throw new HttpStatusError(status, res.headers, '', realm);
      }
      return readBody(res, 1024 * 1024, label);
    }).catch((err: unknown) => {
      throw this.failure(err, label);
    });
    let token: unknown;
    try {
      const j = JSON.parse(doc.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = j.token ?? j.access_token;
    } catch {
      throw new RegistryError(`${label}: the token endpoint answered something that is not JSON`);
    }
    if (typeof token !== 'string' || !token) {
      throw new RegistryError(`${label}: the token endpoint's answer holds no token`);
    }
    this.addSecret(token);
    return token;
  }

  private async authFailure(status: number, detail?: string): Promise<RegistryError> {
    const credential = await this.lookupCredential();
    return authError({
      registry: this.registry,
      repository: this.repository,
      status,
      credential,
      notes: this.notes,
      hint: this.opts.authHint,
      detail,
    });
  }

  /**
   * Maps whatever ended a request to one line naming the registry, the repository and the thing, with
   * every secret this client knows scrubbed (a registry's error body may echo what it was sent).
   */
  private failure(err: unknown, label: string): Error {
    return this.redactError(this.describe(err, label)) as Error;
  }

  private describe(err: unknown, label: string): Error {
    if (err instanceof UserFacingError) return err;
    if (err instanceof HttpStatusError) {
      const detail = registryErrorDetail(err.body);
      const d = detail ? `: ${detail}` : '';
      const s = err.status;
      if (s === 404) {
        const anon = this.credential ? '' : '; if it is private, set credentials';
        return new RegistryError(`${label}: not found (HTTP 404${d})${anon}`, { cause: err });
      }
      // A 403 from blob storage (an expired signed URL, say) is not the registry refusing credentials.
      if (s === 403 && err.url.origin === this.origin)
        return authError({ ...this.authArgs(), status: 403, detail });
      if (s === 429) {
        const after = retryAfterMs(err.headers['retry-after']);
        const wait = after !== undefined ? `, Retry-After ${Math.round(after / 1000)} s` : '';
        const tries =
          after !== undefined && after > this.retry.maxRetryAfterMs
            ? ''
            : ` after ${this.retry.attempts} tries`;
        return new RegistryError(
          `${label}: ${this.registry} is rate-limiting requests (HTTP 429${wait})${tries}; try again later, or authenticate to raise the limit`,
          { cause: err },
        );
      }
      const tries = s >= 500 ? ` after ${this.retry.attempts} tries` : '';
      return new RegistryError(`${label}: ${err.url.host} answered HTTP ${s}${d}${tries}`, { cause: err });
    }
    const e = err as NodeJS.ErrnoException;
    const msg = oneLine(err);
    if (e?.code === 'ENOTFOUND')
      return new RegistryError(`${label}: cannot resolve the host of ${this.baseUrl}`, { cause: err });
    if (/certificate|self[- ]signed|SSL|TLS/i.test(msg) || e?.code?.startsWith?.('ERR_TLS')) {
      return new RegistryError(
        `${label}: TLS error talking to ${this.baseUrl} (${msg}); for a registry on plain HTTP, list it with --insecure-registry; for a private CA, set NODE_EXTRA_CA_CERTS`,
        { cause: err },
      );
    }
    if (isTransient(err)) {
      return new RegistryError(
        `${label}: connection to ${this.registry} failed after ${this.retry.attempts} tries (${msg})`,
        { cause: err },
      );
    }
    // Any other socket-level failure (a system error names its syscall) is the network's, not ours.
    if (typeof e?.code === 'string' && typeof e.syscall === 'string')
      return new RegistryError(`${label}: cannot talk to ${this.registry} (${msg})`, { cause: err });
    return err instanceof Error ? err : new Error(msg);
  }

  private authArgs(): Parameters<typeof authError>[0] {
    return {
      registry: this.registry,
      repository: this.repository,
      status: 401,
      credential: this.credential ?? undefined,
      notes: this.notes,
      hint: this.opts.authHint,
    };
  }
}
