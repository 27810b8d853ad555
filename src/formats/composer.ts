/**
 * PHP's `vendor/composer/installed.json`: the packages Composer installed. Composer 1 writes an array of
 * packages, Composer 2 `{"packages": [...]}`. Each has `name` ("vendor/pkg": the purl's namespace and name), `version`, `license` (a list
 * of alternatives: joined with OR), `require` (its dependencies; platform requirements such as `php` or
 * `ext-json` have no slash and are not packages) and, from Composer 2, `install-path`, relative to
 * vendor/composer/ (Composer 1: vendor/NAME). The package owns that directory.
 *
 * The document is held whole up to INSTALLED_CAP and parsed once; past the cap, a note and no packages.
 */
import { cleanPath } from '../util/paths.js';
import {
  Hold,
  MAX_DEPENDS,
  MAX_PACKAGES,
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

const INSTALLED_CAP = 16 * 1024 * 1024;

export function isComposerInstalled(path: string): boolean {
  return path.endsWith('/vendor/composer/installed.json');
}

export function composerReader(path: string): LangReader {
  const hold = new Hold(INSTALLED_CAP);
  return {
    write: (chunk) => hold.write(chunk),
    end: () => {
      const r = emptyResult();
      const doc = heldJson(hold, r, 'a Composer installed.json', INSTALLED_CAP);
      if (doc === undefined) return r;
      const list = Array.isArray(doc) ? doc : isObject(doc) ? doc['packages'] : undefined;
      if (!Array.isArray(list)) {
        r.bad++;
        note(r, 'a Composer installed.json without its packages');
        return r;
      }
      const here = dirOf(path); // …/vendor/composer
      for (const item of list) {
        if (r.packages.length >= MAX_PACKAGES) {
          r.cut++;
          break;
        }
        const p = isObject(item) ? one(item, here, r) : undefined;
        if (p) r.packages.push(p);
        else r.bad++;
      }
      return r;
    },
  };
}

function one(o: Record<string, unknown>, here: string, r: LangResult): LangPackage | undefined {
  const full = textOf(o['name'], r);
  if (!full) return undefined;
  const version = textOf(o['version'], r);
  const slash = full.indexOf('/');
  const p: LangPackage = { manager: 'composer', name: full.slice(slash + 1), version };
  if (slash > 0) p.namespace = full.slice(0, slash);
  const purl = p.namespace ? purlOf('composer', p.namespace, p.name, version) : undefined;
  if (purl) p.purl = purl;
  const lic = o['license'];
  const licenses = spdxOf(
    typeof lic === 'string' ? lic : Array.isArray(lic) ? lic.filter((x) => typeof x === 'string') : null,
  );
  if (licenses) p.license = licenses;
  const req = isObject(o['require']) ? Object.keys(o['require']).filter((k) => k.includes('/')) : [];
  if (req.length > MAX_DEPENDS) r.cut++;
  const deps = req.slice(0, MAX_DEPENDS).flatMap((d) => textOf(d, r) ?? []);
  if (deps.length) p.dependsOn = deps;
  const rel = typeof o['install-path'] === 'string' ? o['install-path'] : `../${full}`;
  const dir = rel.length <= 4096 ? cleanPath(`${here}/${rel}`) : undefined;
  // A path that climbs out of vendor/ is not the package's to own (a path repository links elsewhere).
  if (dir && dir.startsWith(`${dirOf(here)}/`)) p.dirs = [dir];
  return p;
}
