// SARIF 2.1.0 (src/report/sarif.ts) is pure: snapshots of whole logs (under __snapshots__/sarif/), each of
// which Microsoft's SARIF Multitool validates with GitHub's ingestion rules and without; plus the properties
// code scanning relies on (fingerprints, categories, locations, inert image text).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES, ruleDocUrl } from '../../src/analysis/catalog.js';
import { complete, type RawFinding } from '../../src/analysis/finding.js';
import {
  FINGERPRINT_KEY,
  relativeUri,
  renderSarif,
  sarifText,
  type SarifLog,
} from '../../src/report/sarif.js';
import type { Report } from '../../src/types/report.js';
import { report } from '../helpers/github-reports.js';
import { multitoolValidate } from '../helpers/sarif-multitool.js';

const ROOT = '/home/runner/work/app/app';
const snap = (name: string): string => `./__snapshots__/sarif/${name}.sarif.snap`;
const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-sarif-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const f = (raw: RawFinding) => complete(raw);

/** An app on Debian with a Dockerfile: findings on lines, and findings that fall back to the final FROM. */
function withDockerfile(): Report {
  return report({
    image: { ...report().image, source: 'docker-daemon:app:pr-7' },
    base: {
      verdict: 'os',
      image: 'debian:12',
      evidence: ['docker/app.Dockerfile:9 FROM debian:12'],
      dockerfile: { file: `${ROOT}/docker/app.Dockerfile`, line: 9, image: 'debian:12' },
    },
    findings: [
      f({
        id: 'SG110',
        message: 'base os (debian:12) is not allowed (allowed: scratch, distroless)',
        location: { file: `${ROOT}/docker/app.Dockerfile`, line: 9 },
      }),
      f({ id: 'SG201', path: '/bin/bash', message: 'shell /bin/bash present' }),
      f({ id: 'SG301', path: '/usr/bin/passwd', message: 'setuid file /usr/bin/passwd (mode 4755)' }),
      f({
        id: 'SG320',
        message: 'runs as root: no USER in the image config',
        location: { file: 'docker/app.Dockerfile', line: 9 },
      }),
      f({
        id: 'SG503',
        env: 'DB_PASSWORD',
        message: 'ENV DB_PASSWORD holds a literal secret',
        location: { file: `${ROOT}/docker/app.Dockerfile`, line: 12 },
      }),
      { ...f({ id: 'SG601', path: '/var/lib/apt/lists', message: 'apt lists 2.7 MB' }), severity: 'info' },
    ],
    passed: false,
  });
}

/** No Dockerfile: the archive that was checked is the location. */
function archiveOnly(): Report {
  return report({
    image: { ...report().image, source: 'docker-archive:build/app.tar' },
    findings: [
      f({ id: 'SG201', path: '/bin/sh', message: 'shell /bin/sh present' }),
      f({ id: 'SG603', path: '/tmp/x', layer: 2, message: 'layer 3 deletes 2 MB' }),
      f({ id: 'SG603', path: '/tmp/x', layer: 4, message: 'layer 5 deletes 3 MB' }),
    ],
  });
}

/** A registry image without a Dockerfile: only logical locations. */
function registryOnly(): Report {
  return report({
    image: { ...report().image, source: 'docker://ghcr.io/acme/app:pr-7' },
    findings: [
      f({ id: 'SG320', message: 'runs as root: no USER in the image config' }),
      f({
        id: 'SG502',
        path: '/root/.docker/config.json',
        message: 'credential file /root/.docker/config.json',
      }),
    ],
  });
}

/** Hostile names and messages, and a Dockerfile outside the workspace. */
function hostile(): Report {
  return report({
    image: { ...report().image, source: 'docker-archive:app.tar' },
    base: {
      verdict: 'os',
      image: 'x',
      evidence: [],
      dockerfile: { file: '/etc/elsewhere/Dockerfile', line: 1, image: 'x' },
    },
    findings: [
      f({
        id: 'SG201',
        path: '/bin/[click](https://evil.example)\n::error::x\u001b[31m',
        message: 'shell /bin/[click](https://evil.example)\n::error::x\u001b[31m present',
      }),
      f({
        id: 'SG505',
        message:
          'history: RUN curl https://user:hunter22secret@example.com ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      }),
    ],
  });
}

function clean(): Report {
  return report({ findings: [] });
}

const CASES: [string, () => Report, Parameters<typeof renderSarif>[1]][] = [
  ['dockerfile', withDockerfile, { commentKey: 'app linux/amd64', root: ROOT }],
  [
    'archive',
    archiveOnly,
    {
      commentKey: 'docker-archive:build/app.tar linux/amd64',
      root: ROOT,
      checkedPath: `${ROOT}/build/app.tar`,
    },
  ],
  ['registry', registryOnly, { commentKey: 'ghcr.io/acme/app linux/arm64', root: ROOT }],
  ['hostile', hostile, { commentKey: 'hostile', root: ROOT, checkedPath: '/outside/app.tar' }],
  ['clean', clean, { commentKey: 'clean', root: ROOT, checkedPath: `${ROOT}/app.tar` }],
];

const rendered = CASES.map(([name, make, opts]) => {
  const text = JSON.stringify(renderSarif(make(), opts), null, 2) + '\n';
  const file = path.join(tmp, `${name}.sarif`);
  writeFileSync(file, text);
  return { name, text, file };
});

describe.each(rendered)('SARIF snapshot $name', ({ name, text }) => {
  it('matches its snapshot', async () => {
    await expect(text).toMatchFileSnapshot(snap(name));
  });
});

describe('the SARIF Multitool, on every snapshot case', () => {
  const files = rendered.map((r) => r.file);

  it('finds no error or warning with GitHub ingestion rules (--rule-kind Gh)', () => {
    const issues = multitoolValidate(files, 'Gh');
    for (const f of files)
      expect(
        issues.get(f)!.filter((i) => i.level !== 'note'),
        f,
      ).toEqual([]);
  }, 120_000);

  it('finds no error or warning with its default rules', () => {
    const issues = multitoolValidate(files);
    for (const f of files)
      expect(
        issues.get(f)!.filter((i) => i.level !== 'note'),
        f,
      ).toEqual([]);
  }, 120_000);
});

describe('the Multitool check itself', () => {
  it('reports a log that GitHub would reject', () => {
    const log = renderSarif(withDockerfile(), { commentKey: 'k', root: ROOT });
    const rule = log.runs[0]!.tool.driver.rules[0] as Partial<
      SarifLog['runs'][0]['tool']['driver']['rules'][0]
    >;
    delete rule.help;
    delete rule.fullDescription;
    const file = path.join(tmp, 'broken.sarif');
    writeFileSync(file, JSON.stringify(log));
    const issues = multitoolValidate([file], 'Gh').get(file)!;
    expect(issues.filter((i) => i.level === 'error').map((i) => i.ruleId)).toContain('GH2012');
  }, 60_000);
});

describe('rules', () => {
  const rules = renderSarif(clean(), { commentKey: 'k', root: ROOT }).runs[0]!.tool.driver.rules;

  it('has every catalog rule, with its docs anchor, remediation and default level', () => {
    expect(rules.map((r) => r.id)).toEqual([...RULES.keys()]);
    for (const r of rules) {
      const def = RULES.get(r.id)!;
      expect(r.helpUri).toBe(ruleDocUrl(r.id));
      expect(r.help.text).toContain(def.remediation);
      expect(r.help.markdown).toContain(def.remediation);
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(r.fullDescription.text).toContain(def.title);
      expect(r.defaultConfiguration.level).toBe(
        def.severity === 'info' ? 'note' : def.severity === 'warning' ? 'warning' : 'error',
      );
      expect(r.properties.tags).toContain(def.category);
    }
  });

  it('gives a security-severity, and the security tag, to secrets and privilege, not to size or waste', () => {
    const by = new Map(rules.map((r) => [r.id, r]));
    for (const id of ['SG301', 'SG302', 'SG501', 'SG502', 'SG503', 'SG504', 'SG505']) {
      const r = by.get(id)!;
      expect(Number(r.properties['security-severity']), id).toBeGreaterThanOrEqual(7);
      expect(r.properties.tags).toContain('security');
    }
    for (const id of ['SG101', 'SG201', 'SG601', 'SG603', 'SG701']) {
      expect(by.get(id)!.properties['security-severity'], id).toBeUndefined();
      expect(by.get(id)!.properties.tags).not.toContain('security');
    }
  });

  it('points results at their rule by index', () => {
    const run = renderSarif(withDockerfile(), { commentKey: 'k', root: ROOT }).runs[0]!;
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex!]!.id).toBe(res.ruleId);
  });
});

describe('locations', () => {
  const results = (r: Report, o: Partial<Parameters<typeof renderSarif>[1]> = {}) =>
    renderSarif(r, { commentKey: 'k', root: ROOT, ...o }).runs[0]!.results;

  it('a Dockerfile line when the finding has one, relative to the root', () => {
    const env = results(withDockerfile()).find((x) => x.ruleId === 'SG503')!;
    expect(env.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'docker/app.Dockerfile' },
      region: { startLine: 12 },
    });
    expect(env.locations[0]!.logicalLocations).toEqual([
      { name: 'DB_PASSWORD', fullyQualifiedName: 'DB_PASSWORD', kind: 'variable' },
    ]);
  });

  it('else the final FROM, with the image path as a logical location', () => {
    const sh = results(withDockerfile()).find((x) => x.ruleId === 'SG201')!;
    expect(sh.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'docker/app.Dockerfile' },
      region: { startLine: 9 },
    });
    expect(sh.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe('/bin/bash');
  });

  it('without a Dockerfile, the archive that was checked (on line 1: it has none)', () => {
    const rs = results(archiveOnly(), { checkedPath: `${ROOT}/build/app.tar` });
    for (const r of rs)
      expect(r.locations[0]!.physicalLocation).toEqual({
        artifactLocation: { uri: 'build/app.tar' },
        region: { startLine: 1 },
      });
  });

  it('a registry image gets logical locations only: the reference and the path', () => {
    const rs = results(registryOnly());
    for (const r of rs) expect(r.locations[0]!.physicalLocation).toBeUndefined();
    expect(rs[0]!.locations[0]!.logicalLocations).toEqual([
      { fullyQualifiedName: 'docker://ghcr.io/acme/app:pr-7', kind: 'module' },
    ]);
    expect(rs[1]!.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe('/root/.docker/config.json');
  });

  it('never writes an absolute or climbing URI: a file outside the root becomes logical', () => {
    expect(relativeUri('/etc/elsewhere/Dockerfile', ROOT)).toBeUndefined();
    expect(relativeUri(`${ROOT}/../other/Dockerfile`, ROOT)).toBeUndefined();
    expect(relativeUri(ROOT, ROOT)).toBeUndefined();
    expect(relativeUri(`${ROOT}/a b/Docker#file`, ROOT)).toBe('a%20b/Docker%23file');
    for (const r of results(hostile(), { checkedPath: '/outside/app.tar' }))
      expect(r.locations[0]!.physicalLocation).toBeUndefined();
  });
});

describe('fingerprints', () => {
  const fp = (r: Report) =>
    renderSarif(r, { commentKey: 'k', root: ROOT }).runs[0]!.results.map(
      (x) => x.partialFingerprints[FINGERPRINT_KEY],
    );

  it('do not change with the message, the severity, the order or the run', () => {
    const a = withDockerfile();
    const b = withDockerfile();
    b.findings = b.findings
      .map((x) => ({ ...x, message: `${x.message} (now 3 MB)`, severity: 'warning' as const }))
      .reverse();
    expect(fp(b)).toEqual([...fp(a)].reverse());
    expect(fp(a).every((x) => /^[0-9a-f]{64}$/.test(x!))).toBe(true);
  });

  it('differ by rule, by path and by ENV name, and between repeats of one rule on one path', () => {
    const all = [...fp(withDockerfile()), ...fp(archiveOnly()), ...fp(registryOnly())];
    const within = fp(archiveOnly());
    expect(new Set(within).size).toBe(within.length);
    const r1 = report({ findings: [f({ id: 'SG503', env: 'A_TOKEN', message: 'm' })] });
    const r2 = report({ findings: [f({ id: 'SG503', env: 'B_TOKEN', message: 'm' })] });
    const r3 = report({ findings: [f({ id: 'SG504', env: 'A_TOKEN', message: 'm' })] });
    expect(new Set([...fp(r1), ...fp(r2), ...fp(r3)]).size).toBe(3);
    expect(all.length).toBeGreaterThan(5);
  });
});

describe('automationDetails', () => {
  it('holds the comment key as the whole category, also when the key has a slash', () => {
    const run = renderSarif(clean(), { commentKey: 'ghcr.io/acme/app linux/amd64', root: ROOT }).runs[0]!;
    expect(run.automationDetails.id).toBe('ghcr.io/acme/app linux/amd64/');
  });
});

describe('text from the image', () => {
  const log = renderSarif(hostile(), { commentKey: 'k', root: ROOT, checkedPath: '/outside/app.tar' });
  const json = JSON.stringify(log);

  it('is redacted as on every surface', () => {
    expect(json).not.toContain('hunter22secret');
    expect(json).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('cannot form an embedded link, a control sequence or a line break', () => {
    const msg = log.runs[0]!.results[0]!.message.text;
    expect(msg).toContain('\\[click\\](https://evil.example)');
    // eslint-disable-next-line no-control-regex
    expect(msg).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(msg).toContain('\\n::error::x\\x1b\\[31m');
    // A name is data, not a message: kept as it is, only made printable.
    expect(log.runs[0]!.results[0]!.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe(
      '/bin/[click](https://evil.example)\\n::error::x\\x1b[31m',
    );
    // No `[` left unescaped anywhere in a message.
    for (const r of log.runs[0]!.results) expect(r.message.text).not.toMatch(/(^|[^\\])\[/);
  });

  it('sarifText truncates long text', () => {
    expect(sarifText('x'.repeat(5000)).length).toBe(1000);
  });
});
