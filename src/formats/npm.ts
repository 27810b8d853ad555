/**
 * npm: every package.json.
 *
 * | file                                         | kind    | keeps                                          |
 * | -------------------------------------------- | ------- | ---------------------------------------------- |
 * | …/node_modules/[@scope/]NAME/package.json    | npm     | name, version, license, author, dependencies   |
 * | any other package.json (an application's)    | npm-app | its devDependencies' and dependencies' names   |
 *
 * A package owns its directory (nested node_modules are packages of their own). "dependencies" here are
 * what npm installs under --omit=dev: dependencies, optionalDependencies and peerDependencies.
 */
import type {
  AppManifest,
  Assembled,
  Budget,
  Counts,
  FileMatch,
  FormatModule,
  FoundDb,
  PackageRecord,
  ParsedDb,
} from './contract.js';
import { purl } from './purl.js';
import { dependencyNames, dirOf, JsonReader, recordCost, textField } from './read.js';

function match(path: string): FileMatch | undefined {
  if (!path.endsWith('/package.json')) return undefined;
  const slash = path.length - '/package.json'.length;
  const i = path.lastIndexOf('/node_modules/');
  if (i === -1) return { kind: 'npm-app' };
  // Only a package's own root: node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json.
  const rest = path.slice(i + '/node_modules/'.length, slash);
  const parts = rest.split('/');
  if (parts.length === 1 && !rest.startsWith('@') && !rest.startsWith('.')) return { kind: 'npm' };
  if (parts.length === 2 && rest.startsWith('@')) return { kind: 'npm' };
  return undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const keysOf = (v: unknown): string[] => (isObj(v) ? Object.keys(v) : []);

/** What npm installs besides the devDependencies. */
const runtime = (o: Record<string, unknown>): string[] => [
  ...keysOf(o['dependencies']),
  ...keysOf(o['optionalDependencies']),
  ...keysOf(o['peerDependencies']),
];

/** "MIT", { type: "MIT" }, or the old [{ type }] list. */
function licenseOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v) && typeof v['type'] === 'string') return v['type'];
  if (Array.isArray(v) && v.length === 1) return licenseOf(v[0]);
  return undefined;
}

function authorOf(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\s*[<(].*$/, '');
  return isObj(v) ? v['name'] : undefined;
}

function readPackage(o: Record<string, unknown>, db: ParsedDb, counts: Counts, budget: Budget): void {
  const name = textField(o['name'], counts);
  if (!name) return;
  const rec: PackageRecord = { name, version: textField(o['version'], counts) };
  const license = textField(licenseOf(o['license'] ?? o['licenses']), counts);
  if (license) rec.license = license;
  const author = textField(authorOf(o['author']), counts);
  if (author) rec.supplier = author;
  const deps = dependencyNames(runtime(o), counts);
  if (deps) rec.dependsOn = deps;
  if (!budget.take(recordCost(rec))) {
    counts.cut++;
    return;
  }
  db.packages = [rec];
}

function readApp(o: Record<string, unknown>, db: ParsedDb, counts: Counts, budget: Budget): void {
  const dev = dependencyNames(keysOf(o['devDependencies']), counts);
  if (!dev) return; // only an application with devDependencies matters (SG403)
  const prod = dependencyNames(runtime(o), counts) ?? [];
  const cost = [...dev, ...prod].reduce((n, s) => n + s.length + 8, 64);
  if (!budget.take(cost)) {
    counts.cut++;
    return;
  }
  db.names = dev;
  if (prod.length) db.more = prod;
}

function assemble(found: readonly FoundDb[]): Assembled {
  const packages: Assembled['packages'] = [];
  const apps: AppManifest[] = [];
  for (const d of found) {
    if (d.db.kind === 'npm-app') {
      if (d.db.names?.length)
        apps.push({ path: d.path, devDependencies: d.db.names, dependencies: d.db.more ?? [] });
      continue;
    }
    const rec = d.db.packages?.[0];
    if (rec) packages.push({ manager: 'npm', record: rec, dir: dirOf(d.path), layer: d.layer });
  }
  return { packages, notes: [], apps };
}

export const npm: FormatModule = {
  id: 'npm',
  tier: 'lang',
  kinds: ['npm', 'npm-app'],
  match,
  parser: (m, _path, budget) =>
    new JsonReader(m.kind, (o, db, counts) =>
      m.kind === 'npm' ? readPackage(o, db, counts, budget) : readApp(o, db, counts, budget),
    ),
  assemble,
  // An @scope is the purl's namespace ("pkg:npm/%40scope/name@1.0.0").
  purl: (rec) => {
    const m = /^(@[^/]+)\/(.+)$/.exec(rec.name);
    return m ? purl('npm', m[1], m[2] as string, rec.version) : purl('npm', undefined, rec.name, rec.version);
  },
};
