/**
 * What both SBOM formats (sbom-cyclonedx.ts, sbom-spdx.ts) say about a report, worked out once: stable
 * references for every package, Go binary and module, the files each package owns (bounded), the layer that
 * brought it, and its dependencies resolved within its own manager. Image text is carried as data (JSON
 * escapes it); Go build settings and the image's environment are never read here, so no secret value can
 * reach an SBOM.
 */
import { createHash } from 'node:crypto';
import type { Report, ReportBinary, ReportGoModule, ReportPackage } from '../types/report.js';

/** Files listed as a package's evidence: beyond this the SBOM says how many were left out. */
export const MAX_FILES_PER_PACKAGE = 500;

interface SbomFile {
  path: string;
  /** Its index in `report.files`: a stable, unique id for SPDX. */
  index: number;
}

export interface SbomPackage {
  ref: string;
  spdxId: string;
  pkg: ReportPackage;
  diffId: string | undefined;
  files: SbomFile[];
  /** Files it owns that `files` leaves out (the bound). */
  omittedFiles: number;
  /** Refs of the packages of the same manager it depends on, unique, in its database's order. */
  dependsOn: string[];
  /** No package of the image depends on it (or its manager records no dependencies). */
  direct: boolean;
}

interface SbomModule {
  ref: string;
  spdxId: string;
  name: string;
  version: string;
  purl: string | undefined;
  role: 'main' | 'dependency' | 'stdlib';
}

export interface SbomBinary {
  ref: string;
  spdxId: string;
  binary: ReportBinary;
  goVersion: string;
  modules: SbomModule[];
  truncated: boolean;
}

export interface SbomModel {
  report: Report;
  imageRef: string;
  packages: SbomPackage[];
  binaries: SbomBinary[];
}

/** A 16-hex-digit id from `key`: stable across runs, unique within a document (collisions get a suffix). */
function idMaker(prefix: string): (key: string) => string {
  const used = new Set<string>();
  return (key) => {
    const base = `${prefix}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
}

/** Unique bom-refs: the first holder of a key keeps it, later ones get `#2`, `#3`… */
function refMaker(): (key: string) => string {
  const used = new Set<string>();
  return (key) => {
    let ref = key;
    for (let n = 2; used.has(ref); n++) ref = `${key}#${n}`;
    used.add(ref);
    return ref;
  };
}

function filesByOwner(report: Report): Map<number, { files: SbomFile[]; omitted: number }> {
  const owned = new Map<number, { files: SbomFile[]; omitted: number }>();
  report.files.forEach((f, index) => {
    if (f.owner === undefined || f.type === 'dir') return;
    let o = owned.get(f.owner);
    if (!o) owned.set(f.owner, (o = { files: [], omitted: 0 }));
    if (o.files.length < MAX_FILES_PER_PACKAGE) o.files.push({ path: f.path, index });
    else o.omitted++;
  });
  return owned;
}

/** `manager\0name` → ref, also under the name before `:` (dpkg's NAME:ARCH) when that is not taken. */
function nameIndex(packages: readonly SbomPackage[]): Map<string, string> {
  const byName = new Map<string, string>();
  for (const p of packages) byName.set(`${p.pkg.manager}\0${p.pkg.name}`, p.ref);
  for (const p of packages) {
    const colon = p.pkg.name.indexOf(':');
    const key = `${p.pkg.manager}\0${p.pkg.name.slice(0, colon)}`;
    if (colon > 0 && !byName.has(key)) byName.set(key, p.ref);
  }
  return byName;
}

function resolveDependencies(packages: SbomPackage[]): void {
  const byName = nameIndex(packages);
  const needed = new Set<string>();
  for (const p of packages) {
    const refs = new Set<string>();
    for (const name of p.pkg.dependsOn ?? []) {
      const ref = byName.get(`${p.pkg.manager}\0${name}`);
      // Unknown names (virtual packages, alternatives not installed) are dropped; a self-loop says nothing.
      if (ref !== undefined && ref !== p.ref) refs.add(ref);
    }
    p.dependsOn = [...refs];
    for (const r of refs) needed.add(r);
  }
  for (const p of packages) p.direct = !needed.has(p.ref);
}

/** `ref` and `spdx` are the document's: every bom-ref and SPDXID unique across binaries and packages. */
function goModules(
  binRef: string,
  go: NonNullable<ReportBinary['go']>,
  ref: (key: string) => string,
  spdx: (key: string) => string,
): SbomModule[] {
  const mod = (m: ReportGoModule, role: SbomModule['role']): SbomModule => {
    const key = `${binRef}|${m.path}@${m.version}`;
    return {
      ref: ref(key),
      spdxId: spdx(key),
      name: m.path,
      version: m.version,
      purl: m.purl,
      role,
    };
  };
  const out: SbomModule[] = [];
  if (go.main) out.push(mod(go.main, 'main'));
  for (const d of go.deps) {
    // What was linked is the replacement, unless it is a directory: then the module's own path says more.
    const linked = d.replace && !/^[./]/.test(d.replace.path) ? { ...d.replace, purl: d.purl } : d;
    out.push(mod(linked, 'dependency'));
  }
  if (go.stdlib) {
    const key = `${binRef}|stdlib@${go.stdlib.version}`;
    out.push({
      ref: ref(key),
      spdxId: spdx(key),
      name: 'stdlib',
      version: go.stdlib.version,
      purl: go.stdlib.purl,
      role: 'stdlib',
    });
  }
  return out;
}

export function sbomModel(report: Report): SbomModel {
  const ref = refMaker();
  const spdx = idMaker('SPDXRef-Package');
  const imageRef = ref('image');
  const owned = filesByOwner(report);
  const packages: SbomPackage[] = (report.packages ?? []).map((pkg, i) => {
    const key = pkg.purl ?? `slimgate:${pkg.manager}/${pkg.name}@${pkg.version ?? ''}`;
    const o = owned.get(i);
    return {
      ref: ref(key),
      spdxId: spdx(key),
      pkg,
      diffId: pkg.layer === undefined ? undefined : report.layers[pkg.layer]?.diffId,
      files: o?.files ?? [],
      omittedFiles: o?.omitted ?? 0,
      dependsOn: [],
      direct: true,
    };
  });
  resolveDependencies(packages);
  const binSpdx = idMaker('SPDXRef-Binary');
  const modSpdx = idMaker('SPDXRef-GoModule');
  const binaries: SbomBinary[] = [];
  for (const b of report.binaries ?? []) {
    if (!b.go) continue;
    const key = `slimgate:binary${b.path}`;
    const binRef = ref(key);
    binaries.push({
      ref: binRef,
      spdxId: binSpdx(key),
      binary: b,
      goVersion: b.go.version,
      modules: goModules(binRef, b.go, ref, modSpdx),
      truncated: b.go.truncated === true,
    });
  }
  return { report, imageRef, packages, binaries };
}

/** ISO 8601 in UTC to the second, as both formats write it. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A version-5-shaped UUID from a SHA-256 (hex): the same document and time give the same serial. */
export function hashUuid(h: string): string {
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A license expression as the report gives it, kept only when it has an SPDX expression's characters; a
 * line of prose or markup from a database is not an expression, and is better absent than invalid.
 */
export function licenseExpression(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  return t.length > 0 && t.length <= 1000 && /^[A-Za-z0-9.+\-:() ]+$/.test(t) ? t : undefined;
}

/** The image's digest as a bare sha256 hex, when it is one. */
export function digestHex(digest: string): string | undefined {
  return /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
}

/** Control characters out of one-line fields (supplier, names in SPDX agent syntax). */
export function oneLineText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** Items written as a JSON array one at a time (see jsonChunks). */
export class JsonItems {
  constructor(readonly items: Iterable<unknown>) {}
}

/** Chunks of about this many characters: the writer's buffer, not the document, bounds the memory. */
const CHUNK = 1 << 16;

/**
 * A JSON object as chunks of text, in the order of `fields`, JsonItems streamed element by element: a
 * 100,000-file document never exists whole, as objects or as one string (the memory bound of issue 25).
 * The last field, `last.key`, is made from the SHA-256 of everything before it (the document and its
 * time), so the same image and time give the same bytes, and another image another serial.
 */
export function* jsonChunks(
  fields: Record<string, unknown>,
  last: { key: string; value: (hashHex: string) => string },
): Generator<string> {
  const hash = createHash('sha256');
  let buf = '{';
  const flush = (): string => {
    hash.update(buf);
    const out = buf;
    buf = '';
    return out;
  };
  let first = true;
  for (const [k, v] of Object.entries(fields)) {
    buf += `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    if (!(v instanceof JsonItems)) {
      buf += JSON.stringify(v);
      continue;
    }
    buf += '[';
    let n = 0;
    for (const x of v.items) {
      buf += `${n++ ? ',' : ''}${JSON.stringify(x)}`;
      if (buf.length >= CHUNK) yield flush();
    }
    buf += ']';
  }
  hash.update(buf);
  yield `${buf},${JSON.stringify(last.key)}:${JSON.stringify(last.value(hash.digest('hex')))}}\n`;
}
