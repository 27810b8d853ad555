// The HTML report's pure parts: the merged, bounded file tree; the JSON block that cannot be broken out of;
// the markup's escaping and its Content-Security-Policy. The page itself is opened in Chromium in
// itg/html-report.test.ts.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTree, type PageNode } from '../../src/report/html-tree.js';
import { changeLists, escapeHtml, pageData, renderHtml, scriptJson } from '../../src/report/html.js';
import { PAGE_SCRIPT } from '../../src/report/html-page.js';
import { diffReports } from '../../src/report/diff.js';
import { showNames } from '../../src/report/names.js';
import { decodeName } from '../../src/util/names.js';
import { InputError } from '../../src/util/errors.js';
import { platformFile, writeHtml } from '../../src/output/html-file.js';
import type { ReportFile, ReportPackage } from '../../src/types/report.js';
import { dir, file, finding, layer, report } from '../helpers/github-reports.js';
import { HOSTILE_NAMES, HOSTILE_PACKAGE, syntheticReport } from '../helpers/html-reports.js';

/** An owner's manager and name (the page also carries its version, purl, source and license). */
const mn = (o: { manager: string; name: string }): { manager: string; name: string } => ({
  manager: o.manager,
  name: o.name,
});

const link = (path: string, target: string, type: 'symlink' | 'hardlink', size = 0): ReportFile => ({
  ...file(path, size),
  type,
  link: target,
});

/** A node by path, for short expectations. */
function at(root: PageNode, path: string): PageNode | undefined {
  let n: PageNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) n = n?.c?.find((k) => k.n === part);
  return n;
}

describe('buildTree: this PR’s files (and main’s) as one tree of summed directories', () => {
  const pr = report({
    files: [
      dir('/usr'),
      file('/usr/bin/big', 900, { layer: 1 }),
      file('/usr/bin/small', 100, { layer: 0 }),
      file('/usr/lib/libc.so', 500, { layer: 0 }),
      link('/usr/lib/libc.so.6', '/usr/lib/libc.so', 'hardlink', 500),
      link('/bin', 'usr/bin', 'symlink'),
      file('/app/new', 70, { layer: 2 }),
    ],
  });
  const main = report({
    files: [file('/usr/bin/big', 400, { layer: 0 }), file('/usr/lib/libc.so', 500), file('/old/gone', 30)],
  });

  it.each<[string, Partial<PageNode>]>([
    ['/', { s: 1570, k: 6 }],
    // 900 bytes from layer 1 against 600 from layer 0 below /usr.
    ['/usr', { s: 1500, k: 4, l: 1 }],
    ['/usr/lib', { s: 500, k: 2, l: 0 }],
    ['/usr/bin/big', { s: 900, l: 1 }],
    // A hard link shares its target's bytes: 0 here, as the diff counts it.
    ['/usr/lib/libc.so.6', { s: 0, t: 'hardlink' }],
    ['/bin', { s: 0, t: 'symlink' }],
  ])('PR alone: %s', (path, want) => {
    const { root } = buildTree(pr);
    expect(at(root, path)).toMatchObject(want);
    expect(at(root, path)?.b).toBeUndefined();
  });

  it.each<[string, Partial<PageNode>, ('s' | 'b')[]]>([
    ['/usr/bin/big', { s: 900, b: 400, l: 1, m: 0 }, []],
    ['/app/new', { s: 70 }, ['b']],
    ['/old/gone', { b: 30 }, ['s']],
    ['/old', { b: 30 }, ['s']],
    ['/', { s: 1570, b: 930 }, []],
  ])('with main: %s', (path, want, absent) => {
    const { root } = buildTree(pr, main);
    const n = at(root, path)!;
    expect(n).toMatchObject(want);
    for (const k of absent) expect(n[k]).toBeUndefined();
  });

  it('orders children largest first, and counts files, not directories', () => {
    const { root, stats } = buildTree(pr, main);
    expect(root.c!.map((k) => k.n)).toEqual(['usr', 'app', 'old', 'bin']);
    expect(stats).toMatchObject({ files: 6, baselineFiles: 3, folds: 0, folded: 0, unnamed: 0 });
  });

  it('keeps a file and a directory of one name apart (a type change between main and the PR)', () => {
    const { root } = buildTree(report({ files: [file('/x/y', 5)] }), report({ files: [file('/x', 9)] }));
    expect(root.c!.map((k) => [k.n, k.s, k.b, k.c ? 'dir' : 'file'])).toEqual([
      ['x', undefined, 9, 'file'],
      ['x', 5, undefined, 'dir'],
    ]);
  });
});

describe('buildTree: bounded (fold tiles per directory, names in all)', () => {
  const many = (n: number, base = 10): ReportFile[] =>
    Array.from({ length: n }, (_, i) => file(`/d/f${i}`, base + i, { layer: i % 2 }));

  it.each([
    // [files in /d, foldOver, tiles of their own, files folded]
    [5, 10, 5, 0],
    [5, 3, 3, 2],
    // One file over the limit is shown: a tile for one file would hide it for nothing.
    [4, 3, 4, 0],
    [250, 100, 100, 150],
  ])('%i files, fold over %i: %i tiles and %i folded', (n, foldOver, shown, folded) => {
    const { root, stats } = buildTree(report({ files: many(n) }), undefined, { foldOver });
    const kids = at(root, '/d')!.c!;
    expect(kids.filter((k) => k.n !== '')).toHaveLength(shown);
    const fold = kids.find((k) => k.n === '');
    expect(fold?.f ?? 0).toBe(folded);
    expect(stats.folded).toBe(folded);
    if (fold) {
      // The smaller files are the folded ones, and their bytes and names are kept.
      const smallest = Math.min(...kids.filter((k) => k.n !== '').map((k) => k.s!));
      expect(Math.max(...fold.z!.map((z) => z[1]))).toBeLessThanOrEqual(smallest);
      expect(fold.s).toBe(fold.z!.reduce((t, z) => t + z[1], 0));
      expect(fold.z).toHaveLength(folded);
    }
    expect(at(root, '/d')!.s).toBe(many(n).reduce((t, f) => t + f.size, 0));
  });

  it('keeps at most maxNamed names, the largest files first; the rest are counted, unnamed', () => {
    const { root, stats } = buildTree(report({ files: many(50) }), undefined, { maxNamed: 20 });
    expect(stats.unnamed).toBe(30);
    const kids = at(root, '/d')!.c!;
    const named = kids.filter((k) => k.n !== '');
    expect(named).toHaveLength(20);
    expect(named.map((k) => k.n)).toContain('f49');
    const fold = kids.find((k) => k.n === '')!;
    expect(fold).toMatchObject({ f: 30 });
    expect(fold.z).toBeUndefined();
  });

  it('keeps at most maxNameChars characters of names', () => {
    const long = Array.from({ length: 10 }, (_, i) => file(`/d/${String(i).repeat(100)}`, 100 - i));
    const { stats } = buildTree(report({ files: long }), undefined, { maxNameChars: 350 });
    expect(stats.unnamed).toBe(7);
  });

  it('makes invisible and reordering characters visible in names', () => {
    const { root } = buildTree(report({ files: [file('/a/safe\u202egnp.exe', 1), file('/a/t\tb\n', 1)] }));
    expect(
      at(root, '/a')!
        .c!.map((k) => k.n)
        .sort(),
    ).toEqual(['safe\\u202egnp.exe', 't\\tb\\n']);
  });

  it('shows a name that is not UTF-8 as the report does (\\xHH), distinct from a literal one', () => {
    const r = showNames(
      report({ files: [file(decodeName(Buffer.from([0x2f, 0x61, 0xff])), 3), file('/a\\xff', 4)] }),
    );
    const { root } = buildTree(r);
    // Both show as `a\xff`; the one whose byte is 0xff says so.
    expect(root.c!.map((k) => [k.n, k.s, k.x])).toEqual([
      ['a\\xff', 4, undefined],
      ['a\\xff', 3, 1],
    ]);
  });
});

describe('the JSON block and the markup', () => {
  it.each([
    [
      '</script><script>alert(1)</script>',
      '"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"',
    ],
    ['<!-- x -->', '"\\u003c!-- x --\\u003e"'],
    ['a&b', '"a\\u0026b"'],
    ['one\u2028two\u2029', '"one\\u2028two\\u2029"'],
    ['</TITLE>', '"\\u003c/TITLE\\u003e"'],
  ])('scriptJson(%j) = %s, and reads back the same', (input, want) => {
    expect(scriptJson(input)).toBe(want);
    expect(JSON.parse(scriptJson({ k: input }))).toEqual({ k: input });
  });

  it.each([
    ['</title><script>x</script>', '&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;'],
    [`"'&`, '&quot;&#39;&amp;'],
  ])('escapeHtml(%j)', (input, want) => {
    expect(escapeHtml(input)).toBe(want);
  });

  it('puts no hostile name in the markup: only in the JSON block, escaped, and read back whole', () => {
    const pr = report({
      image: { ...report().image, source: 'docker-archive:</title><script>alert(3)</script>.tar' },
      files: HOSTILE_NAMES.map((p) => file(p, 10)),
      findings: [finding('SG999', 'waste', 'info', HOSTILE_NAMES[0], `odd ${HOSTILE_NAMES[2]}`)],
      layers: [layer('1', 'RUN echo "</script><script>alert(4)</script>"', 60)],
    });
    const html = renderHtml(pr);
    // Exactly our three scripts: the data block, d3-hierarchy and the page's.
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html.match(/<\/title/gi)).toHaveLength(1);
    const block = /<script type="application\/json" id="slimgate-data">([^<]*)<\/script>/.exec(html);
    expect(block).not.toBeNull();
    // Outside the data block, only the image source is in the markup (title and heading), escaped.
    expect(html.replace(block![0], '')).not.toMatch(/(?<!&gt;)alert\(/);
    expect(html).toContain('<h1>docker-archive:&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;.tar</h1>');
    const data = JSON.parse(block![1]!) as ReturnType<typeof pageData>;
    expect(data).toEqual(JSON.parse(JSON.stringify(pageData(pr))));
    expect(data.findings[0]).toMatchObject({ path: HOSTILE_NAMES[0], message: `odd ${HOSTILE_NAMES[2]}` });
    expect(data.layers[0]!.createdBy).toBe('RUN echo "</script><script>alert(4)</script>"');
    expect(html).toContain('<title>Slimgate: docker-archive:&lt;/title&gt;&lt;script&gt;alert(3)');
  });

  it('allows exactly its own inline scripts and style (CSP hashes)', () => {
    const html = renderHtml(report({ files: [file('/a', 1)] }));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
    const hash = (s: string): string => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    expect(csp).toBe(
      [
        "default-src 'none'",
        `script-src ${scripts.map(hash).join(' ')}`,
        `style-src ${hash(/<style>([\s\S]*?)<\/style>/.exec(html)![1]!)}`,
        "img-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
    );
    expect(html).not.toMatch(/\bsrc=|\bhref=/);
  });

  it('the page script is valid JavaScript (compiled here, not run)', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
  });

  it('the page script puts text on screen with textContent only', () => {
    expect(PAGE_SCRIPT).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
    );
    expect(PAGE_SCRIPT).toContain('textContent');
  });
});

describe('pageData: changes, layers and findings against main', () => {
  const main = report({
    files: [file('/app/bin', 100), file('/app/gone', 40), file('/app/smaller', 90), file('/app/same', 5)],
    layers: [layer('1', 'COPY app /app', 235)],
    findings: [finding('SG201', 'shell', 'error', '/bin/sh'), finding('SG601', 'user', 'warning', '/')],
  });
  const pr = report({
    files: [file('/app/bin', 160), file('/app/new', 25), file('/app/smaller', 60), file('/app/same', 5)],
    layers: [layer('1', 'COPY app /app', 235), layer('2', 'COPY extra /x', 1)],
    findings: [finding('SG601', 'user', 'warning', '/'), finding('SG402', 'waste', 'error', '/app/new')],
  });

  it.each([
    ['grew', 1, 60, ['/app/bin']],
    ['added', 1, 25, ['/app/new']],
    ['removed', 1, -40, ['/app/gone']],
    ['shrank', 1, -30, ['/app/smaller']],
  ] as const)('%s: %i file, %i bytes', (kind, count, bytes, paths) => {
    const c = changeLists(diffReports(main, pr))[kind];
    expect(c).toMatchObject({ count, bytes });
    expect(c.items.map((i) => i.path)).toEqual(paths);
  });

  it('marks new and fixed findings, errors first, fixed last; and each layer against main', () => {
    const d = pageData(pr, { baseline: main });
    expect(d.findings.map((f) => [f.id, f.state ?? ''])).toEqual([
      ['SG402', 'new'],
      ['SG601', ''],
      ['SG201', 'fixed'],
    ]);
    expect(d.layers.map((l) => l.change)).toEqual(['unchanged', 'added']);
    expect(d.baseline?.size.uncompressed).toBe(235);
  });

  it('has no changes, main or baseline layers without a baseline', () => {
    const d = pageData(pr);
    expect(d.changes).toBeUndefined();
    expect(d.baseline).toBeUndefined();
    expect(d.baselineLayers).toBeUndefined();
    expect(d.findings.every((f) => f.state === undefined)).toBe(true);
  });
});

describe('colour by owner: the package that owns most of each node’s bytes', () => {
  const pkg = (manager: ReportPackage['manager'], name: string, size = 0): ReportPackage => ({
    manager,
    name,
    version: '1',
    size,
    files: 1,
  });
  const owned = (path: string, size: number, owner?: number): ReportFile => ({
    ...file(path, size),
    ...(owner !== undefined ? { owner } : {}),
  });
  // libc6 (0) holds most of /usr/lib, coreutils (1) most of /usr/bin; /usr as a whole is libc6's.
  const pr = report({
    files: [
      owned('/usr/lib/libc.so.6', 900, 0),
      owned('/usr/lib/mine.so', 300),
      owned('/usr/bin/ls', 150, 1),
      owned('/usr/bin/cat', 100, 1),
      owned('/usr/bin/helper', 200, 0),
      owned('/app/server', 5_000),
      owned('/app/vendored.js', 40, 2),
      // An index outside the list is nobody's, not a crash.
      owned('/app/odd', 1, 99),
    ],
    packages: [pkg('dpkg', 'libc6', 1100), pkg('dpkg', 'coreutils', 250), pkg('npm', 'left-pad', 40)],
  });
  // main lists its packages in another order: its indices are into its own list.
  const main = report({
    files: [owned('/usr/bin/ls', 150, 0), owned('/usr/bin/cat', 100, 0), owned('/usr/bin/helper', 20, 1)],
    packages: [pkg('dpkg', 'coreutils', 250), pkg('dpkg', 'libc6', 20)],
  });

  it.each<[string, number | undefined, number | undefined]>([
    ['/usr/lib/libc.so.6', 0, 1],
    ['/usr/lib', 0, 1],
    ['/usr/bin', 1, 0],
    ['/usr/bin/helper', 0, 1],
    ['/usr', 0, 0],
    // Your files (no package) are the absent key, on a file and on a directory they dominate.
    ['/usr/lib/mine.so', undefined, undefined],
    ['/app', undefined, undefined],
    ['/app/vendored.js', 2, undefined],
    ['/app/odd', undefined, undefined],
    ['/', undefined, 0],
  ])('%s: PR owner %s, main owner %s', (path, o, q) => {
    const libc = report({ ...main, files: [...main.files, owned('/usr/lib/libc.so.6', 5, 1)] });
    const n = at(buildTree(pr, libc).root, path)!;
    expect(n).toBeDefined();
    expect([n.o, n.q]).toEqual([o, q]);
  });

  it('keeps each folded file’s owners, and the fold’s dominant one', () => {
    const files = Array.from({ length: 6 }, (_, i) => owned(`/d/f${i}`, 100 - i, i < 2 ? undefined : 1));
    const { root } = buildTree(report({ files, packages: [pkg('dpkg', 'a'), pkg('dpkg', 'b')] }), undefined, {
      foldOver: 2,
    });
    const fold = at(root, '/d')!.c!.find((k) => k.n === '')!;
    expect(fold).toMatchObject({ f: 4, o: 1 });
    expect(fold.z!.map((z) => [z[0], z[5], z[6]])).toEqual([
      ['f2', 1, -1],
      ['f3', 1, -1],
      ['f4', 1, -1],
      ['f5', 1, -1],
    ]);
  });

  it('has no owners at all when neither report lists packages (the page colours by layer)', () => {
    const bare = report({ files: pr.files });
    const { root } = buildTree(bare, undefined, { foldOver: 1 });
    expect(JSON.stringify(root)).not.toMatch(/"[oq]":/);
    expect(at(root, '/usr/bin')!.c!.find((k) => k.n === '')!.z![0]).toHaveLength(5);
    const d = pageData(bare);
    expect(d.owners).toBeUndefined();
    expect(d.baselineOwners).toBeUndefined();
    expect(renderHtml(bare)).toContain('this report lists no packages');
  });

  it('puts each side’s owners into the data, in the report’s order', () => {
    const d = pageData(pr, { baseline: main });
    expect(d.owners?.map(mn)).toEqual([
      { manager: 'dpkg', name: 'libc6' },
      { manager: 'dpkg', name: 'coreutils' },
      { manager: 'npm', name: 'left-pad' },
    ]);
    expect(d.baselineOwners?.map(mn)).toEqual([
      { manager: 'dpkg', name: 'coreutils' },
      { manager: 'dpkg', name: 'libc6' },
    ]);
    expect(pageData(pr, { baseline: report({ files: main.files }) }).baselineOwners).toBeUndefined();
  });

  it('gives an owner its purl, source package and licenses when the report has them, as text', () => {
    const detailed = report({
      files: [owned('/usr/lib/libz.so.1', 10, 0)],
      packages: [
        {
          ...pkg('dpkg', 'zlib1g'),
          version: '1:1.2.13.dfsg-1',
          purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64',
          source: { name: 'zlib', version: '1:1.2.13.dfsg-1' },
          licenses: 'Zlib AND MIT\u202e',
        },
        { ...pkg('apk', 'musl'), source: { name: 'musl', version: null } },
      ],
    });
    expect(pageData(detailed).owners).toEqual([
      {
        manager: 'dpkg',
        name: 'zlib1g',
        version: '1:1.2.13.dfsg-1',
        purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64',
        source: 'zlib 1:1.2.13.dfsg-1',
        licenses: 'Zlib AND MIT\\u202e',
      },
      { manager: 'apk', name: 'musl', version: '1', source: 'musl' },
    ]);
  });

  it('keeps a hostile package name inside the escaped JSON block, as text', () => {
    const evil = report({
      files: [owned('/usr/bin/x', 10, 0), owned('/usr/bin/y', 5, 1)],
      packages: [pkg('dpkg', HOSTILE_PACKAGE), pkg('apk', 'bidi‮txt.exe')],
    });
    const html = renderHtml(evil);
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toContain('alert(1)</script>');
    const block = /<script type="application\/json" id="slimgate-data">([^<]*)<\/script>/.exec(html)!;
    expect(block[1]).toContain('\\u003c/script\\u003e\\u003cscript\\u003ealert(1)');
    expect(html.replace(block[0], '')).not.toContain('alert(1)');
    const data = JSON.parse(block[1]!) as ReturnType<typeof pageData>;
    expect(data.owners?.map(mn)).toEqual([
      { manager: 'dpkg', name: HOSTILE_PACKAGE },
      { manager: 'apk', name: 'bidi\\u202etxt.exe' },
    ]);
    expect(at(data.tree, '/usr/bin')!.o).toBe(0);
  });

  it('the page has the layer | owner | vulnerability switch, and colours by owner only when there are packages', () => {
    expect(renderHtml(pr)).toContain(
      '<span class="seg" id="colour-by"><button data-by="layer" aria-pressed="false">layer</button><button data-by="owner" aria-pressed="false">owner</button><button data-by="vulnerability" aria-pressed="false">vulnerability</button></span>',
    );
    expect(PAGE_SCRIPT).toContain("by: data.owners ? 'owner' : 'layer'");
  });
});

describe('a 100,000-file image', () => {
  it('gives a page under 10 MB that still names every file (for the search)', () => {
    const pr = syntheticReport(100_000, 'pr');
    const html = renderHtml(pr, { baseline: syntheticReport(100_000, 'main') });
    expect(pr.files.filter((f) => f.type === 'file').length).toBeGreaterThanOrEqual(100_000);
    expect(Buffer.byteLength(html)).toBeLessThan(10_000_000);
    const data = pageData(pr);
    expect(data.owners!.length).toBeGreaterThan(400);
    expect(data.owners?.map(mn)).toContainEqual({ manager: 'dpkg', name: HOSTILE_PACKAGE });
    expect(data.stats.unnamed).toBe(0);
    expect(data.stats.folds).toBeGreaterThan(0);
  });
});

describe('the HTML file writer', () => {
  it.each([
    ['report.html', 'linux/amd64', 'report-linux-amd64.html'],
    ['out/r.html', 'linux/arm64/v8', 'out/r-linux-arm64-v8.html'],
    ['page', 'linux/arm/v7', 'page-linux-arm-v7'],
    ['a.b/page.htm', 'windows/amd64', 'a.b/page-windows-amd64.htm'],
  ])('%s for %s → %s', (file, platform, want) => {
    expect(platformFile(file, platform)).toBe(want);
  });

  it('writes the page (making its directory), or says in one line why it cannot', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-html-unit-'));
    try {
      const r = report({ files: [file('/a', 1)] });
      const [written] = writeHtml(path.join(dir, 'x', 'y', 'page.html'), [{ report: r }], {
        everyPlatform: false,
      });
      expect(readFileSync(written!, 'utf8')).toBe(renderHtml(r));
      writeFileSync(path.join(dir, 'plain'), '');
      const again = (): string[] =>
        writeHtml(path.join(dir, 'plain', 'page.html'), [{ report: r }], { everyPlatform: false });
      expect(again).toThrow(InputError);
      expect(again).toThrow(/^cannot write the HTML report .*plain\/page\.html: [^\n]+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the page header says what the size is', () => {
  it('a docker save with layers stored uncompressed: "stored", never "compressed"; one layer is "1 layer"', () => {
    const plain = layer('1', 'COPY app /', 1000, {
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
    });
    expect(pageData(report({ layers: [plain] })).stored).toBe(true);
    expect(pageData(report({ layers: [layer('1', 'COPY app /', 1000)] })).stored).toBe(false);
    expect(PAGE_SCRIPT).toContain("(data.stored ? ' stored · ' : ' compressed · ')");
    expect(PAGE_SCRIPT).toContain("(data.layers.length === 1 ? ' layer' : ' layers')");
  });
});
