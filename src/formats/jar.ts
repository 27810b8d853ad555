/**
 * Java archives (.jar, .war, .ear): which Maven packages they are. The archive is held whole up to
 * JAR_CAP (a ZIP is read from its end); past it, a note and no packages. Only the entries needed are
 * inflated: every `META-INF/maven/GROUP/ARTIFACT/pom.properties` (a shaded jar holds several, one per
 * package inside it), `META-INF/MANIFEST.MF` when there is no pom.properties, and the archives nested in
 * it (Spring Boot's `BOOT-INF/lib/*.jar`, a war's `WEB-INF/lib/*.jar`, an ear's modules), read the same
 * way down to MAX_DEPTH.
 *
 * Ownership: the file on disk is the unit a layer holds, so every package found in it, nested ones
 * included, owns that one path (`files`); `inside` names the nested archive it came from
 * ("BOOT-INF/lib/a.jar"), so the same jar twice in two apps is two packages with two owners.
 *
 * Bounds: entries listed per archive (MAX_ENTRIES), bytes inflated per entry (by kind) and per outer file
 * (INFLATE_BUDGET), nested archives per outer file (MAX_NESTED) and depth (MAX_DEPTH). A zip bomb, a
 * central directory that claims a million entries or offsets that point anywhere each end as a note.
 */
import { decodeName } from '../util/names.js';
import {
  Hold,
  MAX_PACKAGES,
  emptyResult,
  fieldOf,
  note,
  type LangPackage,
  type LangReader,
  type LangResult,
} from './lang.js';
import { purlOf } from './ids.js';
import { listZip, readEntry, type ZipEntry } from './zip.js';

/** How much of a Java archive is held; larger ones are noted, not read. */
const JAR_CAP = 64 * 1024 * 1024;
const MAX_ENTRIES = 100_000;
const MAX_DEPTH = 8;
const MAX_NESTED = 2_000;
/** Bytes inflated for one outer file in all: nested archives, manifests and pom.properties. */
const INFLATE_BUDGET = 256 * 1024 * 1024;
const SMALL_CAP = 64 * 1024;

const ARCHIVE = /\.(?:jar|war|ear)$/i;

/** True for a path the Java reader takes. Cheap: it runs for every file. */
export function isJavaArchive(path: string): boolean {
  // One comparison for nearly every path; the pattern only for a 3-letter extension.
  return path.charCodeAt(path.length - 4) === 46 && ARCHIVE.test(path);
}

export function jarReader(path: string): LangReader {
  const hold = new Hold(JAR_CAP);
  return {
    write: (chunk) => hold.write(chunk),
    end: () => {
      const r = emptyResult();
      if (hold.over) {
        r.cut++;
        note(r, `a Java archive larger than ${JAR_CAP / 1024 / 1024} MiB: not read`);
        return r;
      }
      const walk: Walk = { r, path, budget: INFLATE_BUDGET, nested: 0 };
      readArchive(walk, hold.take(), '', baseName(path), 0);
      return r;
    },
  };
}

interface Walk {
  r: LangResult;
  /** The outer file: what every package found owns. */
  path: string;
  budget: number;
  nested: number;
}

const POM = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MANIFEST = 'META-INF/MANIFEST.MF';

function wanted(name: Buffer): boolean {
  const n = name.length;
  if (n >= 4 && name[n - 4] === 46 && ARCHIVE.test(name.toString('latin1', n - 4))) return true;
  if (name[0] !== 77 && name[0] !== 109) return false; // 'M' or 'm': META-INF/...
  const s = name.toString('latin1');
  return s === MANIFEST || POM.test(s);
}

function readArchive(w: Walk, buf: Buffer, inside: string, fileName: string, depth: number): void {
  const z = listZip(buf, MAX_ENTRIES, wanted);
  w.r.cut += z.cut;
  for (const n of z.notes) note(w.r, inside ? `${n} (in a nested archive)` : n);
  const poms = z.entries.filter((e) => POM.test(e.name.toString('latin1')));
  let found = 0;
  for (const e of poms) {
    const text = inflate(w, buf, e, SMALL_CAP);
    if (text && addPom(w, properties(text, w.r), inside)) found++;
  }
  if (found === 0) {
    const mf = z.entries.find((e) => e.name.toString('latin1') === MANIFEST);
    const text = mf ? inflate(w, buf, mf, SMALL_CAP * 16) : undefined;
    addManifest(w, text ? manifest(text, w.r) : new Map(), inside, fileName);
  }
  for (const e of z.entries) {
    if (!ARCHIVE.test(e.name.toString('latin1'))) continue;
    if (depth + 1 > MAX_DEPTH) {
      w.r.cut++;
      note(w.r, `archives nested more than ${MAX_DEPTH} deep: not read`);
      return;
    }
    if (++w.nested > MAX_NESTED) {
      w.r.cut++;
      note(w.r, `more than ${MAX_NESTED} nested archives: the rest were not read`);
      return;
    }
    const inner = inflate(w, buf, e, Math.min(JAR_CAP, w.budget));
    if (!inner) continue;
    const name = decodeName(e.name);
    readArchive(w, inner, inside ? `${inside}!/${name}` : name, baseName(name), depth + 1);
  }
}

function inflate(w: Walk, buf: Buffer, e: ZipEntry, cap: number): Buffer | undefined {
  if (w.budget <= 0) {
    w.r.cut++;
    note(w.r, `more than ${INFLATE_BUDGET / 1024 / 1024} MiB inflated from one archive: the rest not read`);
    return undefined;
  }
  const got = readEntry(buf, e, Math.min(cap, w.budget));
  if (typeof got === 'string') {
    w.r.bad++;
    note(w.r, got);
    return undefined;
  }
  w.budget -= got.length;
  return got;
}

function push(w: Walk, p: LangPackage, inside: string): boolean {
  if (w.r.packages.length >= MAX_PACKAGES) {
    w.r.cut++;
    return false;
  }
  p.files = [w.path];
  if (inside) p.inside = inside;
  w.r.packages.push(p);
  return true;
}

function addPom(w: Walk, props: Map<string, string>, inside: string): boolean {
  const group = props.get('groupId');
  const artifact = props.get('artifactId');
  if (!group || !artifact) {
    w.r.bad++;
    return false;
  }
  const version = props.get('version') ?? null;
  const purl = purlOf('maven', group, artifact, version);
  return push(
    w,
    { manager: 'maven', namespace: group, name: artifact, version, ...(purl && { purl }) },
    inside,
  );
}

/** With no pom.properties: the OSGi or JAR manifest names it, else the file name ("name-1.2.jar"). */
function addManifest(w: Walk, m: Map<string, string>, inside: string, fileName: string): void {
  const symbolic = m.get('Bundle-SymbolicName')?.split(';')[0]?.trim();
  let name = m.get('Implementation-Title') ?? symbolic;
  let version = m.get('Implementation-Version') ?? m.get('Bundle-Version') ?? null;
  if (!name) {
    if (fileName.length > 256) return;
    const f = /^(.+?)(?:-(\d[^-]*(?:-[^-]+)*))?\.(?:jar|war|ear)$/i.exec(fileName);
    if (!f?.[1]) return;
    name = f[1];
    version ??= f[2] ?? null;
  }
  const group = m.get('Implementation-Vendor-Id');
  const purl = group ? purlOf('maven', group, name, version) : undefined;
  const p: LangPackage = { manager: 'maven', name, version, ...(purl && { purl }) };
  if (group) p.namespace = group;
  push(w, p, inside);
}

/** A .properties file's "key=value" lines (only the keys Slimgate keeps; no escapes in them in practice). */
function properties(text: Buffer, r: LangResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of splitLines(text)) {
    const eq = line.indexOf(61);
    if (eq <= 0 || line[0] === 35 || line[0] === 33) continue;
    const key = line.toString('latin1', 0, eq).trim();
    if (key !== 'groupId' && key !== 'artifactId' && key !== 'version') continue;
    const v = fieldOf(line.subarray(eq + 1), r);
    if (v) out.set(key, v);
  }
  return out;
}

const MANIFEST_KEYS = new Set([
  'Implementation-Title',
  'Implementation-Version',
  'Implementation-Vendor-Id',
  'Bundle-SymbolicName',
  'Bundle-Version',
]);

/** The main section of a MANIFEST.MF: "Key: value" lines, a line starting with one space continues the last. */
function manifest(text: Buffer, r: LangResult): Map<string, string> {
  const out = new Map<string, string>();
  let key: string | undefined;
  let parts: Buffer[] = [];
  const flush = (): void => {
    if (key && MANIFEST_KEYS.has(key) && !out.has(key)) {
      const v = fieldOf(Buffer.concat(parts), r);
      if (v) out.set(key, v);
    }
    key = undefined;
    parts = [];
  };
  for (const line of splitLines(text)) {
    if (line.length === 0) break; // the end of the main section
    if (line[0] === 32) {
      if (key) parts.push(line.subarray(1));
      continue;
    }
    flush();
    const c = line.indexOf(58);
    if (c <= 0) continue;
    key = line.toString('latin1', 0, c);
    parts = [line.subarray(c + 1)];
  }
  flush();
  return out;
}

function splitLines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  while (from <= b.length) {
    let nl = b.indexOf(10, from);
    if (nl === -1) nl = b.length;
    const end = nl > from && b[nl - 1] === 13 ? nl - 1 : nl;
    out.push(b.subarray(from, end));
    from = nl + 1;
  }
  return out;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
