// One-click fixes (src/analysis/fixes.ts) and their unified diff (src/report/patch.ts): for each fix, the
// Dockerfile before, the suggestion, and the Dockerfile after, parsed; and the cases where Slimgate is not
// certain and suggests nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { complete, type RawFinding } from '../../src/analysis/finding.js';
import { parseDockerfile } from '../../src/analysis/dockerfile.js';
import { DISTROLESS_STATIC, applyEdits, proposeFixes, type FixPlan } from '../../src/analysis/fixes.js';
import { asSuggestion, unifiedDiff } from '../../src/report/patch.js';
import type { Report } from '../../src/types/report.js';
import { file, layer, report } from '../helpers/github-reports.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-fixes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const P = 'Dockerfile';
const f = (raw: Omit<RawFinding, 'location'> & { line?: number }) => {
  const { line, ...rest } = raw;
  return complete({ ...rest, ...(line ? { location: { file: P, line } } : {}) });
};

function plan(text: string, r: Report): FixPlan {
  return proposeFixes(text, r, { path: P });
}

/** The fixed Dockerfile parses, keeps its stages and COPY --from, and its diff applies with git apply. */
function expectSound(p: FixPlan): void {
  const before = parseDockerfile(p.before, { path: P });
  const after = parseDockerfile(p.after, { path: P });
  expect(after.stages.map((s) => s.name)).toEqual(before.stages.map((s) => s.name));
  expect(after.final.index).toBe(before.final.index);
  const froms = (t: string) => [...t.matchAll(/--from=(\S+)/g)].map((m) => m[1]);
  expect(froms(p.after)).toEqual(froms(p.before));
  const dir = mkdtempSync(path.join(tmp, 'apply-'));
  writeFileSync(path.join(dir, P), p.before);
  const diff = unifiedDiff(
    P,
    p.before,
    p.fixes.map((x) => x.edit),
  );
  writeFileSync(path.join(dir, 'fix.diff'), diff);
  execFileSync('git', ['apply', '--unsafe-paths', 'fix.diff'], { cwd: dir });
  expect(readFileSync(path.join(dir, P), 'utf8')).toBe(p.after);
}

describe('SG320: USER 65532:65532', () => {
  it('goes before the ENTRYPOINT of the final stage', () => {
    const before =
      'FROM golang:1.22 AS build\nRUN go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n';
    const p = plan(before, report({ findings: [f({ id: 'SG320', message: 'runs as root', line: 4 })] }));
    expect(p.fixes.map((x) => x.rule)).toEqual(['SG320']);
    expect(p.fixes[0]!.edit).toEqual({ start: 6, end: 5, lines: ['USER 65532:65532'] });
    expect(asSuggestion(before, p.fixes[0]!.edit)).toEqual({
      start: 6,
      end: 6,
      lines: ['USER 65532:65532', 'ENTRYPOINT ["/app"]'],
    });
    expect(p.after).toBe(
      'FROM golang:1.22 AS build\nRUN go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\nUSER 65532:65532\nENTRYPOINT ["/app"]\n',
    );
    expect(parseDockerfile(p.after).user).toEqual({ value: '65532:65532', line: 6 });
    expectSound(p);
  });

  it('goes at the end of the final stage without an ENTRYPOINT, also at the end of a file with no newline', () => {
    const before = 'FROM scratch\nCOPY app /app';
    const p = plan(before, report({ findings: [f({ id: 'SG320', message: 'root', line: 1 })] }));
    expect(p.after).toBe('FROM scratch\nCOPY app /app\nUSER 65532:65532');
    expectSound(p);
  });

  it('is not offered when a RUN comes after the ENTRYPOINT (it may need root)', () => {
    const before = 'FROM debian:12\nCMD ["/app"]\nRUN chown x /data\n';
    const p = plan(before, report({ findings: [f({ id: 'SG320', message: 'root', line: 1 })] }));
    expect(p.fixes).toEqual([]);
    expect(p.skipped[0]!.reason).toMatch(/RUN follows/);
    expect(p.after).toBe(before);
  });
});

describe('SG503/SG504: a secret in ENV', () => {
  const before = 'FROM scratch\nCOPY app /app\nENV DB_PASSWORD=hunter2\nENTRYPOINT ["/app"]\n';

  it('removes the line, with a one-line comment', () => {
    const p = plan(
      before,
      report({ findings: [f({ id: 'SG503', env: 'DB_PASSWORD', message: 'ENV DB_PASSWORD', line: 3 })] }),
    );
    expect(p.fixes).toHaveLength(1);
    expect(p.after).not.toContain('hunter2');
    expect(p.after.split('\n')[2]).toMatch(/^# DB_PASSWORD: pass it through the runtime environment/);
    expect(parseDockerfile(p.after).envLines['DB_PASSWORD']).toBeUndefined();
    expectSound(p);
  });

  it('removes a multi-line ENV whole', () => {
    const text = 'FROM scratch\nENV API_TOKEN=abc\\\n123\nCMD ["/app"]\n';
    const p = plan(text, report({ findings: [f({ id: 'SG503', env: 'API_TOKEN', message: 'm', line: 2 })] }));
    expect(p.fixes[0]!.edit).toMatchObject({ start: 2, end: 3 });
    expect(p.after).not.toContain('abc');
    expectSound(p);
  });

  it('is not offered when the ENV sets other variables, or a later line uses it', () => {
    const many = 'FROM scratch\nENV A=1 DB_PASSWORD=x\nCMD ["/app"]\n';
    const used = 'FROM debian:12\nENV DB_PASSWORD=x\nRUN echo $DB_PASSWORD > /f\nCMD ["/app"]\n';
    for (const text of [many, used]) {
      const p = plan(
        text,
        report({ findings: [f({ id: 'SG503', env: 'DB_PASSWORD', message: 'm', line: 2 })] }),
      );
      expect(p.fixes).toEqual([]);
      expect(p.after).toBe(text);
    }
  });
});

describe('SG601: a package cache', () => {
  it('apt: the same RUN, with the lists removed', () => {
    const before =
      'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y ca-certificates\nCMD ["/app"]\n';
    const p = plan(
      before,
      report({ findings: [f({ id: 'SG601', path: '/var/lib/apt/lists', message: 'apt lists' })] }),
    );
    expect(p.fixes).toHaveLength(1);
    expect(p.after).toBe(
      'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\nCMD ["/app"]\n',
    );
    const run = p.after.split('\n').slice(1, 4).join('\n');
    expect(run).toContain('apt-get install -y ca-certificates');
    expectSound(p);
  });

  it('apk: --no-cache', () => {
    const before = 'FROM alpine:3.20\nRUN apk add ca-certificates tzdata\nCMD ["/app"]\n';
    const p = plan(
      before,
      report({ findings: [f({ id: 'SG601', path: '/var/cache/apk', message: 'apk cache' })] }),
    );
    expect(p.after).toBe('FROM alpine:3.20\nRUN apk add --no-cache ca-certificates tzdata\nCMD ["/app"]\n');
    expectSound(p);
  });

  it('is not offered when the cache comes from a build stage or the base, or the RUN is exec form', () => {
    const stage = 'FROM debian:12 AS build\nRUN apt-get update\nFROM debian:12\nCMD ["/app"]\n';
    const exec = 'FROM debian:12\nRUN ["apt-get", "update"]\nCMD ["/app"]\n';
    for (const text of [stage, exec]) {
      const p = plan(
        text,
        report({ findings: [f({ id: 'SG601', path: '/var/lib/apt/lists', message: 'm' })] }),
      );
      expect(p.fixes).toEqual([]);
      expect(p.skipped).toHaveLength(1);
    }
  });
});

describe('SG403: devDependencies shipped', () => {
  const finding = () =>
    report({ findings: [f({ id: 'SG403', path: '/app/package.json', message: 'typescript' })] });

  it('npm ci in the final stage: --omit=dev', () => {
    const before =
      'FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci && \\\n    npm cache clean --force\nCOPY . .\nCMD ["node", "main.js"]\n';
    const p = plan(before, finding());
    expect(p.fixes.map((x) => x.title)).toEqual(['npm install without devDependencies (--omit=dev)']);
    expect(p.after).toBe(before.replace('RUN npm ci &&', 'RUN npm ci --omit=dev &&'));
    expectSound(p);
  });

  it('is not offered when npm already omits dev, runs in another stage, or twice', () => {
    const cases = [
      'FROM node:22\nRUN npm ci --omit=dev\nCMD ["node", "main.js"]\n',
      'FROM node:22 AS build\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /app /app\nCMD ["node", "/app/main.js"]\n',
      'FROM node:22\nRUN npm ci\nRUN npm install left-pad\nCMD ["node", "main.js"]\n',
      'FROM node:22\nRUN ["npm", "ci"]\nCMD ["node", "main.js"]\n',
    ];
    for (const text of cases) {
      const p = plan(text, finding());
      expect(p.fixes).toEqual([]);
      expect(p.skipped.map((x) => x.rule)).toEqual(['SG403']);
    }
  });
});

describe('SG707: shell form → exec form', () => {
  it('converts plain words', () => {
    const before = 'FROM scratch\nCOPY app /app\nENTRYPOINT /app --port=8080 serve\n';
    const p = plan(
      before,
      report({ findings: [f({ id: 'SG707', path: '/bin/sh', message: 'shell form', line: 3 })] }),
    );
    expect(p.after.split('\n')[2]).toBe('ENTRYPOINT ["/app","--port=8080","serve"]');
    expectSound(p);
  });

  it('is not offered for shell syntax, or when a CMD would become its arguments', () => {
    const syntax = 'FROM scratch\nENTRYPOINT /app "$PORT" | tee\n';
    const withCmd = 'FROM scratch\nENTRYPOINT /app\nCMD ["x"]\n';
    for (const text of [syntax, withCmd]) {
      const p = plan(
        text,
        report({ findings: [f({ id: 'SG707', path: '/bin/sh', message: 'm', line: 2 })] }),
      );
      expect(p.fixes).toEqual([]);
    }
  });
});

describe('SG110: a distro base under a static binary', () => {
  const before =
    'FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM debian:12-slim AS final\nCOPY --from=build /out/app /app\nUSER 65532\nENTRYPOINT ["/app"]\n';
  const staticOnDebian = (extra: Report['files'] = []): Report =>
    report({
      base: {
        verdict: 'os',
        image: 'debian:12-slim',
        evidence: [],
        dockerfile: { file: P, line: 4, image: 'debian:12-slim' },
      },
      layers: [layer('0', 'debian', 70_000_000), layer('1', 'COPY app', 2_000_000)],
      files: [
        file('/app', 2_000_000, { layer: 1, mode: '0755' }),
        file('/bin/sh', 100_000, { layer: 0 }),
        ...extra,
      ],
      entrypoint: {
        argv: ['/app'],
        resolved: '/app',
        kind: 'static',
        interpreter: null,
        needed: null,
        evidence: [],
      },
      findings: [f({ id: 'SG110', message: 'base os', line: 4 })],
    });

  it('FROM scratch, keeping the stage name and the COPY --from', () => {
    const p = plan(before, staticOnDebian());
    expect(p.fixes.map((x) => x.title)).toEqual(['FROM scratch']);
    expect(p.after.split('\n')[3]).toBe('FROM scratch AS final');
    expect(p.after).toContain('COPY --from=build /out/app /app');
    expect(parseDockerfile(p.after).base.image).toBe('scratch');
    expectSound(p);
  });

  it('distroless static when the image has CA certificates or tzdata', () => {
    const p = plan(
      before,
      staticOnDebian([file('/etc/ssl/certs/ca-certificates.crt', 200_000, { layer: 0 })]),
    );
    expect(p.after.split('\n')[3]).toBe(`FROM ${DISTROLESS_STATIC} AS final`);
    expectSound(p);
  });

  it('is not offered when the final stage runs a command, or the binary is dynamic', () => {
    const withRun = before.replace('USER 65532', 'RUN useradd app');
    expect(plan(withRun, staticOnDebian()).fixes).toEqual([]);
    const dynamic = staticOnDebian();
    dynamic.entrypoint!.kind = 'dynamic';
    const p = plan(before, dynamic);
    expect(p.fixes).toEqual([]);
    expect(p.skipped[0]!.reason).toMatch(/not a static binary/);
  });
});

describe('several fixes at once', () => {
  it('apply together, and the diff applies with git apply', () => {
    const before =
      'FROM golang:1.22 AS build\nRUN go build -o /app .\n\nFROM alpine:3.20\nRUN apk add ca-certificates\nENV GITHUB_TOKEN=ghp_x\nCOPY --from=build /app /app\nENTRYPOINT /app serve\n';
    const r = report({
      findings: [
        f({ id: 'SG320', message: 'root', line: 4 }),
        f({ id: 'SG504', env: 'GITHUB_TOKEN', message: 'token', line: 6 }),
        f({ id: 'SG601', path: '/var/cache/apk', message: 'apk' }),
        f({ id: 'SG707', path: '/bin/sh', message: 'shell form', line: 8 }),
      ],
    });
    const p = plan(before, r);
    // USER goes before line 8, which the exec-form fix replaces: the two cannot both be suggestions on it.
    expect(p.fixes.map((x) => x.rule).sort()).toEqual(['SG320', 'SG504', 'SG601']);
    expect(p.skipped.map((x) => x.rule)).toEqual(['SG707']);
    expectSound(p);
    expect(
      applyEdits(
        before,
        p.fixes.map((x) => x.edit),
      ),
    ).toBe(p.after);
  });

  it('a Dockerfile that does not parse gets nothing', () => {
    const p = plan('RUN x\n', report({ findings: [f({ id: 'SG320', message: 'root' })] }));
    expect(p.fixes).toEqual([]);
    expect(p.skipped[0]!.reason).toMatch(/does not parse/);
  });
});
