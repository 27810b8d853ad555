// Realistic large reports for the HTML report's tests: a Debian-like base, a Python and a Node app layer,
// and a main branch that differs the way PRs do (a package added, one removed, files grown and shrunk).
// Deterministic: the same count always gives the same reports.
import type { PackageManager, Report, ReportFile, ReportPackage } from '../../src/types/report.js';
import { dir, file, finding, layer, report } from './github-reports.js';

/** A small linear congruential generator: reproducible sizes and names without Math.random. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Hostile names a stranger's image can hold: markup, a script element, a title end, a bidi override. */
export const HOSTILE_NAMES = [
  '/app/<script>alert(1)</script>',
  '/app/</title>',
  '/app/x</script><script>document.title="pwned"</script>',
  '/app/<img src=x onerror=alert(2)>',
  '/app/safe\u202egnp.exe',
  '/app/line\u2028sep',
] as const;

/** A package name a stranger's database can hold: it owns /usr/sbin/evil-daemon in the synthetic reports. */
export const HOSTILE_PACKAGE = '</script><script>alert(1)</script>';

/** `/app/caf` and the byte 0xe9, as a report shows it. */
export const NOT_UTF8 = {
  shown: '/app/caf\\xe9',
  base64: Buffer.from([...Buffer.from('/app/caf'), 0xe9]).toString('base64'),
};

const LAYERS = [
  'ADD rootfs.tar.xz / # debian:bookworm',
  'RUN apt-get update && apt-get install -y python3 libssl3 ca-certificates',
  'COPY requirements.txt . && RUN pip install -r requirements.txt # buildkit',
  'COPY node_modules /app/node_modules # buildkit',
  'COPY . /app # buildkit',
];

/**
 * `count` files (and a few more), with their directories, over five layers, and the packages that own
 * them (dpkg, python, npm; the app's own files are nobody's). `variant` 'main' drops the pandas package,
 * adds a legacy one, and gives some files other sizes, so that the PR (variant 'pr') has grown, new,
 * removed and shrunk files.
 */
function syntheticFiles(
  count: number,
  variant: 'pr' | 'main' = 'pr',
): { files: ReportFile[]; packages: ReportPackage[] } {
  const next = rng(42);
  const files: ReportFile[] = [];
  /** Each file's owner as "manager name", until the package list is sorted. */
  const ownerOf = new Map<ReportFile, string>();
  const dirs = new Set<string>();
  const add = (path: string, size: number, layerIndex: number, owner?: string): void => {
    for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
      const d = path.slice(0, i);
      if (!dirs.has(d)) {
        dirs.add(d);
        files.push(dir(d, { layer: layerIndex }));
      }
    }
    const f = file(path, size, { layer: layerIndex });
    files.push(f);
    if (owner) ownerOf.set(f, owner);
  };
  const size = (scale: number): number => Math.round(Math.exp(next() * 6) * scale);
  const share = (f: number): number => Math.floor(count * f);
  // Layer 0: the OS.
  for (let i = 0; i < share(0.35); i++) {
    const pkg = `pkg${i % 400}`;
    const r = next();
    const deb = `dpkg ${pkg}`;
    if (r < 0.3) add(`/usr/share/doc/${pkg}/changelog${i}.gz`, size(20), 0, deb);
    else if (r < 0.6) add(`/usr/lib/x86_64-linux-gnu/${pkg}/lib${i}.so.1`, size(400), 0, deb);
    else if (r < 0.8) add(`/usr/share/locale/l${i % 60}/LC_MESSAGES/${pkg}-${i}.mo`, size(15), 0, deb);
    else add(`/usr/bin/tool${i}`, size(300), 0, deb);
  }
  add('/usr/sbin/evil-daemon', 6_000_000, 0, `dpkg ${HOSTILE_PACKAGE}`);
  // Layer 1: apt packages; apt's cache and lists are nobody's.
  for (let i = 0; i < share(0.1); i++)
    add(`/usr/lib/python3.11/lib-${i % 90}/mod${i}.py`, size(30), 1, 'dpkg libpython3.11-stdlib');
  add('/var/cache/apt/pkgcache.bin', 31_000_000, 1);
  add('/var/lib/apt/lists/deb.debian.org_bookworm_main_binary-amd64_Packages', 44_000_000, 1);
  // Layer 2: Python packages; pandas only in the PR, legacy only on main.
  const pyPkgs = ['numpy', 'scipy', 'requests', 'urllib3', variant === 'pr' ? 'pandas' : 'legacy'];
  for (let i = 0; i < share(0.3); i++) {
    const p = pyPkgs[i % pyPkgs.length]!;
    add(`/usr/local/lib/python3.11/site-packages/${p}/sub${i % 37}/m${i}.py`, size(60), 2, `python ${p}`);
  }
  // Layer 3: node_modules.
  for (let i = 0; i < share(0.25); i++)
    add(`/app/node_modules/dep${i % 700}/lib/f${i}.js`, size(25), 3, `npm dep${i % 700}`);
  // Layer 4: the app; the PR's binary is bigger.
  add('/app/server', variant === 'pr' ? 58_000_000 : 41_000_000, 4);
  add('/app/config.yaml', 1_200, 4);
  for (const name of HOSTILE_NAMES) add(name, 4_096, 4);
  // Two names that show alike: the byte 0xe9 (not UTF-8, shown \xe9 as src/report/names.ts does) and a
  // literal backslash.
  add(NOT_UTF8.shown, 7_000, 4);
  files[files.length - 1]!.pathBase64 = NOT_UTF8.base64;
  add(NOT_UTF8.shown, 8_000, 4);
  if (variant === 'main') {
    // Some files were smaller or larger on main.
    for (let i = 0; i < files.length; i += 97) {
      const f = files[i]!;
      if (f.type === 'file') f.size = Math.max(0, f.size + ((i / 97) % 2 ? 5_000 : -3_000));
    }
  }
  // The packages, largest first as src/analysis/owners.ts lists them, and each file's index into them.
  const sizes = new Map<string, { size: number; files: number }>();
  for (const [f, key] of ownerOf) {
    const p = sizes.get(key) ?? { size: 0, files: 0 };
    p.size += f.size;
    p.files++;
    sizes.set(key, p);
  }
  const keys = [...sizes.keys()].sort((a, b) => sizes.get(b)!.size - sizes.get(a)!.size || (a < b ? -1 : 1));
  const index = new Map(keys.map((k, i) => [k, i]));
  for (const [f, key] of ownerOf) f.owner = index.get(key)!;
  const packages = keys.map((key): ReportPackage => {
    const cut = key.indexOf(' ');
    return {
      manager: key.slice(0, cut) as PackageManager,
      name: key.slice(cut + 1),
      version: '1.0',
      ...sizes.get(key)!,
    };
  });
  return { files, packages };
}

export function syntheticReport(count: number, variant: 'pr' | 'main' = 'pr'): Report {
  const { files, packages } = syntheticFiles(count, variant);
  const perLayer = LAYERS.map((_, i) =>
    files.filter((f) => f.layer === i && f.type === 'file').reduce((n, f) => n + f.size, 0),
  );
  return report({
    image: {
      source: variant === 'pr' ? 'docker-archive:app-pr.tar' : 'docker://registry.test/app:main',
      digest: `sha256:${(variant === 'pr' ? 'a' : 'b').repeat(64)}`,
      configDigest: `sha256:${'c'.repeat(64)}`,
      platform: 'linux/amd64',
      tags: [variant === 'pr' ? 'app:pr-42' : 'app:main'],
      config: { user: null, entrypoint: ['/app/server'], cmd: null, env: [], workingDir: '/app' },
    },
    files,
    layers: LAYERS.map((created, i) =>
      layer(String(i), created, perLayer[i]!, {
        files: files.filter((f) => f.layer === i).length,
        wastedBytes: i === 1 ? 12_400_000 : 0,
      }),
    ),
    base: { verdict: 'os', image: 'debian:bookworm', evidence: ['/etc/os-release ID=debian'] },
    findings: [
      finding('SG301', 'package-manager', 'error', '/usr/bin/tool3', 'package manager apt present'),
      finding('SG402', 'waste', 'warning', '/var/cache/apt/pkgcache.bin', 'apt cache left in the image'),
      finding('SG999', 'waste', 'info', HOSTILE_NAMES[0], `odd name ${HOSTILE_NAMES[0]}`),
      ...(variant === 'main'
        ? [finding('SG201', 'shell', 'error', '/bin/sh', 'shell /bin/sh present')]
        : [finding('SG220', 'coreutils', 'warning', '/usr/bin/tool7', 'coreutils present')]),
    ],
    passed: variant === 'main',
    packages,
  });
}
