// The ratchet (fail-on: new-error) on findings whose path is not UTF-8, through the engine: the PR's findings
// are judged before the report boundary shows their names (src/report/names.ts), the baseline's after it.
// An unchanged image against itself must pass with 0 new errors, and the verdict, the exit code (report.passed)
// and the diff of the comment must agree. "\udcXX" in a name is the single byte 0xXX (the tar helper's `raw`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeReport } from '../../src/analysis/judge.js';
import { findingKey, matchFindings } from '../../src/analysis/finding.js';
import { DEFAULT_POLICY, type Policy } from '../../src/analysis/policy.js';
import { decideVerdict } from '../../src/analysis/verdict.js';
import { checkEvery, checkImage } from '../helpers/check.js';
import { diffReports } from '../../src/report/diff.js';
import { showNames } from '../../src/report/names.js';
import type { Finding, Report } from '../../src/types/report.js';
import { nameKey } from '../../src/util/names.js';
import { dir, file, layer, ociArchive, raw, tar, type TarEntry } from '../helpers/tar.js';
import { STATIC } from '../helpers/rules-kit.js';

const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const RATCHET: Policy = { ...DEFAULT_POLICY, failOn: 'new-error' };
const b64 = (s: string): string => raw(s).toString('base64');

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-ratchet-names-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** An oci-archive on a clean base (a static /app, a non-root user) with these entries on top. */
function image(entries: TarEntry[]): string {
  const app = [file('app', STATIC(), { mode: 0o755 })];
  const p = path.join(tmp, `${++n}.tar`);
  writeFileSync(p, ociArchive({ layers: [layer(tar(app)), layer(tar(entries))] }));
  return `oci-archive:${p}`;
}

/** Two error findings on names that are not UTF-8: a setuid file /bin/\xfe and a key under /root/\xff. */
const HOSTILE: TarEntry[] = [
  dir('bin/'),
  file('bin/\udcfe', 'x', { mode: 0o4755 }),
  dir('root/', { mode: 0o700 }),
  dir('root/\udcff/'),
  file('root/\udcff/id_ed25519', KEY, { mode: 0o600 }),
];

const errorsOf = (r: Report): string[] =>
  r.findings.filter((f) => f.severity === 'error').map((f) => `${f.id} ${f.path ?? ''}`);

describe('the ratchet on findings at paths that are not UTF-8', () => {
  it('the image has the two errors, on shown names with their bytes', async () => {
    const { report } = await checkImage(image(HOSTILE), { policy: RATCHET });
    expect(errorsOf(report).sort()).toEqual(['SG301 /bin/\\xfe', 'SG501 /root/\\xff/id_ed25519']);
    expect(report.findings.find((f) => f.id === 'SG301')?.pathBase64).toBe(b64('/bin/\udcfe'));
    // No baseline: the ratchet judges as error does.
    expect(report.passed).toBe(false);
    expect(report.verdict?.newErrors).toBe(2);
  });

  it('the same image as its own baseline: 0 new errors, passes, and the diff and the verdict agree', async () => {
    const src = image(HOSTILE);
    const { report, baseline } = await checkImage(src, { policy: RATCHET, baseline: src });
    expect(baseline).not.toBeNull();
    expect(report.verdict?.newErrors).toBe(0);
    expect(report.passed).toBe(true);
    const diff = diffReports(baseline as Report, report);
    expect(diff.findings.added).toEqual([]);
    expect(diff.findings.resolved).toEqual([]);
    // What the comment (--markdown, the action) states is decided on the shown reports: the same verdict.
    const shown = decideVerdict(report, RATCHET, { baseline: (baseline as Report).findings });
    expect(shown).toMatchObject({ blocking: false, newErrors: 0, errors: 2 });
    expect(shown.debt.map((f) => f.id).sort()).toEqual(['SG301', 'SG501']);
  });

  it('--platform all: each platform against itself passes too', async () => {
    const src = image(HOSTILE);
    const { platforms } = await checkEvery(src, { policy: RATCHET, baseline: src });
    expect(platforms).toHaveLength(1);
    expect(platforms[0]?.report.verdict?.newErrors).toBe(0);
    expect(platforms[0]?.report.passed).toBe(true);
  });

  it('a new error on a name that is not UTF-8 is still new, and only it', async () => {
    const before = image(HOSTILE);
    const after = image([...HOSTILE, file('bin/\udcfd', 'y', { mode: 0o4755 })]);
    const { report, baseline } = await checkImage(after, { policy: RATCHET, baseline: before });
    expect(report.verdict?.newErrors).toBe(1);
    expect(report.passed).toBe(false);
    const added = diffReports(baseline as Report, report).findings.added;
    // The new name is also a new SG906 warning.
    expect(added.map((f) => `${f.id} ${f.path ?? ''}`)).toEqual(['SG301 /bin/\\xfd', 'SG906 /bin/\\xfd']);
  });

  it('a name that only looks like the baseline\'s (a file really named "\\xfe") is a new error', async () => {
    const before = image(HOSTILE);
    const after = image([...HOSTILE, file('bin/\\xfe', 'z', { mode: 0o4755 })]);
    const { report, baseline } = await checkImage(after, { policy: RATCHET, baseline: before });
    expect(report.verdict?.newErrors).toBe(1);
    expect(report.passed).toBe(false);
    const added = diffReports(baseline as Report, report).findings.added;
    expect(added).toEqual([expect.objectContaining({ id: 'SG301', path: '/bin/\\xfe' })]);
    expect(added[0]?.pathBase64).toBeUndefined();
  });

  it('a saved baseline (the action, or a JSON report) gives the same verdict as the image itself', async () => {
    const src = image(HOSTILE);
    const { report } = await checkImage(src, { policy: RATCHET });
    const saved = JSON.parse(JSON.stringify(report)) as Report;
    const judged = judgeReport(report, RATCHET, { baseline: saved }).report;
    expect(judged.verdict?.newErrors).toBe(0);
    expect(judged.passed).toBe(true);
  });
});

describe('a saved baseline from before names were bytes, or with fields of the wrong type', () => {
  it('a path decoded to U+FFFD with no pathBase64 (before names were bytes): no crash, the error counts as new', async () => {
    const src = image(HOSTILE);
    const { report } = await checkImage(src, { policy: RATCHET });
    const old = JSON.parse(JSON.stringify(report)) as Report;
    for (const f of old.findings) {
      if (f.pathBase64 === undefined) continue;
      f.path = Buffer.from(f.pathBase64, 'base64').toString('utf8'); // what the old lossy decoding kept
      delete f.pathBase64;
    }
    expect(old.findings.map((f) => f.path)).toContain('/bin/\ufffd');
    const judged = judgeReport(report, RATCHET, { baseline: old }).report;
    // The bytes are gone from that baseline: the same finding cannot be told from another name that became
    // U+FFFD, so it is new (once: the next baseline saved has pathBase64), and the diff says the same.
    expect(judged.verdict?.newErrors).toBe(2);
    expect(judged.passed).toBe(false);
    const added = diffReports(old, judged).findings.added.filter((f) => f.severity === 'error');
    expect(added).toHaveLength(2);
  });

  it('fields of the wrong type in a saved baseline are keyed without a crash and match nothing real', () => {
    const pr: Finding = { ...finding('SG301'), path: '/bin/\udcfe' };
    const odd = [
      { ...finding('SG301'), path: ['/bin/\udcfe'] },
      { ...finding('SG301'), path: '/bin/\\xfe', pathBase64: 5 },
      { ...finding('SG301'), env: { a: 1 } },
      { ...finding('SG301'), path: null },
    ] as unknown as Finding[];
    for (const f of odd) expect(typeof findingKey(f)).toBe('string');
    expect(matchFindings(odd, [pr]).added).toEqual([pr]);
  });
});

/** A finding with only what its key reads mattering. */
function finding(id: string, extra: Partial<Finding> = {}): Finding {
  return { id, category: 'privilege', severity: 'error', message: 'm', remediation: 'r', ...extra };
}

/** The shown form of a finding, as the report boundary writes it. */
function shown(f: Finding): Finding {
  const r = { findings: [{ ...f }] } as unknown as Report;
  return showNames(r).findings[0] as Finding;
}

describe('findingKey: the same finding keys the same before and after the report boundary', () => {
  // [name, the engine's finding]: its shown form must key as it does.
  const SAME: [string, Finding][] = [
    ['a UTF-8 path', finding('SG301', { path: '/bin/su' })],
    ['a path with a stray byte', finding('SG301', { path: '/bin/\udcfe' })],
    ['a stray byte and a backslash', finding('SG301', { path: '/bin/a\\\udcff' })],
    ['Latin-1 bytes', finding('SG301', { path: '/caf\udce9/na\udcefve' })],
    ['a stray byte next to valid UTF-8', finding('SG301', { path: '/\u00e9\udcc3\u{1f600}' })],
    ['an ENV name with a stray byte', finding('SG503', { env: 'TOKEN_\udcff' })],
    ['no subject', finding('SG401')],
  ];
  it.each(SAME)('%s', (_name, f) => {
    const s = shown(f);
    expect(findingKey(s)).toBe(findingKey(f));
    expect(matchFindings([s], [f]).unchanged).toEqual([f]);
  });

  // [name, a, b]: different subjects, which must never share a key.
  const APART: [string, Finding, Finding][] = [
    ['0xfe and 0xff', finding('SG301', { path: '/\udcfe' }), finding('SG301', { path: '/\udcff' })],
    [
      'the byte 0xff and a file really named "\\xff" (shown alike)',
      finding('SG301', { path: '/a\udcff' }),
      finding('SG301', { path: '/a\\xff' }),
    ],
    [
      'the byte 0xff shown, and a file really named "\\xff"',
      shown(finding('SG301', { path: '/a\udcff' })),
      finding('SG301', { path: '/a\\xff' }),
    ],
    [
      // The bytes "i" 0xb7 0x1d are "abcd" in base64: a text name must never equal a bytes key.
      'a name that spells the base64 of another',
      finding('SG301', { path: '\u0002abcd' }),
      shown(finding('SG301', { path: 'i\udcb7\u001d' })),
    ],
    [
      'a path and an ENV name of the same text',
      finding('SG503', { path: 'X' }),
      finding('SG503', { env: 'X' }),
    ],
    ['two rules on one path', finding('SG301', { path: '/x' }), finding('SG302', { path: '/x' })],
    ['a path and no path', finding('SG301', { path: '' }), finding('SG301')],
  ];
  it.each(APART)('%s', (_name, a, b) => {
    expect(findingKey(a)).not.toBe(findingKey(b));
    expect(matchFindings([a], [b]).added).toEqual([b]);
  });

  it('nameKey: text and bytes never meet, and the shown form keys as the engine string', () => {
    expect(nameKey('/a\udcff')).toBe(nameKey('/a\\xff', Buffer.from('/a\xff', 'latin1').toString('base64')));
    expect(nameKey('/a\\xff')).not.toBe(nameKey('/a\udcff'));
    expect(nameKey('/\u00e9')).toBe('t/\u00e9');
    expect(nameKey('YWJj')).not.toBe(nameKey('abc', 'YWJj'));
    expect(shown(finding('SG301', { path: 'i\udcb7\u001d' })).pathBase64).toBe('abcd');
  });
});
