// Any report Slimgate writes, it reads back (issue 24): images generated from a seeded PRNG — names that
// are not UTF-8, control and bidi characters, names up to the file-system limits, deep paths, secrets in
// content, hostile Go build info, many findings — go through the real pipeline (scan, flatten, analysis,
// assembly), and the JSON report they give must pass the validator that reads baselines and artifacts,
// and render on every surface. A failure prints the seed, so it can be replayed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/validate.js';
import { renderCheck } from '../../src/report/text.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderHtml } from '../../src/report/html.js';
import { diffReports } from '../../src/report/diff.js';
import { checkImage } from '../helpers/check.js';
import { dockerArchive, imageConfig, layer, tar, type TarEntry } from '../helpers/tar.js';
import { buildElf, goBuildInfo, goLikeSections } from '../helpers/elf-build.js';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-roundtrip-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** mulberry32: a small seeded PRNG, so a failing case replays from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const j = (...p: string[]): string => p.join('');
const SECRET_LINES = [
  j('token = "gh', 'p_', 'R7xK2mQ9vL4wT8nB3cF6hJ1pS5dG0aZyE2uW', '"'),
  j('AWS_ACCESS_KEY_ID=AK', 'IAZ7Q3W5T2R8Y4U6P1'),
  j('db = postgres://app:Zq9-', 'dbPa55@db/app'),
  j('-----BEGIN RSA PRIVATE KEY-----\n', 'MIIEowIBAAKCAQEA'.repeat(5), '\n-----END RSA PRIVATE KEY-----'),
  j('slack = xo', 'xb-1234567890-0987654321-aBcDeFgHiJkLmNoPqRsTuV'),
];

/** Pieces a hostile name is made of: plain, control, bidi, zero-width, stray bytes (as U+DC80..U+DCFF). */
function piece(r: () => number): string {
  const pick = Math.floor(r() * 8);
  const len = 1 + Math.floor(r() * 12);
  const chars: string[] = [];
  for (let i = 0; i < len; i++) {
    if (pick === 0)
      chars.push(String.fromCharCode(1 + Math.floor(r() * 31))); // C0 (no NUL)
    else if (pick === 1)
      chars.push(String.fromCharCode(0xdc80 + Math.floor(r() * 128))); // stray bytes
    else if (pick === 2)
      chars.push(['\u202e', '\u2066', '\u200b', '\ufeff', '\u0085', '\u009b'][i % 6] as string);
    else if (pick === 3) chars.push('é日本🙂'.charAt(Math.floor(r() * 4)));
    else chars.push(String.fromCharCode(97 + Math.floor(r() * 26)));
  }
  return chars.join('').replace(/\//g, '_');
}

function name(r: () => number, huge: boolean): string {
  const depth = 1 + Math.floor(r() * (huge ? 12 : 4));
  const parts = Array.from({ length: depth }, () => (huge && r() < 0.3 ? 'n'.repeat(200) : piece(r)));
  return parts.map((p) => (p === '.' || p === '..' || p === '' ? 'x' : p)).join('/');
}

function goBinary(r: () => number): Buffer {
  const deps = Array.from(
    { length: Math.floor(r() * 300) },
    (_, i) => `dep\texample.com/${piece(r).replace(/[\t\n]/g, '_')}${i}\tv1.${i}.0\th1:x=\n`,
  ).join('');
  const ld = `-X main.token=${SECRET_LINES[0]!.slice(9, -1)} -X main.note=${piece(r).replace(/[\t\n"]/g, '_')}`;
  const mod = `path\texample.com/${piece(r).replace(/[\t\n]/g, '_')}\n${deps}build\t-ldflags=${JSON.stringify(ld)}\n`;
  return buildElf({ sections: goLikeSections(goBuildInfo('go1.22.1', mod)) }).file;
}

/** One hostile image: a few layers of generated entries, a config with hostile text. */
function generate(seed: number): string {
  const r = prng(seed);
  const layers: TarEntry[][] = [];
  const nLayers = 1 + Math.floor(r() * 3);
  const used = new Set<string>();
  for (let l = 0; l < nLayers; l++) {
    const entries: TarEntry[] = [];
    const count = 5 + Math.floor(r() * 60);
    for (let i = 0; i < count; i++) {
      let n = name(r, r() < 0.15);
      if (used.has(n)) n = `${n}${i}`;
      used.add(n);
      const long = Buffer.byteLength(n) > 99 || /[\udc80-\udcff]/.test(n);
      const kind = r();
      const base = { name: n, ...(long ? { longName: true, headerName: `long${i}` } : {}) };
      if (kind < 0.5) {
        const lines = Array.from({ length: 1 + Math.floor(r() * 4) }, () =>
          r() < 0.4 ? (SECRET_LINES[Math.floor(r() * SECRET_LINES.length)] as string) : piece(r),
        );
        entries.push({ ...base, type: 'file', mode: r() < 0.2 ? 0o4755 : 0o644, body: lines.join('\n') });
      } else if (kind < 0.6) entries.push({ ...base, type: 'file', mode: 0o755, body: goBinary(r) });
      else if (kind < 0.75) entries.push({ ...base, type: 'symlink', linkname: piece(r) });
      else if (kind < 0.85) entries.push({ ...base, type: 'dir', mode: 0o777 });
      else entries.push({ ...base, type: 'file', body: Buffer.alloc(Math.floor(r() * 4096), 0) });
    }
    layers.push(entries);
  }
  const blobs = layers.map((e) => layer(tar(e)));
  const cfg = imageConfig(blobs, {
    config: {
      Entrypoint: [`/${piece(r)}`, `--password=${piece(r)}x`],
      Env: [`A_TOKEN=${piece(r)}`, `X=${piece(r)}`],
      User: piece(r),
      Labels: { 'org.opencontainers.image.base.name': `https://u:${piece(r)}pw@reg/${piece(r)}` },
    },
    history: blobs.map(() => ({ created_by: `RUN ${piece(r)} ${SECRET_LINES[2]}` })),
  });
  const p = path.join(tmp, `${seed}.tar`);
  writeFileSync(p, dockerArchive({ layers: blobs, config: cfg, repoTags: [`roundtrip:${seed}`] }));
  return `docker-archive:${p}`;
}

describe('reports of generated hostile images read back', { timeout: 120_000 }, () => {
  const seeds = Array.from({ length: 12 }, (_, i) => 0x5eed + i * 7919);
  let previous: ReturnType<typeof validateReport> | undefined;

  it.each(seeds)('seed %i', async (seed) => {
    const src = generate(seed);
    const { report } = await checkImage(src, { cache: false, concurrency: 1 });
    const json = JSON.stringify(report);
    let back: ReturnType<typeof validateReport> | undefined;
    expect(() => (back = validateReport(JSON.parse(json))), `seed ${seed}`).not.toThrow();
    expect(back?.files.length).toBe(report.files.length);
    expect(back?.findings.length).toBe(report.findings.length);
    // Every surface renders it, also as a baseline of the next one; none holds a secret value.
    const sarif = JSON.stringify(renderSarif(report, { root: tmp, commentKey: 'k' }));
    const all = [
      json,
      renderCheck(report, previous),
      renderMarkdown(report, previous && diffReports(previous, report)),
      sarif,
      renderHtml(report),
    ];
    for (const s of ['R7xK2mQ9vL4wT8nB3cF6hJ1pS5dG0aZyE2uW', 'IAZ7Q3W5T2R8Y4U6P1', 'Zq9-dbPa55'])
      for (const out of all) expect(out.includes(s), `seed ${seed}: ${s}`).toBe(false);
    previous = back;
  });
});
