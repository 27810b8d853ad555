/**
 * Rules over the packages (pure): a build toolchain installed as packages (SG402), an application's
 * devDependencies installed beside it (SG403), and packages whose every file a later layer deleted while a
 * lower layer still ships the bytes (SG604).
 */
import type { LayerInput } from '../flatten/flatten.js';
import { formatBytes } from '../util/bytes.js';
import { dirname } from '../util/paths.js';
import { listSome, type RawFinding } from './finding.js';
import type { OwnedPackage, Owners } from './owners.js';

/**
 * OS packages that exist to build software (only those with files in the image count: a database entry
 * whose files are gone is SG604's): compilers and their drivers, linkers and assemblers, make
 * and its generators, Go/Rust/JDK toolchains, and the C library headers every compile needs.
 */
const TOOLCHAIN =
  /^(?:gcc|g\+\+|cpp|gfortran|clang|llvm|lld|binutils|golang|go|rustc|rust|cargo|make|cmake|ninja-build|automake|autoconf|libtool|build-essential|build-base|musl-dev|libc6?-dev|linux-libc-dev|linux-headers|openjdk-\d+-jdk|openjdk\d+-jdk|libgcc-\d+-dev|libstdc\+\+-\d+-dev)(?:$|[-:.\d])/;
/**
 * Run-time libraries that come with a toolchain's name: GCC's support libraries and their base package.
 * A program built by GCC needs them to run, so they are never a build toolchain, whatever depends on them.
 */
const RUNTIME =
  /^(?:gcc-\d+-base|libgcc-s\d+|libgcc1|libgcc|libstdc\+\+\d*|libgomp\d*|libatomic\d*|libquadmath\d*|libgfortran\d*|libitm\d*|libobjc\d*|libgphobos\d*|libasan\d*|liblsan\d*|libtsan\d*|libubsan\d*|libhwasan\d*)$/;
/** Steps of the production closure of one application (SG403); past it, the rule says nothing. */
const MAX_CLOSURE_STEPS = 1_000_000;
/** A -dev package (headers, static libraries) this large is a build input, not a runtime need. */
const DEV_PACKAGE_MIN = 1_000_000;
/** Below this in total, deleted-but-shipped packages are left to SG603's per-layer count. */
const DELETED_MIN = 1_000_000;

const isOs = (p: OwnedPackage): boolean => p.manager === 'dpkg' || p.manager === 'apk';
const label = (p: OwnedPackage): string => `${p.name}${p.version ? ` ${p.version}` : ''}`;

const bare = (name: string): string => name.replace(/:[^:]*$/, '');

function isToolchainPackage(p: Pick<OwnedPackage, 'name' | 'size'>): boolean {
  const name = bare(p.name);
  if (RUNTIME.test(name)) return false;
  if (TOOLCHAIN.test(name)) return true;
  return /-dev$/.test(name) && p.size >= DEV_PACKAGE_MIN;
}

export function packageRules(owners: Owners, layers: readonly LayerInput[]): RawFinding[] {
  return [...toolchainPackages(owners), ...devDependencies(owners), ...deletedPackages(owners, layers)];
}

/**
 * OS packages with a toolchain's name, less those that a package in the image (with files of its own) that
 * is not one depends on: what the image runs needs them (gcc-12-base for libgcc-s1, make for dkms), so they
 * are not build leftovers. A database entry whose files are gone needs nothing.
 */
function toolchainPackages(owners: Owners): RawFinding[] {
  const named = owners.packages.filter((p) => isOs(p) && p.files > 0 && isToolchainPackage(p));
  if (!named.length) return [];
  const tool = new Set(named);
  const needed = new Set<string>();
  for (const p of owners.packages)
    if (isOs(p) && p.files > 0 && !tool.has(p))
      for (const d of p.record.dependsOn ?? []) needed.add(`${p.manager}\0${bare(d)}`);
  const tools = named.filter((p) => !needed.has(`${p.manager}\0${bare(p.name)}`));
  if (!tools.length) return [];
  const bytes = tools.reduce((n, p) => n + p.size, 0);
  const mgr = (tools[0] as OwnedPackage).manager;
  return [
    {
      id: 'SG402',
      message:
        `${tools.length} build toolchain package${tools.length === 1 ? '' : 's'} (${mgr}) ship ` +
        `${formatBytes(bytes)}: ${listSome(
          tools.map((p) => `${label(p)} ${formatBytes(p.size)}`),
          5,
        )}`,
    },
  ];
}

/** The npm package `name` as Node resolves it from `from`: the nearest node_modules/name above. */
function resolveNpm(owners: Owners, from: string, name: string): OwnedPackage | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (!dir.endsWith('/node_modules')) {
      const p = owners.dirOwner(`${dir === '/' ? '' : dir}/node_modules/${name}`);
      if (p?.manager === 'npm') return p;
    }
    if (dir === '/') return undefined;
  }
}

/**
 * What `npm install --omit=dev` keeps: the application's dependencies and theirs, as installed; undefined
 * when the tree is too large to walk.
 */
function productionClosure(
  owners: Owners,
  root: string,
  names: readonly string[],
): Set<OwnedPackage> | undefined {
  const seen = new Set<OwnedPackage>();
  const todo: [string, string][] = names.map((n) => [root, n]);
  for (let steps = 0; todo.length; steps++) {
    if (steps > MAX_CLOSURE_STEPS) return undefined;
    const [from, name] = todo.pop() as [string, string];
    const p = resolveNpm(owners, from, name);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    for (const d of p.record.dependsOn ?? []) todo.push([p.dir ?? from, d]);
  }
  return seen;
}

function devDependencies(owners: Owners): RawFinding[] {
  const out: RawFinding[] = [];
  for (const app of owners.apps) {
    const root = dirname(app.path);
    const prod = productionClosure(owners, root, app.dependencies);
    if (!prod) continue;
    const found: OwnedPackage[] = [];
    for (const name of app.devDependencies) {
      const p = owners.dirOwner(`${root === '/' ? '' : root}/node_modules/${name}`);
      // A devDependency that a production dependency also needs stays under --omit=dev.
      if (p && p.manager === 'npm' && !prod.has(p)) found.push(p);
    }
    if (!found.length) continue;
    found.sort((a, b) => b.size - a.size);
    const bytes = found.reduce((n, p) => n + p.size, 0);
    out.push({
      id: 'SG403',
      path: app.path,
      message:
        `${found.length} devDependenc${found.length === 1 ? 'y' : 'ies'} of ${app.path} installed in ` +
        `${root === '/' ? '' : root}/node_modules (at least ${formatBytes(bytes)}, without what they pull in): ` +
        listSome(
          found.map((p) => `${p.name} ${formatBytes(p.size)}`),
          5,
        ),
    });
  }
  return out;
}

function deletedPackages(owners: Owners, layers: readonly LayerInput[]): RawFinding[] {
  const gone = owners.packages.filter((p) => p.listed !== undefined && p.present === 0);
  if (!gone.length) return [];
  const whose = new Map<string, OwnedPackage>();
  for (const p of gone) for (const path of owners.listedPaths(p)) if (!whose.has(path)) whose.set(path, p);
  const shipped = new Map<OwnedPackage, { bytes: number; layer: number }>();
  layers.forEach((layer, i) => {
    for (const e of layer.entries) {
      if (e.type !== 'file') continue;
      const p = whose.get(e.path);
      if (!p) continue;
      const s = shipped.get(p) ?? { bytes: 0, layer: i };
      s.bytes += e.size;
      shipped.set(p, s);
    }
  });
  const list = [...shipped].filter(([, s]) => s.bytes > 0).sort((a, b) => b[1].bytes - a[1].bytes);
  const bytes = list.reduce((n, [, s]) => n + s.bytes, 0);
  if (bytes < DELETED_MIN) return [];
  const [first] = list;
  return [
    {
      id: 'SG604',
      ...(first ? { layer: first[1].layer } : {}),
      message:
        `${list.length} package${list.length === 1 ? '' : 's'} still installed by the database, every file ` +
        `deleted by a later layer, ship ${formatBytes(bytes)} in lower layers: ` +
        listSome(
          list.map(([p, s]) => `${label(p)} (${p.manager}) ${formatBytes(s.bytes)} in layer ${s.layer + 1}`),
          5,
        ),
    },
  ];
}
