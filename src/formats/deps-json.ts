/**
 * .NET's `APP.deps.json`: the NuGet packages an application was built with. `libraries` lists each
 * "Name/Version" with its type ("package" is a NuGet package; "project" and "reference" are the app's
 * own); `targets` gives, per target framework, each library's `dependencies` and the `runtime` and
 * `native` assets it put next to the app. A package owns those assets: .NET publishes them by file name
 * into the directory that holds the deps.json.
 *
 * The document is held whole up to DEPS_CAP and parsed once; past the cap, a note and no packages.
 */
import {
  Hold,
  MAX_DEPENDS,
  MAX_PACKAGES,
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
import { purlOf } from './ids.js';

const DEPS_CAP = 16 * 1024 * 1024;

export function isDepsJson(path: string): boolean {
  return path.endsWith('.deps.json');
}

export function depsJsonReader(path: string): LangReader {
  const hold = new Hold(DEPS_CAP);
  return {
    write: (chunk) => hold.write(chunk),
    end: () => {
      const r = emptyResult();
      const doc = heldJson(hold, r, 'a deps.json', DEPS_CAP);
      if (doc === undefined) return r;
      if (!isObject(doc) || !isObject(doc['libraries'])) {
        r.bad++;
        note(r, 'a deps.json without its libraries');
        return r;
      }
      read(doc['libraries'], isObject(doc['targets']) ? doc['targets'] : {}, dirOf(path), r);
      return r;
    },
  };
}

function read(
  libraries: Record<string, unknown>,
  targets: Record<string, unknown>,
  dir: string,
  r: LangResult,
): void {
  let paths = 0;
  const entries = targetEntries(targets);
  for (const [key, lib] of Object.entries(libraries)) {
    if (!isObject(lib) || lib['type'] !== 'package') continue;
    if (r.packages.length >= MAX_PACKAGES) {
      r.cut++;
      break;
    }
    const slash = key.lastIndexOf('/');
    const name = slash > 0 ? textOf(key.slice(0, slash), r) : null;
    const version = slash > 0 ? textOf(key.slice(slash + 1), r) : null;
    if (!name || !version) {
      r.bad++;
      continue;
    }
    const p: LangPackage = { manager: 'nuget', name, version };
    const purl = purlOf('nuget', null, name, version);
    if (purl) p.purl = purl;
    const t = entries.get(key);
    const deps = isObject(t?.['dependencies']) ? Object.keys(t['dependencies']) : [];
    if (deps.length > MAX_DEPENDS) r.cut++;
    const names = deps.slice(0, MAX_DEPENDS).flatMap((d) => textOf(d, r) ?? []);
    if (names.length) p.dependsOn = names;
    const files = assets(t, dir, r);
    paths += files.length;
    if (paths > MAX_PATHS) r.cut++;
    else if (files.length) p.files = files;
    r.packages.push(p);
  }
}

/** Each library's entry in the first target framework that lists it: one pass over all targets. */
function targetEntries(targets: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const t of Object.values(targets)) {
    if (!isObject(t)) continue;
    for (const [key, e] of Object.entries(t)) if (isObject(e) && !out.has(key)) out.set(key, e);
  }
  return out;
}

/** Runtime and native assets, by file name, next to the deps.json (where `dotnet publish` puts them). */
function assets(t: Record<string, unknown> | undefined, dir: string, r: LangResult): string[] {
  const out: string[] = [];
  for (const kind of ['runtime', 'native']) {
    const a = t?.[kind];
    if (!isObject(a)) continue;
    for (const rel of Object.keys(a)) {
      const base = textOf(rel.slice(rel.lastIndexOf('/') + 1), r);
      if (base && base !== '.' && base !== '..') out.push(dir === '/' ? `/${base}` : `${dir}/${base}`);
    }
  }
  return out;
}
