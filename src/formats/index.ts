/**
 * The format modules, in the order their packages claim paths (OS databases first), and the few things
 * the scan and the cache need from the list as a whole. Adding a manager is one module added here.
 */
import type { Budget, FileMatch, FormatModule, ParsedDb, StreamParser } from './contract.js';
import { apk } from './apk.js';
import { dpkg } from './dpkg.js';
import { gem } from './gem.js';
import { cargo, composer, conda, maven, nuget } from './lang-modules.js';
import { npm } from './npm.js';
import { python } from './python.js';
import { MAX_FIELD } from './read.js';
import { rpm } from './rpm.js';

export const FORMATS: readonly FormatModule[] = [
  dpkg,
  apk,
  rpm,
  python,
  npm,
  gem,
  maven,
  nuget,
  composer,
  conda,
  cargo,
];

const byKind = new Map<string, FormatModule>();
for (const m of FORMATS) for (const k of m.kinds) byKind.set(k, m);

/** The module that parses this kind of file. */
export const moduleOf = (kind: string): FormatModule | undefined => byKind.get(kind);

/** Which module's file a path is, or undefined. Cheap: this runs for every file of every layer. */
export function matchFile(path: string): FileMatch | undefined {
  for (const m of FORMATS) {
    const hit = m.match(path);
    if (hit) return hit;
  }
  return undefined;
}

/** The parser of a matched file. */
export function parserFor(match: FileMatch, path: string, budget: Budget): StreamParser {
  const m = byKind.get(match.kind);
  if (!m) throw new Error(`no format module parses ${match.kind}`);
  return m.parser(match, path, budget);
}

/**
 * Characters of listed paths and records one layer's scan may keep: a base plus a multiple of the path
 * characters of the layer's own entries seen so far (a file list names files of the image, mostly of its
 * own layer). This bounds a worker's memory; the image as a whole is held to one budget again when its
 * packages are assembled (src/analysis/owners.ts).
 */
export class PathBudget implements Budget {
  private left: number;
  constructor(base = 16 * 1024 * 1024) {
    this.left = base;
  }
  grow(nameLength: number): void {
    this.left += 4 * nameLength;
  }
  take(n: number): boolean {
    if (n > this.left) return false;
    this.left -= n;
    return true;
  }
}

const isCount = (n: unknown): boolean => n === undefined || (Number.isSafeInteger(n) && (n as number) >= 0);
const isText = (s: unknown, max = MAX_FIELD): boolean => typeof s === 'string' && s.length <= max;
const isOpt = (s: unknown, max = MAX_FIELD): boolean => s === undefined || isText(s, max);
const isNames = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.every((x) => isText(x)));
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function isRecord(p: unknown): boolean {
  if (!isObj(p)) return false;
  const src = p['source'];
  return (
    // A namespaced name ("group:artifact", "vendor/name") joins two fields.
    isText(p['name'], p['namespace'] === undefined ? MAX_FIELD : 2 * MAX_FIELD + 1) &&
    (p['version'] === null || isText(p['version'])) &&
    isOpt(p['epoch']) &&
    isOpt(p['arch']) &&
    isCount(p['declaredSize']) &&
    (p['files'] === undefined || typeof p['files'] === 'string') &&
    (src === undefined ||
      (isObj(src) && isText(src['name']) && (src['version'] === null || isText(src['version'])))) &&
    isOpt(p['license'], 1024) &&
    isOpt(p['supplier']) &&
    isNames(p['dependsOn']) &&
    isOpt(p['namespace']) &&
    isOpt(p['platform']) &&
    isOpt(p['purl'], 4096) &&
    (p['dir'] === undefined || typeof p['dir'] === 'string') &&
    (p['inside'] === undefined || typeof p['inside'] === 'string')
  );
}

/** True when a value read back (the layer cache) has the shape of a ParsedDb of a known module. */
export function isParsedDb(v: unknown): v is ParsedDb {
  if (!isObj(v) || typeof v['kind'] !== 'string' || !byKind.has(v['kind'])) return false;
  if (!isCount(v['cut']) || !isCount(v['outside']) || !isCount(v['bad'])) return false;
  if (v['files'] !== undefined && typeof v['files'] !== 'string') return false;
  if (!isNames(v['names']) || !isNames(v['more'])) return false;
  if (!isOpt(v['key'], 1 << 20) || (v['dirs'] !== undefined && typeof v['dirs'] !== 'string')) return false;
  const notes = v['notes'];
  if (notes !== undefined && !(Array.isArray(notes) && notes.every((x) => isText(x, 1024)))) return false;
  const pkgs = v['packages'];
  return pkgs === undefined || (Array.isArray(pkgs) && pkgs.every(isRecord));
}
