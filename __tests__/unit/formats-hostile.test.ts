// Package worlds from strangers (issue 24): each case gives a right answer or a note, bounded.
import { describe, expect, it } from 'vitest';
import { matchFile, parserFor, PathBudget } from '../../src/formats/index.js';
import { headSpec } from '../../src/scan/heads.js';
import { scanLayer } from '../../src/scan/layer.js';
import { pageData } from '../../src/report/html.js';
import { buildTree } from '../../src/report/html-tree.js';
import { validateReport } from '../../src/report/validate.js';
import { buildElf, goBuildInfo, goLikeSections } from '../helpers/elf-build.js';
import { file, tar } from '../helpers/tar.js';
import { check, D, F, image, P } from '../helpers/rules-kit.js';

const parse = (
  path: string,
  body: string | Buffer,
  budget = new PathBudget(),
): ReturnType<ReturnType<typeof parserFor>['end']> => {
  const m = matchFile(path);
  if (!m) throw new Error(path);
  const p = parserFor(m, path, budget);
  p.write(typeof body === 'string' ? Buffer.from(body) : body);
  return p.end();
};

describe('file lists', () => {
  // Before, each new directory walked all its ancestors (35–46 s for 12 MB); now about 2 s.
  it('a .list of deep paths under a symlinked directory is linear in ownership', () => {
    // 4,000 paths 250 levels deep, each in directories of its own, all under usr-merge's /lib: 11 MB.
    const deep = '/dddddddddd'.repeat(248);
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) lines.push(`/lib/x${i}${deep}/f`);
    const r = check(
      image([
        [
          { ...D('/usr/lib') },
          { path: '/lib', type: 'symlink', size: 0, mode: 0o777, uid: 0, gid: 0, link: 'usr/lib' },
          D('/usr/lib/x0'),
          F('/usr/lib/x0/top', 1),
          P('/var/lib/dpkg/status', 'Package: deep\nStatus: install ok installed\nVersion: 1\n'),
          P('/var/lib/dpkg/info/deep.list', `${lines.join('\n')}\n/lib/x0/top\n`),
        ],
      ]),
    );
    expect(r.packages?.find((p) => p.name === 'deep')?.files).toBe(1);
  }, 20_000);

  it('listed paths are held to the limits image entries are held to', () => {
    const db = parse(
      '/var/lib/dpkg/info/x.list',
      `/ok\n/${'a/'.repeat(300)}f\n/${'n'.repeat(300)}\n/${'p/'.repeat(100)}${'q'.repeat(200)}/${'r'.repeat(200)}\n`,
    );
    expect(db.files?.split('\n')).toEqual([
      '/ok',
      `/${'p/'.repeat(100)}${'q'.repeat(200)}/${'r'.repeat(200)}`,
    ]);
    expect(db.bad).toBe(2);
  });
});

describe('budgets', () => {
  it('an application package.json’s names are charged to the layer’s budget', () => {
    const budget = new PathBudget();
    const dev = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`${'n'.repeat(190)}${i}`, '1']));
    const body = JSON.stringify({ devDependencies: dev });
    let cut = 0;
    let kept = 0;
    for (let i = 0; i < 40; i++) {
      const db = parse(`/a${i}/package.json`, body, budget);
      cut += db.cut ?? 0;
      kept += db.names?.length ?? 0;
    }
    expect(cut).toBeGreaterThan(0);
    // 16 MiB: about twenty of the forty.
    expect(kept).toBeLessThan(25 * 4000);
  }, 60_000);

  it('the image has one budget for package data, whatever its layers; a trim is a note', () => {
    const list = (n: number): string =>
      Array.from({ length: 36_000 }, (_, i) => `/usr/share/p${n}/${'f'.repeat(240)}${i}`).join('\n');
    const status = ['a', 'b']
      .map((n) => `Package: ${n}\nStatus: install ok installed\nVersion: 1\n`)
      .join('\n');
    const r = check(
      image([
        [P('/var/lib/dpkg/status', status), P('/var/lib/dpkg/info/a.list', list(0))],
        [P('/var/lib/dpkg/info/b.list', list(1))],
      ]),
    );
    expect(r.ownership?.notes.join('\n')).toMatch(/past the image's budget/);
  }, 60_000);
});

describe('wrong answers', () => {
  it('a package named twice (status and a status.d stanza) owns the bytes of both', () => {
    const r = check(
      image([
        [
          P('/var/lib/dpkg/status', 'Package: tiny\nStatus: install ok installed\nVersion: 1\n'),
          P('/var/lib/dpkg/info/tiny.list', '/tiny\n'),
          F('/tiny', 1000),
          P('/var/lib/dpkg/status.d/tiny', 'Package: tiny\nVersion: 1\n'),
          P('/var/lib/dpkg/status.d/tiny.md5sums', 'd41d8cd98f00b204e9800998ecf8427e  usr/big\n'),
          F('/usr/big', 5_000_000),
        ],
      ]),
    );
    const tiny = r.packages?.filter((p) => p.name === 'tiny');
    expect(tiny).toHaveLength(1);
    expect(tiny?.[0]).toMatchObject({ size: 5_001_000, files: 2 });
    const owned = r.files.filter((f) => f.owner !== undefined).reduce((n, f) => n + f.size, 0);
    expect(owned).toBe(5_001_000);
  });

  it('an executable at a package-database path is still probed as ELF', async () => {
    expect(headSpec('/var/lib/dpkg/status', 0o755)?.elf).toBe(true);
    const { file: bin } = buildElf({
      sections: goLikeSections(goBuildInfo('go1.22.1', 'path\tx\n'), { debug: 400_000 }),
    });
    const scan = await scanLayer([tar([file('var/lib/dpkg/status', bin, { mode: 0o755 })])], 'test');
    expect(scan.entries[0]?.elf?.go?.version).toBe('go1.22.1');
    expect(scan.entries[0]?.records).toBe(0);
  });

  it('the files of packages beyond the 5,000 listed are not "your files" on the HTML page', () => {
    const lines: string[] = [];
    const files = [];
    for (let i = 0; i < 5001; i++) {
      lines.push(`P:p${i}\nV:1\nF:srv\nR:f${i}\n`);
      files.push(F(`/srv/f${i}`, 10 + i));
    }
    const r = check(image([[D('/srv'), ...files, P('/lib/apk/db/installed', lines.join('\n'))]]));
    expect(r.packages).toHaveLength(5000);
    const smallest = r.files.find((f) => f.path === '/srv/f0');
    expect(smallest?.owner).toBe(5000);
    const data = pageData(r);
    expect(data.owners?.[5000]).toEqual({ manager: 'other', name: 'packages (1 not listed)' });
    const srv = buildTree(r, undefined, { foldOver: 10_000, maxNamed: 10_000 }).root.c?.find(
      (n) => n.n === 'srv',
    );
    expect(srv?.c?.find((n) => n.n === 'f0')?.o).toBe(5000);
    expect(validateReport(JSON.parse(JSON.stringify(r))).files.find((f) => f.path === '/srv/f0')?.owner).toBe(
      5000,
    );
  });

  it('a long multi-arch name that is not UTF-8 gives a report that reads back', () => {
    const status = Buffer.concat([
      Buffer.from('Package: '),
      Buffer.alloc(250, 0xff),
      Buffer.from('\nArchitecture: '),
      Buffer.alloc(250, 0xfe),
      Buffer.from('\nMulti-Arch: same\nVersion: 1\nStatus: install ok installed\n'),
    ]);
    const r = check(image([[P('/var/lib/dpkg/status', status)]]));
    expect(r.packages).toHaveLength(1);
    expect(() => validateReport(JSON.parse(JSON.stringify(r)))).not.toThrow();
  });

  it('a package.json with a UTF-8 byte order mark parses', () => {
    expect(parse('/a/node_modules/x/package.json', '\uFEFF{"name":"x","version":"1.0.0"}')).toEqual({
      kind: 'npm',
      packages: [{ name: 'x', version: '1.0.0' }],
    });
  });
});
