/**
 * Registry credentials and the WWW-Authenticate flows (Basic, and the Bearer token flow that Docker Hub,
 * GHCR, ECR and distribution's token auth use).
 *
 * Credentials come from, in this order: explicit ones (flags, action inputs), the configs that
 * docker/login-action's `scope` writes for buildx (`~/.docker/buildx/config/<registry>/<repository>@pull/…`),
 * the Docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`: credHelpers, credsStore,
 * auths, identitytoken), then fallbacks (the action's github-token for ghcr.io). They are looked up only when a registry asks.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from '../../util/errors.js';
import { runProcess } from '../../util/subprocess.js';
import { apiHost, DOCKER_HUB, DOCKER_HUB_CONFIG_KEY, normaliseRegistryName } from './reference.js';

export interface RegistryCredential {
  /** The registry these are for (`ghcr.io`, `docker.io`, `127.0.0.1:5000`); normalised when compared. */
  registry: string;
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (`identitytoken` in the Docker config): exchanged at the token endpoint. */
  identityToken?: string;
  /** A bearer token to send as is (`registrytoken` in the Docker config). */
  registryToken?: string;
}

export interface ResolvedCredential extends RegistryCredential {
  /** Where it came from, for messages: "--username", "~/.docker/config.json (auths)", … */
  from: string;
}

export interface CredentialOptions {
  /** Explicit credentials (flags, inputs): used first. */
  credentials?: RegistryCredential[];
  /** Used when neither explicit credentials nor the Docker config have any (the github-token for ghcr.io). */
  fallbackCredentials?: (RegistryCredential & { from?: string })[];
  /** Where config.json lives (default $DOCKER_CONFIG, else ~/.docker). */
  dockerConfigDir?: string;
  /** Labels for the explicit credentials in messages (default "--username/--password-stdin"). */
  explicitLabel?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header: `Bearer realm="…",service="…",scope="…"` (several challenges allowed). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
  const out: Challenge[] = [];
  const n = text.length;
  const space = (c: string | undefined): boolean => c === ' ' || c === '\t';
  let current: Challenge | undefined;
  let i = 0;
  while (i < n) {
    while (i < n && (space(text[i]) || text[i] === ',')) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !space(text[i]) && text[i] !== ',' && text[i] !== '=') i++;
    const token = text.slice(start, i);
    let j = i;
    while (j < n && space(text[j])) j++;
    if (text[j] !== '=' || !token) {
      if (!token) break;
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    i = j + 1;
    while (i < n && space(text[i])) i++;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) i++;
        value += text[i];
        i++;
      }
      i++;
    } else {
      const s = i;
      while (i < n && !space(text[i]) && text[i] !== ',') i++;
      value = text.slice(s, i);
    }
    if (current) current.params[token.toLowerCase()] = value;
  }
  return out;
}

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

function dockerConfigDir(opts: CredentialOptions = {}): string {
  return opts.dockerConfigDir ?? process.env['DOCKER_CONFIG'] ?? join(homedir(), '.docker');
}

/** The keys a registry may have in a Docker config (Docker Hub's is a URL). */
function sameRegistry(key: string, registry: string): boolean {
  const k = normaliseRegistryName(key);
  const r = normaliseRegistryName(registry);
  return k === r;
}

function helperServerUrl(registry: string): string {
  return normaliseRegistryName(registry) === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : registry;
}

/**
 * Runs `docker-credential-NAME get`. Resolves undefined when the helper has nothing for this registry;
 * a missing or failing helper is a note for the auth error, not an error of its own (the pull may be
 * anonymous).
 */
async function runCredentialHelper(
  name: string,
  serverUrl: string,
  timeoutMs = 30_000,
): Promise<{ username: string; secret: string } | { note: string } | undefined> {
  const bin = `docker-credential-${name}`;
  const r = await runProcess(bin, ['get'], { input: serverUrl, timeoutMs, maxStdout: 1024 * 1024 });
  if (r.spawnError) {
    return {
      note:
        r.spawnError.code === 'ENOENT'
          ? `credential helper ${bin} is not installed`
          : `credential helper ${bin} failed to start`,
    };
  }
  const stdout = r.stdout.trim();
  if (r.code !== 0) {
    // "credentials not found in native keychain" and the like: nothing stored for this registry.
    if (/not found/i.test(stdout) || /not found/i.test(r.stderr)) return undefined;
    return { note: `credential helper ${bin} exited with status ${r.code}` };
  }
  try {
    const doc = JSON.parse(stdout) as { Username?: string; Secret?: string };
    if (!doc.Secret) return undefined;
    return { username: doc.Username ?? '', secret: doc.Secret };
  } catch {
    return { note: `credential helper ${bin} printed something that is not JSON` };
  }
}

function fromHelper(
  registry: string,
  got: { username: string; secret: string },
  from: string,
): ResolvedCredential {
  // Helpers return an identity token with the username "<token>".
  if (got.username === '<token>') return { registry, identityToken: got.secret, from };
  return { registry, username: got.username, password: got.secret, from };
}

/**
 * Finds credentials for a registry, in order: explicit, Docker config, fallback. `notes` collects why a
 * source gave nothing (a helper that is missing), for the auth error message.
 */
export async function resolveCredential(
  registry: string,
  opts: CredentialOptions,
  notes: string[] = [],
  repository?: string,
): Promise<ResolvedCredential | undefined> {
  const explicit = opts.credentials?.find((c) => sameRegistry(c.registry, registry));
  if (explicit) return { ...explicit, from: opts.explicitLabel ?? '--username/--password-stdin' };

  for (const dir of buildxScopedDirs(registry, repository, opts)) {
    const scoped = await fromConfigDir(dir, registry, notes, true);
    if (scoped) return scoped;
  }
  const fromConfig = await fromConfigDir(dockerConfigDir(opts), registry, notes, false);
  if (fromConfig) return fromConfig;
  const fallback = opts.fallbackCredentials?.find((c) => sameRegistry(c.registry, registry));
  if (fallback) return { ...fallback, from: fallback.from ?? 'fallback credentials' };
  return undefined;
}

/** buildx's own config dir: $BUILDX_CONFIG, else $DOCKER_CONFIG/buildx, else ~/.docker/buildx. */
function buildxConfigDir(opts: CredentialOptions): string {
  if (opts.dockerConfigDir === undefined && process.env['BUILDX_CONFIG']) return process.env['BUILDX_CONFIG'];
  return join(dockerConfigDir(opts), 'buildx');
}

/**
 * The Docker configs that docker/login-action's `scope` writes and buildx reads, for a pull of
 * `registry/repository`: `<buildx>/config/<registry>[/<repository>][@<scopes>]`, most specific first.
 * Docker Hub's directory is registry-1.docker.io.
 */
export function buildxScopedDirs(
  registry: string,
  repository: string | undefined,
  opts: CredentialOptions,
): string[] {
  const root = join(buildxConfigDir(opts), 'config');
  const hosts =
    normaliseRegistryName(registry) === DOCKER_HUB
      ? [apiHost(DOCKER_HUB), DOCKER_HUB]
      : [registry.toLowerCase()];
  const scopes = ['@pull', '@pull,push', '@push,pull', ''];
  const out: string[] = [];
  for (const host of hosts) {
    if (repository) for (const sc of scopes) out.push(join(root, host, `${repository}${sc}`));
    for (const sc of scopes.slice(0, 3)) out.push(join(root, `${host}${sc}`));
  }
  return out;
}

/** Credentials for `registry` in the Docker config of `dir`. A scoped dir that does not exist is quiet. */
async function fromConfigDir(
  dir: string,
  registry: string,
  notes: string[],
  scoped: boolean,
): Promise<ResolvedCredential | undefined> {
  const file = join(dir, 'config.json');
  const label = file.startsWith(homedir() + '/') ? `~${file.slice(homedir().length)}` : file;
  let cfg: DockerConfigFile | undefined;
  try {
    cfg = JSON.parse(await readFile(file, 'utf8')) as DockerConfigFile;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && !(scoped && code === 'ENOTDIR'))
      notes.push(`${label} could not be read as JSON`);
  }
  if (cfg && typeof cfg === 'object') {
    const helper = Object.entries(cfg.credHelpers ?? {}).find(([k]) => sameRegistry(k, registry))?.[1];
    if (helper) {
      const got = await runCredentialHelper(helper, helperServerUrl(registry));
      if (got && 'note' in got) notes.push(got.note);
      else if (got) return fromHelper(registry, got, `${label} (credHelpers: ${helper})`);
    }
    if (cfg.credsStore) {
      const got = await runCredentialHelper(cfg.credsStore, helperServerUrl(registry));
      if (got && 'note' in got) notes.push(got.note);
      else if (got) return fromHelper(registry, got, `${label} (credsStore: ${cfg.credsStore})`);
    }
    const entry = Object.entries(cfg.auths ?? {}).find(([k]) => sameRegistry(k, registry))?.[1];
    if (entry && typeof entry === 'object') {
      const from = `${label} (auths)`;
      if (entry.registrytoken) return { registry, registryToken: entry.registrytoken, from };
      if (entry.identitytoken) return { registry, identityToken: entry.identitytoken, from };
      let { username, password } = entry;
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) {
          username = decoded.slice(0, colon);
          password = decoded.slice(colon + 1);
        } else notes.push(`the auths entry for ${registry} in ${label} is malformed`);
      }
      if (username && password) return { registry, username, password, from };
    }
  }
  return undefined;
}

/** Every secret a credential holds, for redaction. */
export function secretsOf(c: RegistryCredential | undefined): string[] {
  if (!c) return [];
  const basic =
    c.username !== undefined && c.password !== undefined
      ? [Buffer.from(`${c.username}:${c.password}`).toString('base64')]
      : [];
  return [c.password, c.identityToken, c.registryToken, ...basic].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
}

/** Replaces every secret in a message with ***. */
export function redact(message: string, secrets: Iterable<string>): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** `repository:NAME:pull`: the scope a challenge without one implies. */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** A RegistryError for an auth failure: names the registry and repository, and says what to set. */
export function authError(args: {
  registry: string;
  repository: string;
  status: number;
  credential?: ResolvedCredential;
  notes?: string[];
  hint?: string;
  detail?: string;
}): RegistryError {
  const { registry, repository, status, credential } = args;
  const what = `${registry}/${repository}`;
  const hint =
    args.hint ??
    `set credentials with --username and --password-stdin, or "docker login ${registry}" (the Docker config is read)`;
  const notes = args.notes?.length ? ` (${args.notes.join('; ')})` : '';
  const detail = args.detail ? `: ${args.detail}` : '';
  if (credential) {
    const verb = status === 403 ? 'denied access with' : 'rejected';
    return new RegistryError(
      `${registry} ${verb} the credentials from ${credential.from} for ${what} (HTTP ${status}${detail}); check them, or ${hint}${notes}`,
    );
  }
  if (status === 403) {
    return new RegistryError(
      `${what}: access denied (HTTP 403${detail}) with no credentials; if it needs some, ${hint}${notes}`,
    );
  }
  return new RegistryError(
    `${what} needs authentication, or does not exist (HTTP ${status}${detail}), and no credentials were found for ${registry}; ${hint}${notes}`,
  );
}
