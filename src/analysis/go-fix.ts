/**
 * What fixes a linked Go vulnerability (pure), from the fixed version of the record's range that holds the
 * binary's version (the vulnerability look-up picks it):
 * - the standard library (`stdlib`, `toolchain`): the Go release, and the build line to change. Where the
 *   Dockerfile builds with a `golang:` image of that release line (`FROM golang:1.22.3-bookworm AS build`),
 *   the edit to `golang:1.22.5-bookworm` — only for a tag that names a version of the same minor line,
 *   older than the fix; any other golang FROM line is left alone with the reason;
 * - a module: `go get module@version`.
 * Record text is not trusted: a version or module path outside the plain characters gets no command.
 */
import type { Report } from '../types/report.js';
import { compareSemver } from '../vulns/versions.js';

/** Lines `start`..`end` (1-based) become `lines`: the shape of src/analysis/fixes.ts's Edit. */
type Edit = { start: number; end: number; lines: string[] };

export interface GoReleaseFix {
  /** `go1.22.5` */
  release: string;
  /** The golang FROM lines to change, each with its edit (1-based lines). */
  edits: { line: number; from: string; to: string; edit: Edit }[];
  /** golang FROM lines left alone, and why. */
  skipped: { line: number; reason: string }[];
}

export interface GoModuleFix {
  module: string;
  /** `v0.23.0` */
  version: string;
  /** `go get golang.org/x/net@v0.23.0` */
  command: string;
}

const STDLIB = new Set(['stdlib', 'toolchain']);
const VERSION = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$/;
const MODULE = /^[A-Za-z0-9][A-Za-z0-9._~/-]{0,250}$/;
const SEMVER = /^v?\d{1,9}\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.+-]{1,80})?$/;
/** `FROM [--platform=…] [docker.io/][library/]golang:<major>.<minor>[.<patch>][-suffix] [AS name]` */
const FROM =
  /^(\s*FROM\s+(?:--platform=\S+\s+)?)((?:docker\.io\/)?(?:library\/)?golang):([^\s@]+)(@\S+)?(\s+AS\s+\S+)?\s*$/i;
const TAG = /^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?((?:-[A-Za-z0-9][A-Za-z0-9._-]*)?)$/;

function isStdlib(module: string): boolean {
  return STDLIB.has(module);
}

type Triple = [number, number, number];

function triple(v: string): Triple | undefined {
  const m = VERSION.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/**
 * The Go release that fixes a standard-library entry, and the `golang:` FROM lines of `dockerfile` to move
 * to it; undefined when `fixed` is not a Go version (`1.22.5`, `v1.22.5` or `go1.22.5`).
 */
export function goReleaseFix(fixed: string, dockerfile?: string): GoReleaseFix | undefined {
  const want = triple(fixed.replace(/^go/, ''));
  if (!want) return undefined;
  const release = `go${want.join('.')}`;
  const out: GoReleaseFix = { release, edits: [], skipped: [] };
  if (dockerfile === undefined) return out;
  const lines = dockerfile.split(/\r?\n/);
  lines.forEach((text, i) => {
    const m = FROM.exec(text);
    if (!m) return;
    const [, lead, image, tag, digest, alias] = m as unknown as [
      string,
      string,
      string,
      string,
      string?,
      string?,
    ];
    const line = i + 1;
    const t = TAG.exec(tag);
    if (digest)
      return out.skipped.push({ line, reason: `${image} is pinned by digest: update it to ${release}` });
    if (!t)
      return out.skipped.push({ line, reason: `the golang tag does not name a Go version: use ${release}` });
    const have: Triple = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
    if (have[0] !== want[0] || have[1] !== want[1])
      return out.skipped.push({
        line,
        reason: `golang:${tag} is another release line than ${release}: move to a fixed release by hand`,
      });
    if (t[3] !== undefined && have[2] >= want[2])
      return out.skipped.push({ line, reason: `golang:${tag} is already ${release} or later` });
    const to = `${lead}${image}:${want.join('.')}${t[4] ?? ''}${alias ?? ''}`;
    out.edits.push({ line, from: text, to, edit: { start: line, end: line, lines: [to] } });
  });
  return out;
}

/** `go get module@version` for a module entry; undefined for text that is not a plain path and version. */
export function goModuleFix(module: string, fixed: string): GoModuleFix | undefined {
  if (isStdlib(module) || !MODULE.test(module) || !SEMVER.test(fixed)) return undefined;
  const version = fixed.startsWith('v') ? fixed : `v${fixed}`;
  return { module, version, command: `go get ${module}@${version}` };
}

/** A proposal in the shape of src/analysis/fixes.ts's: an edit, or why there is none. */
type GoProposal =
  { rule: string; title: string; edit: Edit } | { rule: string; reason: string; line?: number };

/**
 * SG801 on the Dockerfile: the `golang:` FROM lines moved to the release that fixes every linked
 * standard-library entry of the report (the highest of their fixes, so that one edit covers them all).
 */
export function goReleaseProposals(text: string, report: Pick<Report, 'findings'>): GoProposal[] {
  const fixes = report.findings.flatMap((f) => {
    const v = f.vulnerability;
    const ok = f.id === 'SG801' && v && !v.waived && v.reachability === 'linked' && isStdlib(v.package.name);
    return ok && v.fixed && triple(v.fixed.replace(/^go/, '')) ? [v.fixed.replace(/^go/, '')] : [];
  });
  if (!fixes.length) return [];
  const want = fixes.sort(compareSemver).at(-1) as string;
  const plan = goReleaseFix(want, text);
  if (!plan) return [];
  return [
    ...plan.edits.map((e) => ({
      rule: 'SG801',
      title: `build with ${plan.release}, which fixes the linked standard-library vulnerabilities`,
      edit: e.edit,
    })),
    ...plan.skipped.map((s) => ({ rule: 'SG801', reason: s.reason, line: s.line })),
  ];
}

/**
 * The fix of a Go entry in words, for the comment and the text output: the Go release for the standard
 * library, `go get` for a module; '' when it is not linked (nothing to do) or no fix is named.
 */
export function goFixText(v: NonNullable<Report['findings'][number]['vulnerability']>): string {
  if (!v.reachability || v.reachability === 'not-linked' || !v.fixed) return '';
  if (isStdlib(v.package.name)) {
    const r = goReleaseFix(v.fixed);
    return r ? `fix: build with ${r.release}` : '';
  }
  const m = goModuleFix(v.package.name, v.fixed);
  return m ? `fix: ${m.command}` : '';
}
