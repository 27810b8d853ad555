/**
 * Python packages installed as eggs' metadata (setuptools' `.egg-info`; Debian's own `python3-*`
 * packages ship most of their Python packages this way), in its two forms:
 *
 * | path                                      | kind            | gives                                   |
 * | ----------------------------------------- | --------------- | --------------------------------------- |
 * | SITE/NAME[-VER].egg-info/PKG-INFO          | egg-pkg-info    | Name, Version, License                  |
 * | SITE/NAME[-VER].egg-info/installed-files.txt | egg-files     | the paths it installed (relative to it) |
 * | SITE/NAME[-VER].egg-info/top_level.txt     | egg-top-level   | its top-level modules under SITE        |
 * | SITE/NAME[-VER].egg-info/requires.txt      | egg-requires    | the names it needs                      |
 * | SITE/NAME-VER[-pyX.Y].egg-info (a file)    | egg-pkg-info    | Name, Version, License                  |
 *
 * The parts of one directory share a `key` (the .egg-info directory), which joins them; the package owns
 * that directory. SOURCES.txt lists the paths of the source tree, not what was installed: it is not read.
 * A module named in top_level.txt owns SITE/MODULE (a package directory) and SITE/MODULE.py.
 * Every file is read line by line up to LINE_CAP bytes in all.
 */
import { decodeName } from '../util/names.js';
import { cleanPath } from '../util/paths.js';
import {
  MAX_DEPENDS,
  MAX_PATHS,
  dirOf,
  emptyResult,
  fieldOf,
  note,
  type LangPackage,
  type LangReader,
  type LangResult,
} from './lang.js';
import { purlOf, spdxOf } from './ids.js';

export type EggKind = 'egg-pkg-info' | 'egg-files' | 'egg-top-level' | 'egg-requires';

const LINE_CAP = 4 * 1024 * 1024;
const MAX_LINE = 8 * 1024;

const PARTS: Record<string, EggKind> = {
  'PKG-INFO': 'egg-pkg-info',
  'installed-files.txt': 'egg-files',
  'top_level.txt': 'egg-top-level',
  'requires.txt': 'egg-requires',
};

/** Which part of an egg's metadata a path is, or undefined. Cheap: it runs for every file. */
export function eggKind(path: string): EggKind | undefined {
  if (path.endsWith('.egg-info')) return 'egg-pkg-info'; // the single-file form (a directory has no body)
  const slash = path.lastIndexOf('/');
  if (!path.slice(0, slash).endsWith('.egg-info')) return undefined;
  return PARTS[path.slice(slash + 1)];
}

export function eggReader(kind: EggKind, path: string): LangReader {
  const lines: Buffer[] = [];
  let have = 0;
  let carry: Buffer | undefined;
  const r = emptyResult();
  // PKG-INFO's headers end at the first blank line: the long description after it is not kept.
  const headers = kind === 'egg-pkg-info';
  let done = false;
  let skipping = false;
  const push = (b: Buffer): void => {
    if (done) return;
    const line = b[b.length - 1] === 13 ? b.subarray(0, -1) : b;
    if (headers && line.length === 0) done = true;
    else if (line.length > MAX_LINE) r.cut++;
    else lines.push(line);
  };
  return {
    write(chunk) {
      if (have >= LINE_CAP || done) return;
      let buf = Buffer.from(chunk.subarray(0, LINE_CAP - have));
      have += buf.length;
      if (have >= LINE_CAP) r.cut++;
      if (carry) buf = Buffer.concat([carry, buf]);
      let from = 0;
      for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, from)) {
        if (skipping)
          skipping = false; // the end of an overlong line already counted
        else push(buf.subarray(from, nl));
        from = nl + 1;
      }
      carry = from < buf.length && !skipping ? buf.subarray(from) : undefined;
      if (carry && carry.length > MAX_LINE) {
        r.cut++;
        carry = undefined;
        skipping = true;
      }
    },
    end() {
      if (carry) push(carry);
      const egg = path.endsWith('.egg-info') ? path : dirOf(path);
      if (path !== egg) r.key = egg;
      if (kind === 'egg-pkg-info') pkgInfo(lines, egg, r);
      else if (kind === 'egg-requires') requires(lines, r);
      else listed(kind, lines, egg, r);
      return r;
    },
  };
}

/** PKG-INFO: email-style headers up to the first blank line. */
function pkgInfo(lines: Buffer[], egg: string, r: LangResult): void {
  const f = new Map<string, string>();
  for (const line of lines) {
    if (line.length === 0) break;
    const c = line.indexOf(58);
    if (c <= 0 || c > 64 || line[0] === 32 || line[0] === 9) continue;
    const key = line.toString('latin1', 0, c).toLowerCase();
    if ((key === 'name' || key === 'version' || key === 'license') && !f.has(key)) {
      const v = fieldOf(line.subarray(c + 1), r);
      if (v) f.set(key, v);
    }
  }
  const name = f.get('name');
  if (!name) {
    r.bad++;
    note(r, 'an egg-info without a Name');
    return;
  }
  const version = f.get('version') ?? null;
  const p: LangPackage = { manager: 'python-egg', name, version, dirs: [egg] };
  // A file form owns itself, not a directory.
  if (r.key === undefined) {
    delete p.dirs;
    p.files = [egg];
  }
  const purl = purlOf('pypi', null, name, version);
  if (purl) p.purl = purl;
  const lic = f.get('license');
  const licenses = lic && lic !== 'UNKNOWN' ? spdxOf(lic) : undefined;
  if (licenses) p.license = licenses;
  r.packages.push(p);
}

/** requires.txt: one requirement a line; "[extra]" sections are optional ones and are not kept. */
function requires(lines: Buffer[], r: LangResult): void {
  const out: string[] = [];
  for (const line of lines) {
    const s = line.toString('latin1').trim();
    if (s.startsWith('[')) break;
    const m = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(s);
    if (!m) continue;
    if (out.length >= MAX_DEPENDS) {
      r.cut++;
      break;
    }
    out.push(m[0]);
  }
  if (out.length) r.dependsOn = out;
}

/** installed-files.txt (paths relative to the egg-info directory) and top_level.txt (module names). */
function listed(kind: EggKind, lines: Buffer[], egg: string, r: LangResult): void {
  const site = dirOf(egg);
  const out: string[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    if (out.length >= MAX_PATHS) {
      r.cut++;
      break;
    }
    const name = line.includes(0) ? undefined : decodeName(line);
    if (kind === 'egg-top-level') {
      if (name && !name.includes('/') && name !== '.' && name !== '..')
        out.push(`${site}/${name}`, `${site}/${name}.py`);
      else r.bad++;
      continue;
    }
    const p = name ? cleanPath(`${egg}/${name}`) : undefined;
    if (p && !name?.startsWith('/')) out.push(p);
    else r.bad++;
  }
  if (kind === 'egg-top-level') r.dirs = out;
  else r.files = out;
}
