/**
 * Package URLs (github.com/package-url/purl-spec), built by packageurl-js. One choice of our own: a "+" in
 * a version is written %2B. packageurl-js 2 leaves it bare, which the spec allows; the SBOM tools a report
 * is compared with (and OSV's purls for Debian and Alpine) percent-encode it, and a purl is matched as a
 * string more often than it is parsed.
 */
import { createRequire } from 'node:module';
import type { PurlContext } from './contract.js';

type PackageUrl = typeof import('packageurl-js').PackageURL;
let PackageURL: PackageUrl | undefined;
/**
 * Loaded on first use: the format modules are imported by every scan worker, which never builds a purl,
 * and loading packageurl-js there cost each worker's start.
 */
const packageUrl = (): PackageUrl =>
  (PackageURL ??= (createRequire(import.meta.url)('packageurl-js') as typeof import('packageurl-js'))
    .PackageURL);

export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | null,
  qualifiers?: Record<string, string | undefined>,
): string | undefined {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(qualifiers ?? {})) if (v) q[k] = v;
  try {
    const s = new (packageUrl())(type, namespace, name, version ?? undefined, q).toString();
    const at = s.indexOf('@', `pkg:${type}/`.length + (namespace ? namespace.length : 0));
    if (at === -1) return s;
    const end = s.indexOf('?', at);
    const cut = end === -1 ? s.length : end;
    return s.slice(0, at) + s.slice(at, cut).replace(/\+/g, '%2B') + s.slice(cut);
  } catch {
    // A name the spec cannot carry (empty once normalised): no purl rather than a wrong one.
    return undefined;
  }
}

/** The distro qualifier of an OS package ("debian-12", "alpine-3.19.1"), when os-release names one. */
export function distro(ctx: PurlContext): string | undefined {
  if (!ctx.distroId) return undefined;
  return ctx.distroVersion ? `${ctx.distroId}-${ctx.distroVersion}` : ctx.distroId;
}
