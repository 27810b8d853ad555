// Known vulnerabilities through the engine's judgement and on every surface: main's saved report (looked up
// when it was not), the PR's, the ratchet's verdict, the comment's headline and sections, the text output,
// the JSON report read back, and SARIF; "not checked" and `vulnerabilities: off` on each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeChecked, type CheckedPlatform } from '../../src/engine/engine.js';
import { withVulnerabilities } from '../../src/engine/vulnerabilities.js';
import { mergePolicy } from '../../src/config/merge.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { renderCheck } from '../../src/report/text.js';
import { renderSarif } from '../../src/report/sarif.js';
import { validateReport } from '../../src/report/validate.js';
import { pageData } from '../../src/report/html.js';
import { ShapeError } from '../../src/util/shape.js';
import { OsvClient } from '../../src/vulns/client.js';
import type { Report } from '../../src/types/report.js';
import { check, D, DPKG, F, image, P, T } from '../helpers/rules-kit.js';
import { startOsvDouble, type OsvDouble } from '../helpers/osv-double.js';
import { RECORDS } from '../helpers/osv-records.js';

let osv: OsvDouble;
beforeAll(async () => {
  osv = await startOsvDouble({ records: RECORDS });
});
afterAll(() => osv.stop());

const CONFIG = { User: '65532', Entrypoint: ['/app'] };
const OS = T('/etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
const policy = mergePolicy({ maxNewVulnerabilities: 'high' });
const FAST = { attempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 100 };

function mainImage(): Report {
  return check(
    image(
      [
        [
          OS,
          D('/usr'),
          D('/usr/bin'),
          ...DPKG(['bash', '/usr/bin/bash', '5.2.15-2'], ['shadow', '/usr/bin/login', '1:4.13+dfsg1-1']),
          F('/usr/bin/bash', 100),
          F('/usr/bin/login', 10),
        ],
        [F('/app', 1000, { mode: 0o755 })],
      ],
      CONFIG,
      { createdBy: ['/bin/sh -c #(nop) ADD file:abc in /', 'COPY app /app # buildkit'] },
    ),
  );
}

/** The PR fixes shadow, keeps bash's backlog, and brings a critical npm package in a layer of its own. */
function prImage(): Report {
  return check(
    image(
      [
        [
          OS,
          D('/usr'),
          D('/usr/bin'),
          ...DPKG(
            ['bash', '/usr/bin/bash', '5.2.15-2'],
            ['shadow', '/usr/bin/login', '1:4.13+dfsg1-1+deb12u1'],
          ),
          F('/usr/bin/bash', 100),
          F('/usr/bin/login', 10),
        ],
        [
          F('/app', 1000, { mode: 0o755 }),
          P('/srv/node_modules/left-pad-ish/package.json', '{"name":"left-pad-ish","version":"1.3.0"}'),
        ],
      ],
      CONFIG,
      { createdBy: ['/bin/sh -c #(nop) ADD file:abc in /', 'RUN npm install left-pad-ish'] },
    ),
  );
}

async function judged(pr: Report, main: Report | null, url = osv.url) {
  const v = { client: new OsvClient({ url, retry: FAST, deadlineMs: 5000 }), cacheDir: null };
  const checked: CheckedPlatform[] = [
    {
      report: await withVulnerabilities(pr, policy, v, null),
      policy,
      platform: { os: 'linux', architecture: 'amd64' },
    },
  ];
  const run = await judgeChecked(checked, {
    vulnerabilities: v,
    ...(main ? { baseline: { find: async () => [{ report: main, source: 'main' }] } } : {}),
  });
  return run.platforms[0]!;
}

describe('the PR against main', () => {
  let p: Awaited<ReturnType<typeof judged>>;
  beforeAll(async () => {
    osv.reset();
    // main's saved report was written without vulnerabilities: the engine looks it up too.
    p = await judged(prImage(), mainImage());
  });

  it('main is looked up, and only what the PR adds at high or above fails', () => {
    expect(p.baseline?.vulnerabilities).toMatchObject({ checked: true, total: 2 });
    expect(p.report.vulnerabilities).toMatchObject({
      checked: true,
      total: 2,
      counts: { critical: 1, medium: 1 },
    });
    expect(p.verdict.blocking).toBe(true);
    expect(p.verdict.judgedErrors).toBe(1);
    expect(
      p.report.findings.filter((f) => f.severity === 'error').map((f) => f.vulnerability?.ids[0]),
    ).toEqual(['CVE-2026-4001']);
  });

  it('the comment: the headline, the added entry with its layer, the removed one, the backlog as one collapsed line', () => {
    const md = renderMarkdown(p.report, diffReports(p.baseline as Report, p.report), { verdict: p.verdict });
    expect(md).toContain('**known vulnerabilities&#58; main 2 (0 critical) → this PR 2 (1 critical), ±0**');
    expect(md).toMatch(
      /Added by this PR \(1\):[\s\S]*\| critical 9\.8 \| CVE-2026-4001, GHSA-2a3b-4c5d-6e7f \| <code>left-pad-ish 1\.3\.0<\/code> \| <code>1\.3\.1<\/code> \| layer 1 \(RUN npm install left-pad-ish\) \|/,
    );
    expect(md).toContain('<summary>Removed by this PR (1)</summary>');
    expect(md).toMatch(/<summary>main's backlog: 1 unchanged \(0 critical\)<\/summary>/);
    // The entries are not repeated among the generic findings.
    expect(md).not.toMatch(/SG801\]\([^)]*\) CVE-2026-4001/);
  });

  it('the text output carries the same', () => {
    const text = renderCheck(p.report, p.baseline);
    expect(text).toContain('known vulnerabilities: main 2 (0 critical) → this PR 2 (1 critical), ±0');
    expect(text).toMatch(
      /critical 9\.8 +CVE-2026-4001, GHSA-2a3b-4c5d-6e7f {2}left-pad-ish 1\.3\.0 → 1\.3\.1 {2}\[layer 1/,
    );
    expect(text).toContain('removed by this change: 1');
  });

  it('the JSON report reads back whole; SARIF carries the ids and the CVSS score', () => {
    const back = validateReport(JSON.parse(JSON.stringify(p.report)));
    expect(back.vulnerabilities).toEqual(p.report.vulnerabilities);
    expect(back.findings.find((f) => f.vulnerability)?.vulnerability).toEqual(
      p.report.findings.find((f) => f.vulnerability)?.vulnerability,
    );
    const sarif = renderSarif(p.report, { root: '/', commentKey: 'k' });
    const r = sarif.runs[0]?.results.find((x) => x.ruleId === 'SG801' && x.level === 'error');
    expect(r?.properties).toMatchObject({
      'security-severity': '9.8',
      vulnerability: { ids: ['CVE-2026-4001', 'GHSA-2a3b-4c5d-6e7f'], fixed: '1.3.1' },
    });
  });
});

describe('not checked', () => {
  it('an unreachable OSV: "not checked (why)" on every surface, a warning and no failure', async () => {
    const p = await judged(prImage(), null, 'http://127.0.0.1:9');
    expect(p.report.vulnerabilities).toMatchObject({ checked: false, total: 0 });
    expect(p.report.findings.map((f) => f.id)).toContain('SG802');
    expect(p.verdict.blocking).toBe(false);
    const md = renderMarkdown(p.report, undefined, { verdict: p.verdict });
    expect(md).toMatch(/\*\*vulnerabilities&#58; not checked \(OSV querybatch&#58; [^)]*ECONNREFUSED/);
    expect(md).not.toMatch(/known vulnerabilities: 0/);
    expect(renderCheck(p.report)).toMatch(/vulnerabilities: not checked/);
  });

  it('vulnerabilities: off sends nothing and says so', async () => {
    osv.reset();
    const off = mergePolicy({ vulnerabilities: 'off', maxNewVulnerabilities: 'high' });
    const r = await withVulnerabilities(prImage(), off, { url: osv.url }, null);
    expect(osv.requests).toEqual([]);
    expect(r.vulnerabilities).toMatchObject({ checked: false, reason: /off/ });
    expect(renderMarkdown(r)).toContain(
      '**vulnerabilities&#58; not checked (vulnerabilities&#58; off (nothing was sent))**',
    );
  });

  it('without any vulnerability setting nothing is sent and the surfaces do not change', async () => {
    osv.reset();
    const r = await withVulnerabilities(prImage(), mergePolicy(), { url: osv.url }, null);
    expect(osv.requests).toEqual([]);
    expect(r.vulnerabilities).toBeUndefined();
    expect(renderMarkdown(r)).not.toMatch(/vulnerabilit/);
  });
});

describe('the HTML page', () => {
  it('colours each package by its worst known vulnerability: Debian entries lead back to their binary packages', async () => {
    const r = await withVulnerabilities(
      mainImage(),
      policy,
      { client: new OsvClient({ url: osv.url, retry: FAST }) },
      null,
    );
    const owners = pageData(r).owners ?? [];
    const worst = Object.fromEntries(owners.map((o) => [o.name, o.v ?? 'none']));
    expect(worst).toMatchObject({ bash: 'medium', shadow: 'medium' });
    const fixed = await withVulnerabilities(
      prImage(),
      policy,
      { client: new OsvClient({ url: osv.url, retry: FAST }) },
      null,
    );
    const after = Object.fromEntries((pageData(fixed).owners ?? []).map((o) => [o.name, o.v ?? 'none']));
    expect(after).toMatchObject({ bash: 'medium', shadow: 'none', 'left-pad-ish': 'critical' });
  });
});

function shapeError(doc: unknown): string {
  try {
    validateReport(doc);
  } catch (err) {
    if (err instanceof ShapeError) return err.describe();
    throw err;
  }
  return 'no error';
}

describe('reports read back', () => {
  it('a report whose vulnerability fields are malformed is one line naming the field', () => {
    const bad = JSON.parse(JSON.stringify(mainImage())) as Record<string, unknown>;
    bad['vulnerabilities'] = { checked: 'yes', counts: {}, total: 0, packages: { queried: 0, skipped: 0 } };
    expect(shapeError(bad)).toMatch(/^vulnerabilities\.checked must be true or false/);
    const f = JSON.parse(JSON.stringify(mainImage())) as Report;
    f.findings.push({
      id: 'SG801',
      category: 'vulnerability',
      severity: 'info',
      message: 'm',
      remediation: 'r',
      vulnerability: {
        ids: ['X'],
        severity: 'severe' as 'high',
        package: { ecosystem: 'npm', name: 'a', version: '1' },
        fixed: null,
      },
    });
    expect(shapeError(f)).toMatch(/^findings\[\d+\]\.vulnerability\.severity must be one of/);
  });
});

describe('an image with no package to look up', () => {
  it('says so, not "0 known vulnerabilities"', async () => {
    osv.reset();
    const bare = check(image([[F('/app', 1000, { mode: 0o755 })]], CONFIG));
    const r = await withVulnerabilities(
      bare,
      policy,
      { client: new OsvClient({ url: osv.url, retry: FAST }) },
      null,
    );
    expect(osv.requests).toEqual([]);
    expect(renderCheck(r)).toContain('vulnerabilities: no package to look up');
    expect(renderCheck(r)).not.toMatch(/known vulnerabilities: 0/);
  });
});
