/**
 * The comment key names one image's sticky comment, its SARIF category and its baseline on main: the CLI
 * and the action both compute it, so it lives below both (and away from the Actions cache client).
 */
import { parseSource } from '../sources/source.js';

/** The registry reference of a source, or undefined for archives, layouts and the daemon. */
export function registryRef(source: string): string | undefined {
  try {
    const spec = parseSource(source);
    return spec.kind === 'registry' ? spec.ref : undefined;
  } catch {
    return undefined;
  }
}

/** `ghcr.io/acme/app:pr-12@sha256:…` → `ghcr.io/acme/app` (a port's colon is kept). */
export function repositoryOf(ref: string): string {
  const noDigest = ref.replace(/@[a-z0-9]+:[a-f0-9]+$/i, '');
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The default comment key: the image without its tag or digest (so main's and the PR's match), and platform. */
export function defaultCommentKey(source: string, platform: string): string {
  const ref = registryRef(source);
  return `${ref ? repositoryOf(ref) : source} ${platform}`;
}
