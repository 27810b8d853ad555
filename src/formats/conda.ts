/**
 * conda's `PREFIX/conda-meta/NAME-VERSION-BUILD.json`: one installed package of the environment at
 * PREFIX. It records `name`, `version`, `build`, `license`, `depends` ("name >=1.2 build"), `channel`
 * and `files`, the paths it installed relative to PREFIX, which it owns.
 *
 * The document is held whole up to META_CAP (a package with tens of thousands of files is a few MB) and
 * parsed once; past the cap, a note and no package.
 */
import { cleanPath } from '../util/paths.js';
import {
  Hold,
  MAX_DEPENDS,
  MAX_PATHS,
  dirOf,
  emptyResult,
  heldJson,
  isObject,
  note,
  textOf,
  type LangPackage,
  type LangReader,
  type LangResult,
} from './lang.js';
import { purlOf, spdxOf } from './ids.js';

const META_CAP = 16 * 1024 * 1024;

export function isCondaMeta(path: string): boolean {
  const slash = path.lastIndexOf('/');
  return path.endsWith('.json') && path.slice(0, slash).endsWith('/conda-meta') && path[slash + 1] !== '.';
}

export function condaReader(path: string): LangReader {
  const hold = new Hold(META_CAP);
  return {
    write: (chunk) => hold.write(chunk),
    end: () => {
      const r = emptyResult();
      const doc = heldJson(hold, r, 'a conda-meta file', META_CAP);
      if (doc === undefined) return r;
      const p = isObject(doc) ? one(doc, dirOf(dirOf(path)), r) : undefined;
      if (p) r.packages.push(p);
      else {
        r.bad++;
        note(r, 'a conda-meta file without a name');
      }
      return r;
    },
  };
}

function one(o: Record<string, unknown>, prefix: string, r: LangResult): LangPackage | undefined {
  const name = textOf(o['name'], r);
  if (!name) return undefined;
  const version = textOf(o['version'], r);
  const p: LangPackage = { manager: 'conda', name, version };
  const build = textOf(o['build'], r);
  const subdir = textOf(o['subdir'], r);
  const q: Record<string, string> = {};
  if (build) q['build'] = build;
  if (subdir) q['subdir'] = subdir;
  const purl = purlOf('conda', null, name, version, q);
  if (purl) p.purl = purl;
  const licenses = typeof o['license'] === 'string' ? spdxOf(o['license']) : undefined;
  if (licenses) p.license = licenses;
  const channel = textOf(o['channel'], r);
  if (channel) p.source = channel;
  const deps = Array.isArray(o['depends']) ? o['depends'] : [];
  if (deps.length > MAX_DEPENDS) r.cut++;
  const names = deps.slice(0, MAX_DEPENDS).flatMap((d) => {
    const s = typeof d === 'string' ? d.trim().split(/\s/, 1)[0] : undefined;
    return (s && textOf(s, r)) || [];
  });
  if (names.length) p.dependsOn = names;
  const files = paths(o['files'], prefix, r);
  if (files.length) p.files = files;
  return p;
}

function paths(list: unknown, prefix: string, r: LangResult): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const f of list) {
    if (out.length >= MAX_PATHS) {
      r.cut++;
      break;
    }
    const rel = typeof f === 'string' && f.length <= 4096 ? f : undefined;
    // Paths are relative to the prefix; one that climbs out of it is not the package's to own.
    const p = rel && !rel.startsWith('/') ? cleanPath(`${prefix}/${rel}`) : undefined;
    if (p && (prefix === '/' || p.startsWith(`${prefix}/`))) out.push(p);
    else r.bad++;
  }
  return out;
}
