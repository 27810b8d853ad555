/**
 * Image references, normalised as Docker does (distribution/reference): `alpine` is
 * `docker.io/library/alpine:latest`, whose API host is `registry-1.docker.io`.
 */
import { InputError } from '../../util/errors.js';

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
/** The key `docker login` writes for Docker Hub in ~/.docker/config.json. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

export interface ImageReference {
  /** The registry as users write it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `localhost`. */
  registry: string;
  /** The repository path inside the registry: `library/alpine`, `owner/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = new RegExp(`^${ALNUM}(?:${SEPARATOR}${ALNUM})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`,
);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const MAX_NAME = 255;

/** Parses `[registry/]repository[:tag][@digest]`; anything malformed is an InputError naming the part. */
export function parseReference(input: string): ImageReference {
  const s = input.trim();
  const bad = (why: string): InputError => new InputError(`bad image reference "${input}": ${why}`);
  if (!s) throw bad('it is empty');
  if (/\s/.test(s)) throw bad('it contains whitespace');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) throw bad('write it without a URL scheme (host/repository:tag)');

  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest.startsWith('sha256:') && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw bad(`"${digest}" is not a sha256 digest (64 lowercase hex digits)`);
    }
    if (!DIGEST.test(digest)) throw bad(`"${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`"${tag}" is not a valid tag`);
  }
  if (!rest) throw bad('it has no repository name');

  let registry = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    // As Docker: the first component is a registry if it looks like a host (a dot, a port, or localhost).
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      registry = first;
      path = rest.slice(slash + 1);
      if (!DOMAIN.test(registry)) throw bad(`"${registry}" is not a valid registry host`);
    }
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  for (const part of path.split('/')) {
    if (!PATH_COMPONENT.test(part)) {
      throw bad(
        part !== part.toLowerCase()
          ? `repository names must be lowercase: ${rest.toLowerCase()}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`
          : `"${part || '(empty)'}" is not a valid repository path component`,
      );
    }
  }
  if (registry.length + 1 + path.length > MAX_NAME)
    throw bad(`the name is longer than ${MAX_NAME} characters`);
  const ref: ImageReference = { registry, repository: path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The tag or digest to ask the registry for: the digest when there is one, else the tag, else `latest`. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** `docker.io/library/alpine:latest`, `ghcr.io/o/app@sha256:…` (a tag, when present, is kept with a digest). */
export function formatReference(ref: ImageReference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined || ref.digest === undefined) s += `:${ref.tag ?? 'latest'}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** The host (and port) that serves the registry's HTTP API. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

function hostname(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

function isLoopbackRegistry(registry: string): boolean {
  const host = hostname(registry).toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Loopback registries speak plain HTTP, as Docker allows; so may the ones the user lists as insecure. */
export function isInsecureRegistry(registry: string, insecure: readonly string[] = []): boolean {
  if (isLoopbackRegistry(registry)) return true;
  const host = hostname(registry).toLowerCase();
  return insecure.some((i) => {
    const want = normaliseRegistryName(i);
    return want === registry.toLowerCase() || want === host;
  });
}

/** `https://ghcr.io/v1/` → `ghcr.io`; `index.docker.io` → `docker.io` (keys of docker config files, flags). */
export function normaliseRegistryName(s: string): string {
  let h = s
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  if (h === 'index.docker.io' || h === DOCKER_HUB_API) h = DOCKER_HUB;
  return h;
}

/**
 * The API's base URL, and whether plain HTTP may replace it: loopback registries are plain HTTP
 * (`http://127.0.0.1:5000`); a registry listed as insecure is tried over HTTPS first, then plain HTTP, as
 * Docker does; any other is HTTPS only (`https://registry-1.docker.io`).
 */
export function registryBaseUrl(
  registry: string,
  insecure: readonly string[] = [],
): { baseUrl: string; httpFallback: boolean } {
  if (isLoopbackRegistry(registry)) return { baseUrl: `http://${apiHost(registry)}`, httpFallback: false };
  return { baseUrl: `https://${apiHost(registry)}`, httpFallback: isInsecureRegistry(registry, insecure) };
}
