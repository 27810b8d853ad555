// Binaries against ground truth: a Go program (with a local module as a replaced dependency) built here
// twice, with and without -ldflags="-s -w", put in an image by the world's docker engine, then checked.
// The report's Go build info must equal what `go version -m` prints, its bytes by kind what `readelf -S`
// says, and SG620 must fire on the unstripped binary only. A third copy carries MiniDebugInfo only
// (`.gnu_debugdata`, added by objcopy, as Fedora ships every binary): stripped, as file(1) says of all three. golang-go and binutils come from
// scripts/test-world.sh's requirements; nothing is downloaded (GOPROXY=off, stdlib and a local module).
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proposeFixes } from '../../src/analysis/fixes.js';
import { checkImage } from '../helpers/check.js';
import { LayerCache } from '../../src/scan/cache.js';
import type { Report, ReportBinary } from '../../src/types/report.js';
import { skopeo } from '../helpers/images.js';
import { docker, run } from '../helpers/world.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-binaries-itg-'));
const tag = `sg-binaries-${process.pid}:1`;
const src = path.join(tmp, 'src');
let report: Report;

function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOCACHE: path.join(tmp, 'gocache'),
    GOPATH: path.join(tmp, 'gopath'),
    GOPROXY: 'off',
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
  };
}

beforeAll(async () => {
  mkdirSync(path.join(src, 'greet'), { recursive: true });
  writeFileSync(path.join(src, 'greet', 'go.mod'), 'module example.com/greet\n\ngo 1.19\n');
  writeFileSync(
    path.join(src, 'greet', 'greet.go'),
    'package greet\n\nfunc Hello() string { return "hello" }\n',
  );
  writeFileSync(
    path.join(src, 'go.mod'),
    'module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.0.0\n\nreplace example.com/greet => ./greet\n',
  );
  writeFileSync(
    path.join(src, 'main.go'),
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n',
  );
  const ctx = path.join(tmp, 'ctx');
  mkdirSync(ctx);
  const env = goEnv();
  run('go', ['build', '-trimpath', '-o', path.join(ctx, 'full'), '.'], { cwd: src, env, timeout: 300_000 });
  run('go', ['build', '-ldflags=-s -w', '-o', path.join(ctx, 'stripped'), '.'], {
    cwd: src,
    env: { ...env, CGO_ENABLED: '0' },
    timeout: 300_000,
  });
  writeFileSync(path.join(tmp, 'debugdata'), Buffer.alloc(8192, 0x5a));
  run('objcopy', [
    `--add-section=.gnu_debugdata=${path.join(tmp, 'debugdata')}`,
    path.join(ctx, 'stripped'),
    path.join(ctx, 'mini'),
  ]);
  writeFileSync(
    path.join(ctx, 'Dockerfile'),
    'FROM scratch\nCOPY full /full\nCOPY stripped /stripped\nCOPY mini /mini\nUSER 65532\nENTRYPOINT ["/full"]\n',
  );
  docker(['build', '--network', 'none', '-q', '-t', tag, ctx], {
    env: { DOCKER_BUILDKIT: '0' },
    timeout: 300_000,
  });
  const archive = path.join(tmp, 'image.tar');
  docker(['save', '-o', archive, tag], { timeout: 120_000 });
  // The ground truth reads the very files the image holds.
  for (const f of ['full', 'stripped', 'mini']) {
    copyFileSync(path.join(ctx, f), path.join(tmp, f));
    chmodSync(path.join(tmp, f), 0o755);
  }
  ({ report } = await checkImage(`docker-archive:${archive}`, { cache: false }));
}, 600_000);

afterAll(() => {
  docker(['rmi', '--force', tag], { allowFailure: true });
  rmSync(tmp, { recursive: true, force: true });
});

const binary = (p: string): ReportBinary => {
  const b = report.binaries?.find((x) => x.path === p);
  if (!b) throw new Error(`no binary ${p} in the report`);
  return b;
};

/** `go version -m FILE`, parsed as the go command prints it. */
function goVersionM(file: string): NonNullable<ReportBinary['go']> {
  const out = run('go', ['version', '-m', file], { env: goEnv() }).stdout;
  const [first, ...rest] = out.split('\n');
  const info: NonNullable<ReportBinary['go']> = {
    version: (first ?? '').split(': ')[1] ?? '',
    path: null,
    main: null,
    deps: [],
    settings: [],
  };
  let last: NonNullable<ReportBinary['go']>['deps'][number] | null = null;
  for (const line of rest) {
    const f = line.replace(/^\t/, '').split('\t');
    const mod = () => ({ path: f[1] ?? '', version: f[2] ?? '', ...(f[3] ? { sum: f[3] } : {}) });
    if (f[0] === 'path') info.path = f[1] ?? null;
    else if (f[0] === 'mod') info.main = last = mod();
    else if (f[0] === 'dep') info.deps.push((last = mod()));
    else if (f[0] === '=>' && last) last.replace = mod();
    else if (f[0] === 'build') {
      const kv = f.slice(1).join('\t');
      const eq = kv.indexOf('=');
      const v = kv.slice(eq + 1);
      info.settings.push({ key: kv.slice(0, eq), value: v.startsWith('"') ? (JSON.parse(v) as string) : v });
    }
  }
  return info;
}

/** Section bytes by kind as binutils' readelf reports the section headers. */
function readelfKinds(file: string): { code: number; debug: number; symbols: number } {
  const out = run('readelf', ['-S', '-W', file]).stdout;
  const k = { code: 0, debug: 0, symbols: 0 };
  for (const line of out.split('\n')) {
    const m = /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.*)$/.exec(
      line,
    );
    if (!m) continue;
    const [, name = '', type = '', sizeHex = '', rest = ''] = m;
    const size = parseInt(sizeHex, 16);
    const flags = rest.trim().split(/\s+/)[0] ?? '';
    if (type === 'NOBITS' || type === 'NULL') continue;
    if (/A/.test(flags) && !/^\d+$/.test(flags)) k.code += size;
    else if (name.startsWith('.debug') || name.startsWith('.zdebug')) k.debug += size;
    else if (name === '.symtab' || name === '.strtab') k.symbols += size;
  }
  return k;
}

describe('a Go binary in an image', () => {
  it('lists both ELF executables, and nothing else', () => {
    expect(report.binaries?.map((b) => b.path).sort()).toEqual(['/full', '/mini', '/stripped']);
  });

  it.each(['full', 'stripped'])('%s: Go build info equals go version -m', (name) => {
    const truth = goVersionM(path.join(tmp, name));
    // Beside the build info, the report counts the names read from the function table (stripped or not).
    const { stdlib, main, deps, functions, ...rest } =
      binary(`/${name}`).go ?? ({} as NonNullable<ReportBinary['go']>);
    expect(functions).toBeGreaterThan(1000);
    const bare = (m: { purl?: string } | null): object | null => {
      if (!m) return m;
      const { purl: _purl, ...x } = m;
      return x;
    };
    expect({ ...rest, main: bare(main), deps: deps.map(bare) }).toEqual(truth);
    // The purls: the module path and version go version -m prints, and the toolchain's own version.
    expect(deps.map((d) => d.purl)).toEqual(['pkg:golang/example.com/greet@v0.0.0']);
    const goVersion = run('go', ['env', 'GOVERSION'], { env: goEnv() }).stdout.trim();
    expect(stdlib).toEqual({
      version: goVersion.replace(/^go/, ''),
      purl: `pkg:golang/stdlib@${goVersion.replace(/^go/, '')}`,
    });
    // The cases that matter are really there: a replaced dependency and the build settings.
    expect(truth.deps).toEqual([
      { path: 'example.com/greet', version: 'v0.0.0', replace: { path: './greet', version: '(devel)' } },
    ]);
    expect(truth.settings.map((s) => s.key)).toContain(name === 'full' ? '-trimpath' : '-ldflags');
  });

  it.each(['full', 'stripped'])('%s: bytes by kind equal readelf -S', (name) => {
    const b = binary(`/${name}`);
    const truth = readelfKinds(path.join(tmp, name));
    expect(b.kinds).toMatchObject(truth);
    expect(b.kinds!.code + b.kinds!.debug + b.kinds!.symbols + b.kinds!.other).toBe(b.size);
    expect(b.stripped).toBe(name === 'stripped');
    if (name === 'full') expect(truth.debug).toBeGreaterThan(100_000);
    else expect(truth.debug + truth.symbols).toBe(0);
  });

  it.each(['full', 'stripped', 'mini'])('%s: stripped as file(1) says', (name) => {
    const out = run('file', ['-b', path.join(tmp, name)]).stdout;
    const truth = /\bnot stripped\b/.test(out) ? false : /\bstripped\b/.test(out) ? true : null;
    expect(truth).not.toBeNull();
    expect({ name, stripped: binary(`/${name}`).stripped }).toEqual({ name, stripped: truth });
    if (name === 'mini') expect(binary('/mini').kinds?.debug).toBeGreaterThanOrEqual(8192);
  });

  it('SG620 fires on the unstripped binary only, and its fix edits the go build line', () => {
    const hits = report.findings.filter((f) => f.id === 'SG620');
    expect(hits.map((f) => f.path)).toEqual(['/full']);
    expect(hits[0]?.message).toMatch(
      /^\/full carries .* of debug info and .* of symbols: \d+% of its .*-ldflags="-s -w"/,
    );
    const df =
      'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -trimpath -o /out/full .\n\n' +
      'FROM scratch\nCOPY --from=build /out/full /full\nENTRYPOINT ["/full"]\n';
    const plan = proposeFixes(df, report, { path: 'Dockerfile' });
    expect(plan.fixes.find((f) => f.rule === 'SG620')?.edit).toEqual({
      start: 4,
      end: 4,
      lines: ['RUN go build -ldflags="-s -w" -trimpath -o /out/full .'],
    });
  });

  it('gives the same binaries from the layer cache as from a fresh scan', async () => {
    const cache = path.join(tmp, 'layer-cache');
    // An OCI layout: its layers are blobs, which the cache keeps (an archive's layers stream past once).
    const layout = path.join(tmp, 'oci');
    skopeo(['copy', '-q', `docker-archive:${path.join(tmp, 'image.tar')}`, `oci:${layout}:app`]);
    const archive = `oci:${layout}:app`;
    const lc = new LayerCache(cache);
    const first = await checkImage(archive, { cache: lc });
    const hits = lc.stats.hits;
    const second = await checkImage(archive, { cache: lc });
    expect(lc.stats.hits).toBeGreaterThan(hits);
    expect(first.report.binaries).toEqual(report.binaries);
    expect(second.report.binaries).toEqual(report.binaries);
  });
});
