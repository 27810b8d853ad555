// Hostile names, through the bundled CLI (dist/cli.js; `npm run bundle` first): names that are not UTF-8
// must never collide (issue 12, §1), and names past the limits of a real file system must be findings
// while the work stays linear (§2 of DESIGN's invariants 6 and 8). Every image is generated here.
// "\udcXX" in a name is the single byte 0xXX (the tar helper's `raw`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/types/report.js';
import { dir, file, layer, ociArchive, raw, symlink, tar, type TarEntry } from '../helpers/tar.js';
import { STATIC } from '../helpers/rules-kit.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-names-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** An oci-archive of these layers, on a clean base: a static /app, a non-root user. */
function image(...layers: TarEntry[][]): string {
  const app = [file('app', STATIC(), { mode: 0o755 })];
  const p = path.join(tmp, `${++n}.tar`);
  writeFileSync(p, ociArchive({ layers: [layer(tar(app)), ...layers.map((l) => layer(tar(l)))] }));
  return `oci-archive:${p}`;
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['SLIMGATE_DEBUG'];
  const r = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `check --json`: the exit code and the report. */
function check(source: string): { status: number | null; report: Report; stderr: string } {
  const r = cli('check', '--json', source);
  expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

const ids = (fs: readonly Finding[]): string[] => fs.map((f) => f.id);
const b64 = (s: string): string => raw(s).toString('base64');
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

describe('names that are not UTF-8 never collide', () => {
  it('the control image passes: nothing else in these images fails the check', () => {
    const { status, report } = check(image([file('data.txt', 'x')]));
    expect(report.findings).toEqual([]);
    expect(status).toBe(0);
  });

  it('a key at root/\\xff/id_ed25519 next to root/\\xfe is found, and check fails', () => {
    const src = image([
      dir('root/', { mode: 0o700 }),
      dir('root/\udcff/'),
      file('root/\udcff/id_ed25519', KEY, { mode: 0o600 }),
      file('root/\udcfe', 'not a dir'),
    ]);
    const { status, report } = check(src);
    expect(status).toBe(1);
    const key = report.findings.find((f) => f.id === 'SG501');
    expect(key).toMatchObject({
      severity: 'error',
      path: '/root/\\xff/id_ed25519',
      pathBase64: b64('/root/\udcff/id_ed25519'),
    });
    expect(report.files.filter((f) => f.path.startsWith('/root/'))).toEqual([
      expect.objectContaining({ path: '/root/\\xfe', pathBase64: b64('/root/\udcfe'), type: 'file' }),
      expect.objectContaining({ path: '/root/\\xff', pathBase64: b64('/root/\udcff'), type: 'dir' }),
      expect.objectContaining({ path: '/root/\\xff/id_ed25519', type: 'file' }),
    ]);
    // Each non-UTF-8 name is a warning: /root/\xff (with the key below it) and /root/\xfe.
    expect(report.findings.filter((f) => f.id === 'SG906')).toEqual([
      expect.objectContaining({ severity: 'warning', path: '/root/\\xfe', category: 'integrity' }),
      expect.objectContaining({
        severity: 'warning',
        path: '/root/\\xff',
        message: expect.stringMatching(/and 1 entries below it/),
      }),
    ]);
    expect(JSON.stringify(report)).not.toMatch(/\ufffd|\\udc/);
    // The text output names the key the same way.
    const text = cli('check', src);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('/root/\\xff/id_ed25519');
    expect(text.stdout).not.toContain('\ufffd');
  });

  it('a whiteout .wh.\\xfe deletes \\xfe only: the key under \\xff still ships, and check fails', () => {
    const src = image(
      [dir('root/'), dir('root/\udcff/'), file('root/\udcff/id_ed25519', KEY), file('root/\udcfe', 'x')],
      [file('root/.wh.\udcfe')],
    );
    const { status, report } = check(src);
    expect(status).toBe(1);
    expect(ids(report.findings)).toContain('SG501');
    expect(report.files.map((f) => f.path)).toEqual([
      '/app',
      '/root',
      '/root/\\xff',
      '/root/\\xff/id_ed25519',
    ]);
    expect(report.size.wasted).toBe(1);
  });

  it('a setuid binary named \\xfe is not hidden by a later file named \\xff', () => {
    const src = image(
      [dir('bin/'), file('bin/\udcfe', 'x', { mode: 0o4755 })],
      [file('bin/\udcff', 'harmless')],
    );
    const { status, report } = check(src);
    expect(status).toBe(1);
    expect(report.findings.find((f) => f.id === 'SG301')).toMatchObject({ path: '/bin/\\xfe' });
    expect(report.size.wasted).toBe(0);
  });

  it('four Latin-1 names are four files, with no false waste', () => {
    const body = Buffer.alloc(1024, 0x61);
    const src = image(
      [file('caf\udce9', body), file('caf\udce8', body)],
      [file('na\udcefve', body), file('\udcfcber', body)],
    );
    const { report } = check(src);
    expect(report.files.map((f) => f.path).sort()).toEqual([
      '/\\xfcber',
      '/app',
      '/caf\\xe8',
      '/caf\\xe9',
      '/na\\xefve',
    ]);
    expect(report.size.wasted).toBe(0);
    expect(report.layers.map((l) => l.wastedBytes)).toEqual([0, 0, 0]);
    expect(report.findings.filter((f) => f.id === 'SG906')).toHaveLength(4);
  });

  it('a file really named "a\\xff" and the name a + 0xff stay apart: only the second has pathBase64', () => {
    const { report } = check(image([file('a\\xff', 'literal'), file('a\udcff', 'byte')]));
    const mine = report.files.filter((f) => f.path.startsWith('/a\\'));
    expect(mine).toHaveLength(2);
    // Both show as /a\xff; the bytes tell them apart.
    expect(mine.find((f) => f.pathBase64 === undefined)).toMatchObject({ path: '/a\\xff', size: 7 });
    expect(mine.find((f) => f.pathBase64 !== undefined)).toMatchObject({
      path: '/a\\xff',
      pathBase64: b64('/a\udcff'),
      size: 4,
    });
  });
});

describe('names past the limits of a real file system', () => {
  it('a file 100,000 directories deep: one SG907 finding, exit 1, no crash', () => {
    const deep = `${'d/'.repeat(100_000)}f`;
    const { status, report } = check(image([file(deep, 'deep', { pax: { path: deep } }), file('ok', 'o')]));
    expect(status).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({
        id: 'SG907',
        severity: 'error',
        message: expect.stringMatching(/200001 bytes is over PATH_MAX/),
      }),
    ]);
    expect(report.findings[0]!.path!.length).toBeLessThan(300);
    expect(report.files.map((f) => f.path)).toEqual(['/app', '/ok']);
  });

  it('a path of 4095 bytes is kept; 4096 bytes is SG907 (PATH_MAX)', () => {
    const c255 = (ch: string): string => ch.repeat(255);
    const ok = [...'abcdefghijklmnop'].map(c255).join('/'); // 16 × 255 + 15 = 4095 bytes
    const long = `${[...'abcdefghijklmno'].map(c255).join('/')}/${'y'.repeat(200)}/${'z'.repeat(55)}`;
    expect([Buffer.byteLength(ok), Buffer.byteLength(long)]).toEqual([4095, 4096]);
    const r1 = check(image([file(ok, 'k', { pax: { path: ok } })]));
    expect(r1.report.findings).toEqual([]);
    expect(r1.report.files.map((f) => f.path)).toContain(`/${ok}`);
    expect(r1.status).toBe(0);
    const r2 = check(image([file(long, 'k', { pax: { path: long } })]));
    expect(r2.report.findings).toEqual([
      expect.objectContaining({
        id: 'SG907',
        message: expect.stringMatching(/path of 4096 bytes is over PATH_MAX/),
      }),
    ]);
    expect(r2.status).toBe(1);
  });

  it('a name of 255 bytes is kept; 256 bytes is SG907 (NAME_MAX)', () => {
    const n255 = 'n'.repeat(255);
    const n256 = `é${'n'.repeat(254)}`; // 256 bytes in 255 characters
    const { status, report } = check(
      image([file(n255, '1', { pax: { path: n255 } }), file(n256, '2', { pax: { path: n256 } })]),
    );
    expect(status).toBe(1);
    expect(report.files.map((f) => f.path)).toContain(`/${n255}`);
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'SG907', message: expect.stringMatching(/256 bytes is over NAME_MAX/) }),
    ]);
  });

  it('a symlink target of 300,000 components: SG907, no stack overflow', () => {
    const target = 'a/'.repeat(300_000);
    const { status, report } = check(
      image([symlink('l', target, { pax: { linkpath: target } }), file('l/x', '')]),
    );
    expect(status).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'SG907', message: expect.stringMatching(/link target of 600000 bytes/) }),
    ]);
  });

  it('symlinks that lead a parent path over 256 levels deep: SG908, exit 1', () => {
    const link = (name: string, target: string): TarEntry =>
      symlink(name, target, { pax: { linkpath: target } });
    const entries: TarEntry[] = [link('l0', `/${'a/'.repeat(200)}`)];
    for (let i = 1; i < 40; i++) entries.push(link(`l${i}`, `l${i - 1}/${'a/'.repeat(200)}`));
    entries.push(file('l39/x', 'x'));
    const { status, report } = check(image(entries));
    expect(status).toBe(1);
    expect(ids(report.findings)).toContain('SG908');
    expect(Math.max(...report.files.map((f) => f.path.split('/').length - 1))).toBeLessThanOrEqual(256);
  });

  it('500 names of 16,400 characters: 500 SG907 findings, and the small files next to them are kept', () => {
    const entries: TarEntry[] = [];
    for (let i = 0; i < 500; i++) {
      const name = `${String(i).padStart(4, '0')}/${'x'.repeat(16_395)}`;
      entries.push(file(name, '', { pax: { path: name } }), file(`k${i}`, 'k'));
    }
    const { status, report } = check(image(entries));
    expect(status).toBe(1);
    expect(report.findings.filter((f) => f.id === 'SG907')).toHaveLength(500);
    expect(report.files.filter((f) => /^\/k\d+$/.test(f.path))).toHaveLength(500);
  });
});
