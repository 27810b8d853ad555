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
/** A -dev package (headers, static libraries) this large is a build input, not a runtime need. */
const DEV_PACKAGE_MIN = 1_000_000;
/** Below this in total, deleted-but-shipped packages are left to SG603's per-layer count. */
const DELETED_MIN = 1_000_000;

const isOs = (p: OwnedPackage): boolean => p.manager === 'dpkg' || p.manager === 'apk';
const label = (p: OwnedPackage): string => `${p.name}${p.version ? ` ${p.version}` : ''}`;

function isToolchainPackage(p: Pick<OwnedPackage, 'name' | 'size'>): boolean {
  const name = p.name.replace(/:[^:]*$/, '');
  if (TOOLCHAIN.test(name)) return true;
  return /-dev$/.test(name) && p.size >= DEV_PACKAGE_MIN;
}

export function packageRules(owners: Owners, layers: readonly LayerInput[]): RawFinding[] {
  return [...toolchainPackages(owners), ...devDependencies(owners), ...deletedPackages(owners, layers)];
}

function toolchainPackages(owners: Owners): RawFinding[] {
  const tools = owners.packages.filter((p) => isOs(p) && p.files > 0 && isToolchainPackage(p));
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

function devDependencies(owners: Owners): RawFinding[] {
  const out: RawFinding[] = [];
  for (const app of owners.apps) {
    const root = dirname(app.path);
    const found: OwnedPackage[] = [];
    for (const name of app.devDependencies) {
      const p = owners.dirOwner(`${root === '/' ? '' : root}/node_modules/${name}`);
      if (p && p.manager === 'npm') found.push(p);
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
