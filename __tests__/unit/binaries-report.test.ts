// Binaries in the report and its surfaces: the SG620 Dockerfile fix (-ldflags="-s -w" on the right go build
// line), the report's `binaries` through validate (old reports still read), the binaries diff in
// `check --baseline` text and the comment (image text stays inert), and `inspect`'s lines.
import { describe, expect, it } from 'vitest';
import { complete } from '../../src/analysis/finding.js';
import { proposeFixes } from '../../src/analysis/fixes.js';
import { diffBinaries } from '../../src/report/binaries-diff.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { renderCheck, renderInspect } from '../../src/report/text.js';
import { validateReport } from '../../src/report/validate.js';
import type { Report, ReportBinary } from '../../src/types/report.js';
import { file, report } from '../helpers/github-reports.js';

const goBinary = (
  path: string,
  size: number,
  deps: [string, string][],
  x: Partial<ReportBinary> = {},
): ReportBinary => ({
  path,
  size,
  kinds: { code: size - 700_000, debug: 600_000, symbols: 90_000, other: 10_000 },
  stripped: false,
  go: {
    version: 'go1.22.1',
    path: 'example.com/app',
    main: { path: 'example.com/app', version: '(devel)' },
    deps: deps.map(([p, v]) => ({ path: p, version: v })),
    settings: [{ key: '-ldflags', value: '-X main.v=1' }],
  },
  ...x,
});

const sg620 = (path: string) => complete({ id: 'SG620', path, message: `${path} carries debug info` });

function withBinary(b: ReportBinary, extra: Partial<Report> = {}): Report {
  return report({
    files: [file(b.path, b.size, { mode: '0755' })],
    binaries: [b],
    findings: [sg620(b.path)],
    ...extra,
  });
}

describe('SG620 fix: -ldflags="-s -w" on the go build that made the binary', () => {
  it('adds it to the go build of the stage the binary is copied from', () => {
    const df =
      'FROM golang:1.22 AS tools\nRUN go build -o /bin/tool ./tool\n\n' +
      'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\n\n' +
      'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n';
    const p = proposeFixes(df, withBinary(goBinary('/app', 2_000_000, [])), { path: 'Dockerfile' });
    expect(p.skipped).toEqual([]);
    expect(p.fixes.map((f) => f.edit)).toEqual([
      { start: 7, end: 7, lines: ['RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /out/app ./cmd/app'] },
    ]);
  });

  it('merges into an existing -ldflags, quoted or not, and follows a directory destination', () => {
    const df =
      'FROM golang:1.22 AS build\nRUN go build \\\n    -ldflags="-X main.version=1.0" \\\n    -o /out/app .\n' +
      'FROM scratch\nCOPY --from=build /out/app /usr/local/bin/\n';
    const p = proposeFixes(df, withBinary(goBinary('/usr/local/bin/app', 2_000_000, [])), {
      path: 'Dockerfile',
    });
    expect(p.fixes[0]?.edit).toEqual({
      start: 2,
      end: 4,
      lines: ['RUN go build \\', '    -ldflags="-s -w -X main.version=1.0" \\', '    -o /out/app .'],
    });
    const bare =
      'FROM golang AS b\nRUN go build -ldflags=-w -o /app .\nFROM scratch\nCOPY --from=b /app /app\n';
    expect(proposeFixes(bare, withBinary(goBinary('/app', 2_000_000, []))).fixes[0]?.edit.lines).toEqual([
      'RUN go build -ldflags="-s -w" -o /app .',
    ]);
  });

  it('picks the go build whose -o names the binary when a stage has several', () => {
    const df =
      'FROM golang AS b\nRUN go build -o /out/worker ./worker\nRUN go build -o /out/api ./api\n' +
      'FROM scratch\nCOPY --from=b /out/api /api\n';
    const p = proposeFixes(df, withBinary(goBinary('/api', 2_000_000, [])));
    expect(p.fixes[0]?.edit.start).toBe(3);
  });

  it('edits nothing, and says why, when it cannot be sure', () => {
    const already =
      'FROM golang AS b\nRUN go build -ldflags "-s -w" -o /app .\nFROM scratch\nCOPY --from=b /app /app\n';
    expect(proposeFixes(already, withBinary(goBinary('/app', 2_000_000, []))).skipped[0]?.reason).toMatch(
      /already passes -s -w/,
    );
    const none = 'FROM debian\nCOPY app /app\n';
    expect(proposeFixes(none, withBinary(goBinary('/app', 2_000_000, []))).skipped[0]?.reason).toMatch(
      /no go build line made the binary/,
    );
    const c = withBinary({ ...goBinary('/app', 2_000_000, []), go: undefined } as ReportBinary);
    delete c.binaries![0]!.go;
    expect(
      proposeFixes('FROM gcc AS b\nRUN gcc -g -o /app a.c\nFROM scratch\nCOPY --from=b /app /app\n', c)
        .skipped[0]?.reason,
    ).toMatch(/not a Go binary: strip it/);
    const two =
      'FROM golang AS b\nRUN go build -o /a ./a && go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\n';
    expect(proposeFixes(two, withBinary(goBinary('/app', 2_000_000, []))).skipped[0]?.reason).toMatch(
      /several go build commands/,
    );
  });
});

describe('the report field', () => {
  it('reads back through validate, and an older report without it still reads', () => {
    const r = withBinary(goBinary('/app', 2_000_000, [['golang.org/x/text', 'v0.14.0']]));
    expect(validateReport(JSON.parse(JSON.stringify(r))).binaries).toEqual(r.binaries);
    const old = JSON.parse(JSON.stringify(report()));
    expect(validateReport(old).binaries).toBeUndefined();
  });

  it('refuses a binaries field of the wrong shape, naming it', () => {
    const r = JSON.parse(JSON.stringify(withBinary(goBinary('/app', 2_000_000, []))));
    r.binaries[0].kinds.debug = -5;
    expect(() => validateReport(r)).toThrow(/non-negative integer/);
    const big = JSON.parse(JSON.stringify(withBinary(goBinary('/app', 2_000_000, []))));
    big.binaries[0].go.settings[0].value = 'x'.repeat(5000);
    expect(() => validateReport(big)).toThrow(/at most 4096 characters/);
  });
});

describe('the binaries diff', () => {
  const before = withBinary(
    goBinary('/app', 2_000_000, [
      ['golang.org/x/text', 'v0.13.0'],
      ['example.com/gone', 'v1.0.0'],
    ]),
  );
  const after = withBinary(
    goBinary('/app', 2_400_000, [
      ['golang.org/x/text', 'v0.14.0'],
      ['github.com/new/dep', 'v2.0.0'],
    ]),
  );

  it('lists added, removed and changed modules with versions, and the binary Δ', () => {
    const d = diffBinaries(before, after)!;
    expect(d.modules).toEqual({ added: 1, removed: 1, changed: 1 });
    expect(d.items[0]).toMatchObject({ path: '/app', change: 'changed', delta: 400_000 });
    expect(d.items[0]!.modules).toEqual([
      { path: 'github.com/new/dep', change: 'added', before: null, after: 'v2.0.0' },
      { path: 'golang.org/x/text', change: 'changed', before: 'v0.13.0', after: 'v0.14.0' },
      { path: 'example.com/gone', change: 'removed', before: 'v1.0.0', after: null },
    ]);
    expect(diffBinaries(before, before)).toBeUndefined();
  });

  it('shows in check --baseline text, largest first', () => {
    const text = renderCheck(after, before);
    expect(text).toContain('Binaries    1 changed vs baseline · Go modules: 1 added, 1 removed, 1 changed');
    expect(text).toContain('  ~ /app  +400 kB');
    expect(text).toContain('      + github.com/new/dep v2.0.0');
    expect(text).toContain('      ~ golang.org/x/text v0.13.0 → v0.14.0');
    expect(text).toContain('      - example.com/gone v1.0.0');
  });

  it('shows in the comment, with image text inert', () => {
    const hostile = withBinary(
      goBinary('/app', 2_400_000, [['@admin/[x](https://evil.example)', 'v1.0.0 <img src=x>']]),
    );
    const md = renderMarkdown(hostile, diffReports(before, hostile));
    expect(md).toContain('<summary>Binaries: 1 changed, Go modules 1 added, 2 removed, 0 changed</summary>');
    expect(md).not.toContain('@admin');
    expect(md).not.toContain('<img');
    expect(md).not.toContain('[x](https://evil');
    expect(md).toMatch(/↳ <code>@&#8203;admin\/&#91;x&#93;/);
  });

  it('says added when every binary is added, never "changed"', () => {
    const old = goBinary('/old', 1_000_000, []);
    const base = withBinary(old);
    const grown = { ...base, binaries: [old, goBinary('/a', 500_000, []), goBinary('/b', 700_000, [])] };
    const text = renderCheck(grown, base);
    expect(text).toContain('Binaries    2 added vs baseline');
    const md = renderMarkdown(grown, diffReports(base, grown));
    expect(md).toContain('<summary>Binaries: 2 added</summary>');
    expect(md).not.toMatch(/Binaries: \d+ changed/);
  });

  it('keeps image text out of the terminal raw: control characters escaped, no workflow command', () => {
    const evil = withBinary(goBinary('/app', 2_400_000, [['::error::owned\u001b[31m', 'v1\u0007']]));
    const text = renderCheck(evil, before);
    const controls = [...text].filter((ch) => (ch < ' ' && ch !== '\n') || ch === '\u007f');
    expect(controls).toEqual([]);
    expect(text.split('\n').some((l) => l.startsWith('::'))).toBe(false);
    expect(text).toContain('+ ::error::owned\\x1b[31m v1\\x07');
  });

  it('inspect lists the largest binaries with their debug bytes and Go version', () => {
    const text = renderInspect(after);
    expect(text).toContain('Binaries (1 ELF executable, uncompressed)');
    expect(text).toMatch(
      /2\.40 MB {2}\/app {2}debug 600 kB · symbols 90\.0 kB · go1\.22\.1 example\.com\/app/,
    );
  });
});
