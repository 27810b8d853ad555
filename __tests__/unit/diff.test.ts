// The baseline → PR diff (src/report/diff.ts) is pure: table tests on small hand-written reports.
import { describe, expect, it } from 'vitest';
import { matchFindings } from '../../src/analysis/finding.js';
import { delta, diffFiles, diffLayers, diffReports, rollUp } from '../../src/report/diff.js';
import { findingKey } from '../../src/analysis/finding.js';
import { dir, file, finding, layer, mainReport, prReport, report } from '../helpers/github-reports.js';

describe('delta', () => {
  it.each([
    [100, 150, 50, 50],
    [200, 100, -100, -50],
    [0, 10, 10, null],
    [0, 0, 0, null],
    [10, 10, 0, 0],
  ])('%d → %d', (before, after, d, p) => {
    expect(delta(before, after)).toEqual({ before, after, delta: d, percent: p });
  });
});

describe('rollUp', () => {
  it.each([
    ['/usr/lib/x86_64-linux-gnu/libc.so.6', false, 2, '/usr/lib'],
    ['/usr/lib/x86_64-linux-gnu', true, 2, '/usr/lib'],
    ['/usr/lib', true, 2, '/usr/lib'],
    ['/usr/bin/apt', false, 2, '/usr/bin'],
    ['/hello', false, 2, '/'],
    ['/etc/passwd', false, 2, '/etc'],
    ['/etc', true, 2, '/etc'],
    ['/a/b/c/d', false, 1, '/a'],
  ])('%s (dir %s, depth %d) → %s', (path, isDir, depth, want) => {
    expect(rollUp(path, isDir, depth)).toBe(want);
  });
});

describe('diffLayers', () => {
  const a = layer('a', 'FROM debian', 100);
  const b = layer('b', 'COPY app /app', 10);
  const c = layer('c', 'RUN apt-get update', 50);

  it('matches shared layers by diff_id, the same instruction with other bytes as changed', () => {
    const b2 = layer('B', 'COPY app /app', 15);
    const items = diffLayers([a, b], [a, b2, c]);
    expect(items.map((l) => [l.change, l.label, l.delta])).toEqual([
      ['unchanged', 'FROM debian', 0],
      ['changed', 'COPY app /app', 5],
      ['added', 'RUN apt-get update', 50],
    ]);
  });

  it('lists removed layers after the PR layers', () => {
    const items = diffLayers([a, c, b], [a, b]);
    expect(items.map((l) => [l.change, l.label, l.delta])).toEqual([
      ['unchanged', 'FROM debian', 0],
      ['unchanged', 'COPY app /app', 0],
      ['removed', 'RUN apt-get update', -50],
    ]);
  });

  it('matches repeated instructions one to one', () => {
    const r1 = layer('1', 'RUN make', 5);
    const r2 = layer('2', 'RUN make', 6);
    const r3 = layer('3', 'RUN make', 7);
    const items = diffLayers([r1, r2], [r3, r2, layer('4', 'RUN make', 1)]);
    expect(items.map((l) => l.change)).toEqual(['changed', 'unchanged', 'added']);
  });

  it('labels a layer without history by its diff_id, and never pairs two such layers as changed', () => {
    const x = layer('e', null, 5);
    const y = layer('f', null, 6);
    const items = diffLayers([x], [y]);
    expect(items.map((l) => [l.change, l.label])).toEqual([
      ['added', `(layer ${y.diffId.slice(7, 19)})`],
      ['removed', `(layer ${x.diffId.slice(7, 19)})`],
    ]);
  });
});

describe('diffFiles', () => {
  it('finds added, removed and changed files, with size, mode, owner, type and link changes', () => {
    const before = [
      file('/app/hello', 100),
      file('/app/config', 10),
      file('/etc/motd', 5),
      file('/bin/x', 1, { mode: '0755' }),
      file('/bin/y', 1, { uid: 1000 }),
      { ...file('/bin/sh', 0), type: 'symlink' as const, link: 'busybox' },
    ];
    const after = [
      file('/app/hello', 150),
      file('/app/config', 10),
      file('/bin/x', 1, { mode: '4755' }),
      file('/bin/y', 1, { uid: 0, gid: 0 }),
      { ...file('/bin/sh', 0), type: 'symlink' as const, link: 'bash' },
      file('/usr/lib/libc.so', 1000),
    ];
    const d = diffFiles(before, after);
    expect({ added: d.added, removed: d.removed, changed: d.changed }).toEqual({
      added: 1,
      removed: 1,
      changed: 4,
    });
    const all = d.directories.flatMap((x) =>
      x.files.map((f) => [f.path, f.change, f.delta, f.attributes.join()]),
    );
    expect(all).toEqual([
      ['/usr/lib/libc.so', 'added', 1000, ''],
      ['/app/hello', 'changed', 50, 'size'],
      ['/etc/motd', 'removed', -5, ''],
      ['/bin/sh', 'changed', 0, 'link'],
      ['/bin/x', 'changed', 0, 'mode'],
      ['/bin/y', 'changed', 0, 'owner'],
    ]);
    expect(d.directories.map((x) => [x.path, x.delta, x.added, x.removed, x.changed])).toEqual([
      ['/usr/lib', 1000, 1, 0, 0],
      ['/app', 50, 0, 0, 1],
      ['/etc', -5, 0, 1, 0],
      ['/bin', 0, 0, 0, 3],
    ]);
  });

  it('lists directories only when their mode, owner or type changes', () => {
    const d = diffFiles(
      [dir('/old'), dir('/tmp', { mode: '0755' }), dir('/same')],
      [dir('/new'), dir('/tmp', { mode: '1777' }), dir('/same')],
    );
    expect(d.directories.flatMap((x) => x.files.map((f) => [f.path, f.change, f.attributes.join()]))).toEqual(
      [['/tmp', 'changed', 'mode']],
    );
  });

  it('counts regular file bytes only: a hard link adds no bytes', () => {
    const d = diffFiles(
      [file('/a', 10)],
      [file('/a', 10), { ...file('/b', 10), type: 'hardlink', link: '/a' }],
    );
    expect(d.directories[0]!.files[0]).toMatchObject({ path: '/b', change: 'added', delta: 0 });
  });

  it('is empty for identical inventories', () => {
    const files = [dir('/app'), file('/app/x', 3)];
    expect(
      diffFiles(
        files,
        files.map((f) => ({ ...f })),
      ),
    ).toEqual({ added: 0, removed: 0, changed: 0, directories: [] });
  });

  it('ranks directories by |Δ| with ties by path, so the order is stable', () => {
    const d = diffFiles([file('/b/1', 5), file('/a/1', 5)], [file('/c/1', 5)]);
    expect(d.directories.map((x) => x.path)).toEqual(['/a', '/b', '/c']);
  });
});

describe('matchFindings (the diff of findings)', () => {
  it('splits into new, resolved and unchanged by rule and path, not by message', () => {
    const before = [
      finding('SG201', 'shell', 'error', '/bin/sh'),
      finding('SG801', 'waste', 'warning', '/var/cache/apt', 'apt cache 1 MB'),
      finding('SG601', 'user', 'warning', '/etc/passwd'),
    ];
    const after = [
      finding('SG201', 'shell', 'error', '/bin/sh'),
      finding('SG801', 'waste', 'warning', '/var/cache/apt', 'apt cache 2 MB'),
      finding('SG301', 'package-manager', 'error', '/usr/bin/apt'),
    ];
    const d = matchFindings(before, after);
    expect(d.added.map((f) => f.id)).toEqual(['SG301']);
    expect(d.resolved.map((f) => f.id)).toEqual(['SG601']);
    expect(d.unchanged.map((f) => f.message)).toEqual(['shell /bin/sh present', 'apt cache 2 MB']);
  });

  it('matches by rule and subject (path, ENV name), never by message, and counts duplicates', () => {
    const noPath = {
      id: 'SG320',
      category: 'user',
      severity: 'warning' as const,
      message: 'runs as root',
      remediation: '',
    };
    // A message that quotes sizes or layer numbers changes between builds: the finding is the same.
    expect(findingKey(noPath)).toBe(findingKey({ ...noPath, message: 'runs as root: USER 0 is uid 0' }));
    expect(findingKey({ ...noPath, path: '/a' })).not.toBe(findingKey({ ...noPath, path: '/b' }));
    expect(findingKey({ ...noPath, env: 'A' })).not.toBe(findingKey({ ...noPath, env: 'B' }));
    expect(findingKey({ ...noPath, id: 'SG321' })).not.toBe(findingKey(noPath));
    // A path and an ENV name of the same text are different subjects.
    expect(findingKey({ ...noPath, path: 'X' })).not.toBe(findingKey({ ...noPath, env: 'X' }));
    const d = matchFindings([noPath], [noPath, noPath]);
    expect([d.added.length, d.unchanged.length, d.resolved.length]).toEqual([1, 1, 0]);
  });
});

describe('diffReports', () => {
  it('diffs main against the PR: sizes, layers, files, base, findings and budgets', () => {
    const d = diffReports(mainReport(), prReport());
    expect(d.size.uncompressed.delta).toBe(prReport().size.uncompressed - mainReport().size.uncompressed);
    expect(d.size.files).toMatchObject({ before: 3, after: 15 });
    expect(d.layers).toMatchObject({
      added: 2,
      removed: 0,
      changed: 0,
      count: { before: 1, after: 3, delta: 2 },
    });
    expect(d.base).toMatchObject({ changed: true, before: { verdict: 'scratch' }, after: { verdict: 'os' } });
    expect(d.findings.added).toHaveLength(6);
    expect(d.findings.resolved.map((f) => f.id)).toEqual(['SG601']);
    expect(d.budget).toMatchObject({ before: true, after: false });
    expect(d.budget.checks.map((c) => [c.name, c.before, c.after.passed])).toEqual([
      ['max-size', null, false],
      ['max-compressed-size', null, true],
      ['max-layers', null, true],
      ['max-growth', null, false],
    ]);
    expect(d.files.directories[0]!.path).toBe('/var/lib');
  });

  it('reports no change for the same report', () => {
    const d = diffReports(prReport(), prReport());
    expect(d.size.uncompressed).toMatchObject({ delta: 0, percent: 0 });
    expect(d.layers.items.every((l) => l.change === 'unchanged')).toBe(true);
    expect(d.files.directories).toEqual([]);
    expect(d.findings.added).toEqual([]);
    expect(d.findings.unchanged).toHaveLength(6);
    expect(d.base.changed).toBe(false);
  });

  it('is pure: the inputs are not modified', () => {
    const a = mainReport();
    const b = prReport();
    const [ca, cb] = [structuredClone(a), structuredClone(b)];
    diffReports(a, b);
    expect([a, b]).toEqual([ca, cb]);
    expect(report()).toEqual(report());
  });
});
