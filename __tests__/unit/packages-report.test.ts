// Packages on every surface: the report JSON (and reading it back), the package diff, `inspect` and
// `check --baseline` text, and the PR comment, with image text kept inert.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/engine/assemble.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { diffPackages } from '../../src/report/packages-diff.js';
import { renderCheck, renderInspect } from '../../src/report/text.js';
import { validateReport } from '../../src/report/validate.js';
import { ShapeError } from '../../src/util/shape.js';
import type { Report } from '../../src/types/report.js';
import { check, D, DPKG, F, image, P, S } from '../helpers/rules-kit.js';

const CONFIG = { User: '65532', Entrypoint: ['/app'] };

function mainImage(): Report {
  return check(
    image(
      [
        [
          D('/usr'),
          D('/usr/lib'),
          ...DPKG(['libc6', '/usr/lib/libc.so.6', '2.36-9'], ['zlib1g', '/usr/lib/libz.so', '1:1.2.13']),
          F('/usr/lib/libc.so.6', 2_000_000),
          F('/usr/lib/libz.so', 100_000),
          F('/app', 5_000_000, { mode: 0o755 }),
        ],
      ],
      CONFIG,
    ),
  );
}

const EVIL = 'evil[x](javascript:alert)@team<b>';

function prImage(): Report {
  return check(
    image(
      [
        [
          D('/usr'),
          D('/usr/lib'),
          D('/usr/lib/go'),
          ...DPKG(
            ['libc6', '/usr/lib/libc.so.6', '2.36-9+deb12u4'],
            ['golang-1.19-go', '/usr/lib/go/bin/go\n/usr/lib/go/pkg.a', '1.19.8-2'],
            [EVIL, '/usr/lib/evil', '1\u202e2'],
          ),
          F('/usr/lib/libc.so.6', 2_100_000),
          F('/usr/lib/go/bin/go', 300_000_000),
          F('/usr/lib/go/pkg.a', 100_000_000),
          F('/usr/lib/evil', 10),
          F('/app', 5_000_000, { mode: 0o755 }),
          P('/srv/node_modules/left-pad/package.json', '{"name":"left-pad","version":"1.3.0"}'),
          F('/srv/node_modules/left-pad/index.js', 1000),
          S('/lib', 'usr/lib'),
        ],
      ],
      CONFIG,
    ),
  );
}

describe('the report', () => {
  it('lists packages largest first with what they own, and what nobody owns', () => {
    const r = prImage();
    expect(r.packages?.map((p) => [p.manager, p.name, p.version, p.size, p.files])).toEqual([
      ['dpkg', 'golang-1.19-go', '1.19.8-2', 400_000_000, 2],
      ['dpkg', 'libc6', '2.36-9+deb12u4', 2_100_000, 1],
      ['npm', 'left-pad', '1.3.0', 1037, 2],
      ['dpkg', EVIL, '1\u202e2', 10, 1],
    ]);
    const ownerOf = (path: string) => {
      const k = r.files.find((f) => f.path === path)?.owner;
      return k === undefined ? undefined : r.packages?.[k]?.name;
    };
    expect(ownerOf('/usr/lib/go/bin/go')).toBe('golang-1.19-go');
    expect(ownerOf('/srv/node_modules/left-pad/index.js')).toBe('left-pad');
    expect(ownerOf('/app')).toBeUndefined();
    expect(ownerOf('/usr/lib')).toBeUndefined();
    const own = r.ownership;
    expect(own?.owned).toEqual({ bytes: 402_101_047, files: 6 });
    // /app, /lib, and the database files themselves
    expect(own?.unowned.bytes).toBe(r.size.uncompressed - 402_101_047);
    expect((own?.owned.files ?? 0) + (own?.unowned.files ?? 0)).toBe(
      r.files.filter((f) => f.type !== 'dir').length,
    );
    expect(buildReport(image([[F('/x', 1)]])).ownership).toEqual({
      owned: { bytes: 0, files: 0 },
      unowned: { bytes: 1, files: 1 },
      notes: [],
    });
  });

  it('reads back through validateReport; reports without packages still validate; bad ones are one line', () => {
    const r = prImage();
    const back = validateReport(JSON.parse(JSON.stringify(r)));
    expect(back.packages).toEqual(r.packages);
    expect(back.ownership).toEqual(r.ownership);
    const old = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    delete old['packages'];
    delete old['ownership'];
    expect(validateReport(old).packages).toBeUndefined();
    const bad = JSON.parse(JSON.stringify(r)) as { packages: { manager: string }[] };
    (bad.packages[0] as { manager: string }).manager = 'yum';
    expect(() => validateReport(bad)).toThrow(ShapeError);
    try {
      validateReport(bad);
    } catch (e) {
      expect((e as ShapeError).describe()).toBe(
        'packages[0].manager must be one of dpkg, apk, rpm, npm, python, gem, maven, nuget, composer, cargo, conda (not "yum")',
      );
    }
  });
});

describe('the package diff', () => {
  it('added, removed and changed, largest change first', () => {
    const d = diffPackages(mainImage(), prImage());
    expect(
      d?.items.map((c) => [c.change, c.name, c.before?.version ?? null, c.after?.version ?? null, c.delta]),
    ).toEqual([
      ['added', 'golang-1.19-go', null, '1.19.8-2', 400_000_000],
      ['changed', 'libc6', '2.36-9', '2.36-9+deb12u4', 100_000],
      ['removed', 'zlib1g', '1:1.2.13', null, -100_000],
      ['added', 'left-pad', null, '1.3.0', 1037],
      ['added', EVIL, null, '1\u202e2', 10],
    ]);
    expect([d?.added, d?.removed, d?.changed, d?.delta]).toEqual([3, 1, 1, 400_001_047]);
    const noPkgs = { ...mainImage() };
    delete noPkgs.packages;
    expect(diffPackages(noPkgs, prImage())).toBeUndefined();
    expect(diffReports(noPkgs, prImage()).packages).toBeUndefined();
    expect(diffPackages(mainImage(), mainImage())?.items).toEqual([]);
  });

  it('a report that lists only its largest packages: the small ones on one side only are not called added or removed', () => {
    const main = mainImage();
    const pr = prImage();
    // main listed its largest packages only: left-pad (1037 B) would have been below its cut.
    main.ownership = { ...main.ownership!, more: { packages: 3000, bytes: 1_000_000 } };
    const d = diffPackages(main, pr);
    expect(d?.items.map((c) => [c.change, c.name])).toEqual([
      ['added', 'golang-1.19-go'],
      ['changed', 'libc6'],
      ['removed', 'zlib1g'],
    ]);
    expect(d?.unlisted).toBe(2);
    expect(renderCheck(pr, main)).toContain('2 smaller packages are listed on one side only: not compared');
  });
});

describe('text', () => {
  it('inspect shows the largest owners', () => {
    const out = renderInspect(prImage());
    expect(out).toContain('Packages (4: dpkg 3, npm 1) · 402 MB owned');
    expect(out).toMatch(/^ {3}400 MB {2}dpkg {2}golang-1\.19-go 1\.19\.8-2$/m);
    // the bidi override in the version is escaped, not printed
    expect(out).toContain('1\\u202e2');
    expect(out).not.toContain('\u202e');
    expect(renderInspect(buildReport(image([[F('/app', 10)]])))).not.toContain('Packages');
  });

  it('check --baseline shows the package diff', () => {
    const out = renderCheck(prImage(), mainImage());
    expect(out).toContain('Packages    3 added, 1 removed, 1 changed (+400 MB uncompressed)');
    expect(out).toMatch(/^ {2}\+ {4}\+400 MB {2}dpkg {4}golang-1\.19-go 1\.19\.8-2$/m);
    expect(out).toMatch(/^ {2}~ {4}\+100 kB {2}dpkg {4}libc6 2\.36-9 → 2\.36-9\+deb12u4$/m);
    expect(out).toMatch(/^ {2}- {4}-100 kB {2}dpkg {4}zlib1g 1:1\.2\.13$/m);
    expect(renderCheck(prImage(), null)).not.toContain('Packages');
  });
});

describe('the comment', () => {
  it('shows the package diff as a table, with image text inert', () => {
    const md = renderMarkdown(prImage(), diffReports(mainImage(), prImage()));
    expect(md).toContain('**Packages: 3 added, 1 removed, 1 changed (+400 MB uncompressed)**');
    expect(md).toContain('| ➕ | <code>golang-1.19-go</code> <sub>dpkg</sub> | 1.19.8-2 | +400 MB |');
    expect(md).toContain('| ✏️ | <code>libc6</code> <sub>dpkg</sub> | 2.36-9 → 2.36-9+deb12u4 | +100 kB |');
    // the directory table names who owns each directory's largest change
    expect(md).toContain('| <code>/usr/lib/</code> <sub>largest: golang-1.19-go</sub> | +400 MB |');
    expect(md).toContain('| <code>/srv/node&#95;modules/</code> <sub>largest: left-pad</sub> |');
    const evil = md.split('\n').find((l) => l.includes('<sub>dpkg</sub> | 1')) ?? '';
    expect(evil).not.toMatch(/\]\(|@team|<b>|\u202e/);
  });

  it('without a baseline: the largest packages', () => {
    const md = renderMarkdown(prImage());
    expect(md).toContain(
      '<summary>Largest packages (uncompressed) · 402 MB owned, 5.00 MB your own</summary>',
    );
    expect(md).toContain('| <code>golang-1.19-go</code> <sub>dpkg</sub> | 1.19.8-2 | 400 MB |');
  });
});
