#!/usr/bin/env node
// The cost of reading Go function tables: an A/B of the engine's CPU time on an image of hundreds of Go
// binaries (plus this machine's /usr/bin, for ELF files that are not Go), in one session.
//
//   npm run build && BENCH_BASE=/path/to/other/checkout node scripts/bench-go.mjs
//
// BENCH_BASE is a checkout of the branch point with its lib/ built (`npm run build` there); each run
// alternates this checkout's engine and the base's, BENCH_RUNS times (default 5), and prints the medians.
// The image (.bench/go-image) is built once: six Go programs built offline from the standard library,
// stripped and not, copied to 324 binaries in four gzip layers, and /usr/bin as a fifth.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = process.env.BENCH_DIR || join(root, '.bench');
const layout = join(benchDir, 'go-image');
const base = process.env.BENCH_BASE;
const runs = Number(process.env.BENCH_RUNS || 5);
const COPIES = 27;

const PROGRAMS = {
  hello: ['fmt'],
  client: ['net/http', 'io', 'os'],
  json: ['encoding/json', 'fmt'],
  server: ['net/http', 'crypto/tls', 'log'],
  tmpl: ['text/template', 'html/template', 'os'],
  archive: ['archive/tar', 'compress/gzip', 'os/exec', 'os'],
};

function sh(script, opts = {}) {
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
}

/** Source that uses each import, so the linker keeps some of it. */
function source(imports) {
  const uses = {
    fmt: 'fmt.Println(len(os.Args))',
    'net/http': 'if len(os.Args) > 5 { _, _ = http.Get(os.Args[1]); _ = http.ListenAndServe(":0", nil) }',
    io: 'var _ io.Reader',
    os: '_ = os.Args',
    'encoding/json': 'var v any; _ = json.Unmarshal([]byte(os.Args[0]), &v)',
    'crypto/tls': 'if len(os.Args) > 5 { _, _ = tls.Dial("tcp", os.Args[1], nil) }',
    log: 'log.SetFlags(0)',
    'text/template': '_ = template.Must(template.New("a").Parse(os.Args[0]))',
    'html/template': '_ = htemplate.HTMLEscapeString(os.Args[0])',
    'archive/tar': '_ = tar.NewReader(os.Stdin)',
    'compress/gzip': 'if len(os.Args) > 5 { _, _ = gzip.NewReader(os.Stdin) }',
    'os/exec': 'if len(os.Args) > 5 { _ = exec.Command(os.Args[1]).Run() }',
  };
  const all = [...new Set([...imports, 'os'])];
  const lines = all.map((p) => (p === 'html/template' ? `\thtemplate "${p}"` : `\t"${p}"`));
  return `package main\n\nimport (\n${lines.join('\n')}\n)\n\nfunc main() {\n\t${all.map((p) => uses[p]).join('\n\t')}\n}\n`;
}

function blob(buf) {
  const hex = createHash('sha256').update(buf).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

function layer(dir) {
  const tmp = join(benchDir, `go-layer-${process.pid}`);
  sh(`tar -C '${dir}' --sort=name -cf '${tmp}.tar' . && gzip -6 -c '${tmp}.tar' > '${tmp}.gz'`);
  const diffId = `sha256:${createHash('sha256')
    .update(readFileSync(`${tmp}.tar`))
    .digest('hex')}`;
  const gz = readFileSync(`${tmp}.gz`);
  const hex = createHash('sha256').update(gz).digest('hex');
  renameSync(`${tmp}.gz`, join(layout, 'blobs', 'sha256', hex));
  rmSync(`${tmp}.tar`);
  return { digest: `sha256:${hex}`, size: gz.length, diffId };
}

function ensureImage() {
  if (existsSync(join(layout, 'index.json'))) return;
  console.error('building the Go benchmark image (once; reused from .bench/go-image) …');
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const work = join(benchDir, 'go-src');
  const bins = join(benchDir, 'go-bins');
  rmSync(bins, { recursive: true, force: true });
  mkdirSync(bins, { recursive: true });
  const env = {
    ...process.env,
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    CGO_ENABLED: '0',
    GOCACHE: join(benchDir, 'gocache'),
  };
  for (const [name, imports] of Object.entries(PROGRAMS)) {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.18\n`);
    writeFileSync(join(dir, 'main.go'), source(imports));
    sh(`go build -o '${bins}/${name}' . && go build -ldflags='-s -w' -o '${bins}/${name}-s' .`, {
      cwd: dir,
      env,
    });
  }
  const layers = [];
  const names = Object.keys(PROGRAMS).flatMap((n) => [n, `${n}-s`]);
  for (let l = 0; l < 4; l++) {
    const dir = join(benchDir, `go-layer-dir`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'usr', 'local', 'bin'), { recursive: true });
    for (let i = 0; i < COPIES; i++)
      for (const n of names)
        if ((i + names.indexOf(n)) % 4 === l)
          cpSync(join(bins, n), join(dir, 'usr', 'local', 'bin', `${n}-${i}`));
    layers.push(layer(dir));
  }
  const usr = join(benchDir, 'go-layer-dir');
  rmSync(usr, { recursive: true, force: true });
  mkdirSync(join(usr, 'usr'), { recursive: true });
  sh(`cp -a /usr/bin '${usr}/usr/bin'`);
  layers.push(layer(usr));
  rmSync(usr, { recursive: true, force: true });
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((l) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: l.digest,
          size: l.size,
        })),
      }),
    ),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'go' },
        },
      ],
    }),
  );
}

function run(checkout) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', join(checkout, 'scripts', 'bench-child.mjs'), 'ours', `oci:${layout}:go`, '2'],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, SLIMGATE_CACHE: '0' },
    },
  );
  if (r.status !== 0) throw new Error(`bench child in ${checkout} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main() {
  if (!base || !existsSync(join(base, 'lib', 'engine', 'engine.js')))
    throw new Error('set BENCH_BASE to a checkout of the branch point with lib/ built');
  if (!existsSync(join(root, 'lib', 'engine', 'engine.js'))) throw new Error('run "npm run build" first');
  ensureImage();
  const size = statSync(join(layout, 'index.json')) && run(root);
  console.log(
    `image: ${size.files} files, ${(size.layerBytes / 1e6).toFixed(0)} MB uncompressed tar; ${runs} runs each, alternating`,
  );
  const cpu = { base: [], head: [] };
  const wall = { base: [], head: [] };
  for (let i = 0; i < runs; i++) {
    const a = run(base);
    const b = run(root);
    cpu.base.push(a.cpuMs);
    cpu.head.push(b.cpuMs);
    wall.base.push(a.ms);
    wall.head.push(b.ms);
  }
  const [cb, ch] = [median(cpu.base), median(cpu.head)];
  console.log(
    `CPU time (all threads), median: base ${cb.toFixed(0)} ms, this checkout ${ch.toFixed(0)} ms, ratio ${(ch / cb).toFixed(3)}`,
  );
  console.log(
    `wall time, median: base ${median(wall.base).toFixed(0)} ms, this checkout ${median(wall.head).toFixed(0)} ms`,
  );
  console.log(
    `CPU runs: base ${cpu.base.map((x) => x.toFixed(0)).join(' ')}; this ${cpu.head.map((x) => x.toFixed(0)).join(' ')}`,
  );
}

main();
