// Go vulnerabilities through the engine's check(): a docker archive holding Go-like ELF files (a function
// table written by the test), the OSV double, and the policy. Each entry's answer (linked, not linked,
// unknown and why) is asserted on the finding and on each surface, and counted as the policy says.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergePolicy } from '../../src/config/merge.js';
import { renderCheck } from '../../src/report/text.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { proposeFixes } from '../../src/analysis/fixes.js';
import { renderSarif } from '../../src/report/sarif.js';
import { validateReport } from '../../src/report/validate.js';
import { OsvClient } from '../../src/vulns/client.js';
import type { Finding } from '../../src/types/report.js';
import type { OsvRecord } from '../../src/vulns/records.js';
import { checkImage } from '../helpers/check.js';
import { buildElf, goBuildInfo, goLikeSections } from '../helpers/elf-build.js';
import { startOsvDouble, type OsvDouble } from '../helpers/osv-double.js';
import { RECORDS, V31_CRITICAL } from '../helpers/osv-records.js';
import { dockerArchive, file, layer, tar } from '../helpers/tar.js';

// The x/net record scored (it has no score in the shared set), so that not linked is the only reason it is
// not counted against a `high` budget.
const records: OsvRecord[] = RECORDS.map((r) =>
  r.id === 'GO-2026-0101' ? { ...r, severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }] } : r,
);

const MODINFO =
  'path\texample.com/app\nmod\texample.com/app\t(devel)\t\n' +
  'dep\tgolang.org/x/net\tv0.20.0\th1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n';

/** A Go 1.21.5 program with the given functions in its table (none: no table at all). */
function goProgram(functions: string[] | null): Buffer {
  const info = goBuildInfo('go1.21.5', MODINFO);
  const sections = goLikeSections(info, functions ? { functions } : { pclntab: false });
  return buildElf({ sections, goNote: true }).file;
}

let osv: OsvDouble;
let dir: string;
let source: string;
let baseline: string;
beforeAll(async () => {
  osv = await startOsvDouble({ records });
  dir = mkdtempSync(path.join(tmpdir(), 'sg-govulns-'));
  const files = tar([
    // Links the standard library's vulnerable method and none of x/net's.
    file('srv/linked', goProgram(['net/http.(*Request).ParseMultipartForm', 'golang.org/x/net/html.Parse']), {
      mode: 0o755,
    }),
    // Links x/net's vulnerable method (pointer receiver) and not the standard library's.
    file('srv/http2', goProgram(['golang.org/x/net/http2.(*Framer).ReadFrame', 'net/http.Get']), {
      mode: 0o755,
    }),
    // No function table: both unknown.
    file('srv/bare', goProgram(null), { mode: 0o755 }),
  ]);
  source = `docker-archive:${path.join(dir, 'img.tar')}`;
  writeFileSync(path.join(dir, 'img.tar'), dockerArchive({ layers: [layer(files, 'none')] }));
  // main's image: the same program before it called the vulnerable method.
  const before = tar([file('srv/linked', goProgram(['net/http.Get']), { mode: 0o755 })]);
  baseline = `docker-archive:${path.join(dir, 'main.tar')}`;
  writeFileSync(path.join(dir, 'main.tar'), dockerArchive({ layers: [layer(before, 'none')] }));
});
afterAll(async () => {
  await osv.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(countUnlinked?: boolean, withBaseline = false) {
  const policy = mergePolicy({
    maxNewVulnerabilities: 'medium',
    ...(countUnlinked !== undefined ? { countUnlinked } : {}),
  });
  const client = new OsvClient({ url: osv.url, deadlineMs: 5000 });
  return checkImage(source, {
    policy,
    cache: false,
    vulnerabilities: { client, cacheDir: null },
    ...(withBaseline ? { baseline } : {}),
  });
}

const rowsOf = (findings: readonly Finding[]) =>
  findings
    .filter((f) => f.id === 'SG801')
    .map((f) => [
      f.path,
      f.vulnerability?.package.name,
      f.vulnerability?.reachability,
      f.vulnerability?.reachabilityWhy ?? null,
      f.severity,
    ])
    .sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));

describe('Go reachability through check()', () => {
  it('judges each entry by its own binary, and counts not linked ones only with count-unlinked', async () => {
    const p = await run();
    const no = 'no Go function table was read from the binary';
    expect(rowsOf(p.report.findings)).toEqual([
      ['/srv/bare', 'golang.org/x/net', 'unknown', no, 'error'],
      ['/srv/bare', 'stdlib', 'unknown', no, 'error'],
      ['/srv/http2', 'golang.org/x/net', 'linked', null, 'error'],
      ['/srv/http2', 'stdlib', 'not-linked', null, 'info'],
      ['/srv/linked', 'golang.org/x/net', 'not-linked', null, 'info'],
      ['/srv/linked', 'stdlib', 'linked', null, 'error'],
    ]);
    expect(p.verdict.blocking).toBe(true);
    const all = await run(true);
    expect(rowsOf(all.report.findings).map((r) => r[4])).toEqual(Array(6).fill('error'));
  });

  it('shows the answer on the text output, SARIF and the JSON report', async () => {
    const p = await run();
    const text = renderCheck(p.report);
    expect(text).toMatch(/linked: unknown \(no Go function table was read from the binary\)/);
    expect(text).toMatch(/not linked/);
    const sarif = renderSarif(p.report, { root: '/', commentKey: 'k' });
    const results = sarif.runs
      .flatMap((r) => r.results)
      .map((r) => ({ ...r, properties: r.properties as { vulnerability?: Record<string, unknown> } }))
      .filter((r) => r.properties?.vulnerability);
    expect(results.map((r) => r.properties?.vulnerability?.['reachability']).sort()).toEqual([
      'linked',
      'linked',
      'not-linked',
      'not-linked',
      'unknown',
      'unknown',
    ]);
    expect(results.some((r) => /not linked into the binary/.test(r.message.text))).toBe(true);
    expect(results.some((r) => /; linked into the binary/.test(r.message.text))).toBe(true);
    const back = validateReport(JSON.parse(JSON.stringify(p.report)));
    expect(rowsOf(back.findings)).toEqual(rowsOf(p.report.findings));
  });

  it('judges a scanned baseline by its own binaries: the newly linked entry is the one that is new', async () => {
    const p = await run(false, true);
    expect(rowsOf(p.baseline?.findings ?? [])).toEqual([
      ['/srv/linked', 'golang.org/x/net', 'not-linked', null, 'info'],
      ['/srv/linked', 'stdlib', 'not-linked', null, 'info'],
    ]);
    expect(p.verdict.blocking).toBe(true);
  });

  it('the comment names each answer and the fix: the Go release, or go get', async () => {
    const p = await run();
    const md = renderMarkdown(p.report, undefined, { verdict: p.verdict });
    expect(md).toMatch(/linked; fix&#58; build with go1\.21\.8/);
    expect(md).toMatch(/linked; fix&#58; go get golang\.org\/x\/net@(&#8203;)?v0\.23\.0/);
    expect(md).toMatch(/linked&#58; unknown \(no Go function table was read from the binary\)/);
    expect(md).toMatch(/not linked; in \/srv\/linked/);
  });

  it('the HTML page lists each Go entry with its answer', async () => {
    const p = await run();
    const html = renderHtml(p.report);
    expect(html).toMatch(/GO-2026-0102|CVE-2026-6002/);
    expect(html).toMatch(/in \/srv\/linked: linked; fix: build with go1\.21\.8/);
    expect(html).toMatch(/in \/srv\/http2: not linked</);
    expect(html).toMatch(/in \/srv\/bare: linked: unknown \(no Go function table was read from the binary\)/);
  });

  it('the Dockerfile fix moves the golang: build image to the release that fixes the linked entries', async () => {
    const p = await run();
    const text =
      'FROM golang:1.21.5-bookworm AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n';
    const plan = proposeFixes(text, p.report);
    expect(plan.fixes.filter((f) => f.rule === 'SG801').map((f) => f.edit)).toEqual([
      { start: 1, end: 1, lines: ['FROM golang:1.21.8-bookworm AS build'] },
    ]);
    const notLinked = {
      ...p.report,
      findings: p.report.findings.filter((f) => f.vulnerability?.reachability !== 'linked'),
    };
    expect(proposeFixes(text, notLinked).fixes.filter((f) => f.rule === 'SG801')).toEqual([]);
  });
});
