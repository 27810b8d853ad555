/**
 * Go binaries' packages: each module of the build info, and the standard library the toolchain brought
 * (`go1.21.5` → pkg:golang/stdlib@1.21.5, as the Go vulnerability database names it). The build info
 * itself is read by the ELF probe as the binary streams past (src/scan/go-buildinfo.ts).
 */
import { purl } from './purl.js';

/** `pkg:golang/github.com/a/b@v1.2.3`; the main module of a local build ("(devel)") has no version. */
export function goModulePurl(path: string, version: string): string | undefined {
  const slash = path.lastIndexOf('/');
  const ns = slash > 0 ? path.slice(0, slash) : undefined;
  const name = slash > 0 ? path.slice(slash + 1) : path;
  return purl('golang', ns, name, version === '(devel)' || version === '' ? null : version);
}

/** The standard library of a binary built by `version` ("go1.21.5", "go1.22.0 X:boringcrypto"). */
export function goStdlib(version: string): { version: string; purl: string } | undefined {
  const m = /^go(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)(?:\s|$)/.exec(version);
  if (!m) return undefined;
  const v = m[1] as string;
  const p = purl('golang', undefined, 'stdlib', v);
  return p ? { version: v, purl: p } : undefined;
}
