// A report read back from disk is hostile input: in the fork-safe recipe a fork's workflow writes every
// byte of report.json, baseline.json and pr.json, and a saved baseline or a `baseline:` file is only as
// good as whoever wrote it. Each malformed report below goes through the real reader (loadReport) and then
// the real consumers (the verdict, the diff, the markdown, the trend, the re-save); the only acceptable end
// is one InputError line naming the file and the JSON path of the bad field.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadReport } from '../../src/github/baseline.js';
import { readEnvelope, type PrEnvelope } from '../../src/github/artifact.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { trendOf } from '../../src/report/trend.js';
import { decideVerdict } from '../../src/analysis/verdict.js';
import type { Report } from '../../src/types/report.js';
import { InputError, failureLine } from '../../src/util/errors.js';
import { mainReport, prEnvelope, prReport } from '../helpers/github-reports.js';
import { DEFAULT_POLICY } from '../../src/analysis/policy.js';
import { inspect } from '../../src/engine/engine.js';
import { checkImage } from '../helpers/check.js';
import { dir as tarDir, file, layer, ociArchive, tar } from '../helpers/tar.js';
import { D, F, S, STATIC, X, check as kitCheck, image as kitImage } from '../helpers/rules-kit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sg-hostile-reports-'));
let n = 0;
function writeJson(doc: unknown, text?: string): string {
  const p = path.join(dir, `r${n++}.json`);
  writeFileSync(p, text ?? JSON.stringify(doc));
  return p;
}

type Doc = Record<string, unknown> & { findings: Record<string, unknown>[] };
/** A well-formed PR report as plain JSON data, to break one field of. */
const good = (): Doc => JSON.parse(JSON.stringify(prReport())) as Doc;
/** The JSON text of a good report with one change made. */
const set = (f: (d: Doc) => void): (() => string) => {
  return () => {
    const d = good();
    f(d);
    return JSON.stringify(d);
  };
};
const at = (d: Doc, keys: (string | number)[], v: unknown): void => {
  let o = d as unknown as Record<string | number, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[keys.at(-1)!] = v;
};
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/**
 * What a run makes of a report read back: as the baseline and as the PR's own report, the verdict (the
 * ratchet matches findings), the diff both ways, the comment with the trend, and the re-save of the baseline.
 * Returns the one line a run would print, or 'ok' when everything went through.
 */
function outcome(file: string): string {
  try {
    const bad = loadReport(file, 'baseline report');
    const ok = mainReport();
    const v1 = decideVerdict(ok, { failOn: 'new-error' }, { baseline: bad.findings });
    const v2 = decideVerdict(bad, { failOn: 'error' }, { baseline: ok.findings });
    renderMarkdown(ok, diffReports(bad, ok), { verdict: v1, trend: trendOf(ok, bad), commentKey: 'k' });
    renderMarkdown(bad, diffReports(ok, bad), { verdict: v2, trend: trendOf(bad, ok), commentKey: 'k' });
    JSON.stringify(bad);
    return 'ok';
  } catch (err) {
    return err instanceof InputError ? failureLine(err) : `${(err as Error).name}: ${failureLine(err)}`;
  }
}

const SEVERITIES = 'must be one of error, warning, info';

describe('a malformed report read back: one line naming the file and the field', () => {
  it.each<[string, () => string, string | RegExp]>([
    ['findings: [null]', set((d) => (d['findings'] = [null] as never)), 'findings[0] must be an object'],
    ['findings: {}', set((d) => (d['findings'] = {} as never)), 'findings must be an array'],
    [
      'a finding with severity: 5',
      set((d) => at(d, ['findings', 3, 'severity'], 5)),
      `findings[3].severity ${SEVERITIES}`,
    ],
    [
      'a finding with severity: "fatal"',
      set((d) => at(d, ['findings', 0, 'severity'], 'fatal')),
      `findings[0].severity ${SEVERITIES}`,
    ],
    [
      'a finding with path: 7',
      set((d) => at(d, ['findings', 1, 'path'], 7)),
      'findings[1].path must be a string',
    ],
    [
      'a finding with id: 201',
      set((d) => at(d, ['findings', 1, 'id'], 201)),
      'findings[1].id must be a string',
    ],
    [
      'a finding with no category',
      set((d) => delete d.findings[2]!['category']),
      'findings[2].category is missing',
    ],
    [
      'a finding with pathBase64 that is not base64',
      set((d) => at(d, ['findings', 0, 'pathBase64'], '%%')),
      'findings[0].pathBase64 must be base64',
    ],
    [
      'a finding with location.line: "3"',
      set((d) => at(d, ['findings', 0, 'location'], { file: 'Dockerfile', line: '3' })),
      'findings[0].location.line must be a non-negative integer',
    ],
    ['files: "x"', set((d) => (d['files'] = 'x')), 'files must be an array'],
    [
      'a file with size: "big"',
      set((d) => at(d, ['files', 1, 'size'], 'big')),
      'files[1].size must be a non-negative integer',
    ],
    [
      'a file with size: -1',
      set((d) => at(d, ['files', 1, 'size'], -1)),
      'files[1].size must be a non-negative integer',
    ],
    [
      'a file with type: "socket"',
      set((d) => at(d, ['files', 0, 'type'], 'socket')),
      /^files\[0\]\.type must be one of file, dir, symlink, hardlink, char, block, fifo/,
    ],
    [
      'a file with path: null',
      set((d) => at(d, ['files', 2, 'path'], null)),
      'files[2].path must be a string',
    ],
    ['a file with mode: 493', set((d) => at(d, ['files', 2, 'mode'], 493)), 'files[2].mode must be a string'],
    ['layers: [1]', set((d) => (d['layers'] = [1])), 'layers[0] must be an object'],
    ['layers: {}', set((d) => (d['layers'] = {})), 'layers must be an array'],
    [
      'a layer with diffId: null',
      set((d) => at(d, ['layers', 0, 'diffId'], null)),
      'layers[0].diffId must be a string',
    ],
    [
      'a layer with createdBy: 5',
      set((d) => at(d, ['layers', 1, 'createdBy'], 5)),
      'layers[1].createdBy must be a string or null',
    ],
    ['budget.checks: null', set((d) => at(d, ['budget', 'checks'], null)), 'budget.checks must be an array'],
    [
      'a budget check with limit: "5MB"',
      set((d) => at(d, ['budget', 'checks', 0, 'limit'], '5MB')),
      'budget.checks[0].limit must be a number',
    ],
    [
      'a budget check with passed: "no"',
      set((d) => at(d, ['budget', 'checks', 0, 'passed'], 'no')),
      'budget.checks[0].passed must be true or false',
    ],
    ['size: {}', set((d) => (d['size'] = {})), 'size.compressed is missing'],
    [
      'size.uncompressed: 1e400 (Infinity)',
      () => JSON.stringify(good()).replace(/"uncompressed":\d+/, '"uncompressed":1e400'),
      'size.uncompressed must be a non-negative integer',
    ],
    ['image.source: []', set((d) => at(d, ['image', 'source'], [])), 'image.source must be a string'],
    [
      'image.config.env: [1]',
      set((d) => at(d, ['image', 'config', 'env'], [1])),
      'image.config.env[0] must be a string',
    ],
    [
      'image.platform: null',
      set((d) => at(d, ['image', 'platform'], null)),
      'image.platform must be a string',
    ],
    [
      'base.verdict: "alpine"',
      set((d) => at(d, ['base', 'verdict'], 'alpine')),
      'base.verdict must be one of scratch, distroless, os',
    ],
    ['base.evidence: "x"', set((d) => at(d, ['base', 'evidence'], 'x')), 'base.evidence must be an array'],
    [
      'base.packages[0].count: "88"',
      set((d) =>
        at(d, ['base', 'packages'], [{ manager: 'dpkg', path: '/var/lib/dpkg/status', count: '88' }]),
      ),
      'base.packages[0].count must be a non-negative integer or null',
    ],
    [
      'entrypoint.argv: "sh"',
      set(
        (d) =>
          (d['entrypoint'] = {
            argv: 'sh',
            resolved: null,
            kind: 'none',
            interpreter: null,
            needed: null,
            evidence: [],
          }),
      ),
      'entrypoint.argv must be an array',
    ],
    [
      'verdict.failOn: "sometimes"',
      set((d) => (d['verdict'] = { failOn: 'sometimes', errors: 0, warnings: 0, infos: 0 })),
      /^verdict\.failOn must be one of error, warning, new-error, never/,
    ],
    ['history: "x"', set((d) => (d['history'] = 'x')), 'history must be an array'],
    ['passed: "true"', set((d) => (d['passed'] = 'true')), 'passed must be true or false'],
    [
      'a gigantic string',
      set((d) => at(d, ['findings', 0, 'message'], 'x'.repeat(2 * 1024 * 1024))),
      /^findings\[0\]\.message must be a string of at most \d+ characters/,
    ],
    [
      'deeply nested junk in a known field',
      () => JSON.stringify(good()).replace(/"evidence":\[/, `"evidence":[${nested(100_000)},`),
      'base.evidence[0] must be a string',
    ],
  ])('%s', (_n, text, want) => {
    const file = writeJson(null, text());
    const line = outcome(file);
    const prefix = `baseline report ${file}: `;
    expect(line.startsWith(prefix), line.slice(0, 300)).toBe(true);
    const rest = line.slice(prefix.length);
    if (typeof want === 'string') expect(rest.startsWith(want), rest.slice(0, 300)).toBe(true);
    else expect(rest).toMatch(want);
    expect(line).not.toMatch(/\n/);
    expect(line.length).toBeLessThan(prefix.length + 300);
  });

  it('a hostile value never reaches the line raw: no control characters, no ANSI, bounded', () => {
    const evil = '\u001b[31mred\r\n::error::forged' + '\u202e' + 'A'.repeat(100_000);
    const file = writeJson(null, set((d) => at(d, ['findings', 0, 'severity'], evil))());
    const line = outcome(file);
    expect(line).toMatch(/^baseline report .*: findings\[0\]\.severity must be one of error, warning, info/);
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(line).not.toMatch(/^::|\n::/);
    expect(line.length).toBeLessThan(400);
  });

  it('deeply nested junk under a key this version does not read is dropped, not walked', () => {
    const text = JSON.stringify(good()).replace(/^\{/, `{"junk":${nested(100_000)},`);
    const file = writeJson(null, text);
    expect(outcome(file)).toBe('ok');
    expect(Object.keys(loadReport(file))).not.toContain('junk');
  });

  it('a file over 256 MiB is refused before it is read, with one line', () => {
    const file = path.join(dir, 'huge.json');
    writeFileSync(file, '{');
    truncateSync(file, 256 * 1024 * 1024 + 1); // sparse: nothing is written
    expect(outcome(file)).toBe(`baseline report ${file} is 268 MB, over the limit of 256 MiB`);
  });

  it('a device or a FIFO is refused, never read without end', () => {
    expect(outcome('/dev/zero')).toBe('baseline report /dev/zero is not a regular file');
    expect(outcome(dir)).toBe(`baseline report ${dir} is not a regular file`);
    const fifo = path.join(dir, 'fifo.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(outcome(fifo)).toBe(`baseline report ${fifo} is not a regular file`);
  });

  it('a missing file: one line', () => {
    expect(outcome(path.join(dir, 'nope.json'))).toMatch(
      /^baseline report .*nope\.json is not readable JSON: ENOENT/,
    );
  });

  it('a key named __proto__ is data, never a prototype', () => {
    const text = JSON.stringify(good()).replace(/^\{/, '{"__proto__":{"polluted":1},');
    const r = loadReport(writeJson(null, text)) as Report & { polluted?: number };
    expect(r.polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });

  it.each<[string, string, string | RegExp]>([
    ['not JSON', 'not json', /is not readable JSON/],
    ['an array', '[]', /is not a Slimgate report \(expected a JSON object\)/],
    ['schemaVersion 2', '{"schemaVersion":2}', /has schemaVersion 2; this version reads 1/],
    ['no image', '{"schemaVersion":1}', /is not a Slimgate report \(no "image"\)$/],
    ['schemaVersion "1"', '{"schemaVersion":"1"}', /has schemaVersion "1"; this version reads 1$/],
  ])('%s: one line', (_n, text, want) => {
    const file = writeJson(null, text);
    expect(outcome(file)).toMatch(want);
  });
});

describe('every report this version writes reads back the same', () => {
  it.each<[string, () => Report]>([
    ['main', mainReport],
    ['a PR with findings, budgets and a base', prReport],
    [
      'with the optional fields (entrypoint, verdict, history, names as bytes, locations)',
      () => ({
        ...prReport(),
        findings: [
          {
            ...prReport().findings[0]!,
            pathBase64: 'L2JpblxzaA==',
            layer: 2,
            env: 'TOKEN',
            location: { file: 'Dockerfile', line: 3 },
            docs: 'https://example.invalid/rules.md#sg101',
          },
        ],
        files: [
          { ...prReport().files[1]!, pathBase64: 'L2FwcC9oZWxsbw==' },
          { ...prReport().files[6]!, linkBase64: 'YmFzaA==' },
        ],
        base: {
          ...prReport().base,
          os: { id: 'debian', versionId: '12', prettyName: null },
          packages: [{ manager: 'dpkg', path: '/var/lib/dpkg/status', count: 88 }],
          dockerfile: { file: 'Dockerfile', line: 1, image: 'debian:12' },
        },
        budget: {
          passed: false,
          checks: [
            {
              name: 'max-growth',
              limit: 1.5,
              actual: -200,
              passed: true,
              unit: 'bytes',
              skipped: false,
              detail: 'x',
            },
          ],
        },
        entrypoint: {
          argv: ['/app/hello'],
          resolved: '/app/hello',
          kind: 'static',
          interpreter: null,
          needed: null,
          evidence: [],
        },
        verdict: {
          failOn: 'new-error',
          preset: 'budgets-only',
          errors: 5,
          warnings: 1,
          infos: 0,
          newErrors: 2,
        },
        history: [
          { commit: 'a'.repeat(40), date: '2026-11-01T00:00:00.000Z', compressed: 1, uncompressed: 2 },
        ],
      }),
    ],
  ])('%s', (_n, make) => {
    const r = make();
    expect(loadReport(writeJson(r))).toEqual(r);
  });

  it('an older report: no pathBase64, no entrypoint or verdict, no unit/skipped/detail on checks', () => {
    const r = prReport();
    expect(r.findings.every((f) => f.pathBase64 === undefined)).toBe(true);
    expect(r.entrypoint).toBeUndefined();
    expect(loadReport(writeJson(r))).toEqual(r);
  });
});

describe("the engine's own reports read back the same", () => {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const KEY =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
  /** As the action saves a report and reads it back: JSON, then loadReport. */
  const roundTrip = (r: Report): void => {
    const saved = JSON.parse(JSON.stringify(r)) as Report;
    expect(loadReport(writeJson(r))).toEqual(saved);
  };

  it('the example images: check (one against the other as baseline) and inspect', async () => {
    const hello = `docker-archive:${path.join(repo, 'examples', 'hello-scratch.tar')}`;
    const busybox = `oci-archive:${path.join(repo, 'examples', 'busybox-os.tar')}`;
    const policy = { ...DEFAULT_POLICY, maxSize: 1000, maxGrowth: { percent: 10 } } as typeof DEFAULT_POLICY;
    const { report, baseline } = await checkImage(busybox, { policy, baseline: hello });
    expect(report.findings.length).toBeGreaterThan(3);
    expect(report.entrypoint).toBeDefined();
    roundTrip(report);
    roundTrip(baseline!);
    for (const r of [...(await inspect(hello)), ...(await inspect(busybox))]) roundTrip(r);
  });

  it('the unit fixtures: names that are not UTF-8, secrets in ENV, setuid, links, a script entrypoint', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'sg-hostile-roundtrip-'));
    const p = path.join(tmp, 'names.tar');
    writeFileSync(
      p,
      ociArchive({
        layers: [
          layer(tar([file('app', STATIC(), { mode: 0o755 })])),
          layer(
            tar([
              tarDir('bin/'),
              file('bin/\udcfe', 'x', { mode: 0o4755 }),
              tarDir('root/', { mode: 0o700 }),
              tarDir('root/\udcff/'),
              file('root/\udcff/id_ed25519', KEY, { mode: 0o600 }),
            ]),
          ),
        ],
      }),
    );
    const { report } = await checkImage(`oci-archive:${p}`, {
      policy: { ...DEFAULT_POLICY, failOn: 'new-error' },
    });
    expect(report.findings.some((f) => f.pathBase64)).toBe(true);
    roundTrip(report);
    roundTrip(
      kitCheck(
        kitImage(
          [
            [
              D('/bin'),
              X('/bin/sh', '#!/bin/busybox\n'),
              S('/bin/ash', 'sh'),
              X('/app/run.sh', '#!/bin/sh\nexec /app/srv\n'),
              F('/usr/bin/sudo', 100, { mode: 0o4755 }),
            ],
          ],
          { Entrypoint: ['/app/run.sh'], Env: ['AWS_SECRET_ACCESS_KEY=abc', 'PATH=/bin'], User: '' },
        ),
      ),
    );
  });
});

describe('pr.json read back: every field it passes on is checked', () => {
  const envelope = prEnvelope('a'.repeat(40));

  it('a well-formed one reads back as written', () => {
    const full: PrEnvelope = {
      ...envelope,
      preset: 'budgets-only',
      baselineSource: 'saved report',
      overrideLabel: 'slimgate-override',
      checkedSha: 'a'.repeat(40),
      runUrl: 'https://github.com/octo/app/actions/runs/1',
    };
    expect(readEnvelope(writeJson(envelope))).toEqual(envelope);
    expect(readEnvelope(writeJson(full))).toEqual(full);
  });

  it.each<[string, Record<string, unknown>, string | RegExp]>([
    ['pullRequest: "7"', { pullRequest: '7' }, 'pullRequest must be a positive integer'],
    ['pullRequest: 0', { pullRequest: 0 }, 'pullRequest must be a positive integer'],
    ['commentKey: 5', { commentKey: 5 }, 'commentKey must be a string'],
    [
      'a commentKey with a lone surrogate',
      { commentKey: 'app\udc00' },
      'commentKey must be one line of text',
    ],
    ['a commentKey over two lines', { commentKey: 'app\n::error::x' }, 'commentKey must be one line of text'],
    ['headSha: []', { headSha: [] }, 'headSha must be a string'],
    [
      'failOn: "sometimes"',
      { failOn: 'sometimes' },
      'failOn must be one of error, warning, new-error, never',
    ],
    ['preset: 5', { preset: 5 }, 'preset must be one of budgets-only, default (not 5)'],
    ['baselineLabel: {}', { baselineLabel: {} }, 'baselineLabel must be a string'],
    [
      'baselineNote: a gigantic string',
      { baselineNote: 'x'.repeat(100_000) },
      /^baselineNote must be a string of at most \d+ characters/,
    ],
    ['showPlatform: "yes"', { showPlatform: 'yes' }, 'showPlatform must be true or false'],
    ['overrideLabel: 5', { overrideLabel: 5 }, 'overrideLabel must be a string'],
    ['overrideApplied: 1', { overrideApplied: 1 }, 'overrideApplied must be true or false'],
    ['baselineSource: null', { baselineSource: null }, 'baselineSource must be a string'],
  ])('%s', (_n, patch, want) => {
    const file = writeJson({ ...envelope, ...patch });
    let line = 'ok';
    try {
      readEnvelope(file);
    } catch (err) {
      line = err instanceof InputError ? failureLine(err) : `${(err as Error).name}: ${failureLine(err)}`;
    }
    const prefix = `${file}: `;
    expect(line.startsWith(prefix), line.slice(0, 300)).toBe(true);
    const rest = line.slice(prefix.length);
    if (typeof want === 'string') expect(rest.startsWith(want), rest).toBe(true);
    else expect(rest).toMatch(want);
    expect(line.length).toBeLessThan(prefix.length + 300);
  });

  it('drops keys it does not know, so that nothing unchecked reaches the comment', () => {
    const env = readEnvelope(writeJson({ ...envelope, notes: ['<img src=x>'], fromFork: true }));
    expect(env).toEqual(envelope);
  });
});
