// The one-click fixes against the real daemon: build an image from a Dockerfile that has the problem,
// check it, apply the suggested fix, rebuild, check again: the finding is gone and nothing new appears.
// (The apt/apk cache fix needs a package mirror to rebuild, which the test world has not: it is covered by
// the unit tests.)
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proposeFixes } from '../../src/analysis/fixes.js';
import { checkImage } from '../helpers/check.js';
import type { Report } from '../../src/types/report.js';
import { docker, run } from '../helpers/world.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-fixes-itg-'));
const prefix = `sg-fixes-${process.pid}`;
const tags: string[] = [];
let base = '';

beforeAll(() => {
  // A tiny distro: a static busybox with a shell, an os-release and a passwd file.
  const root = path.join(tmp, 'rootfs');
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'etc'));
  copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'true']) symlinkSync('busybox', path.join(root, 'bin', a));
  writeFileSync(path.join(root, 'etc', 'os-release'), 'ID=tiny\nVERSION_ID=1\nPRETTY_NAME="Tiny 1"\n');
  writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  base = `${prefix}-base:1`;
  tags.push(base);
  const tarball = run('tar', ['-C', root, '--sort=name', '--numeric-owner', '-c', '.']).stdoutBuffer;
  docker(['import', '-', base], { input: tarball, timeout: 120_000 });
}, 180_000);

afterAll(() => {
  for (const t of tags.reverse()) docker(['rmi', '--force', t], { allowFailure: true });
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
/** Builds `dockerfile` (with a static binary `app` in the context) and checks it with the Dockerfile. */
async function buildAndCheck(dockerfile: string): Promise<{ report: Report; path: string }> {
  const ctx = path.join(tmp, `ctx-${++n}`);
  mkdirSync(ctx, { recursive: true });
  copyFileSync('/bin/busybox', path.join(ctx, 'app'));
  chmodSync(path.join(ctx, 'app'), 0o755);
  const df = path.join(ctx, 'Dockerfile');
  writeFileSync(df, dockerfile);
  const tag = `${prefix}-${n}:1`;
  tags.push(tag);
  docker(['build', '--network', 'none', '-q', '-t', tag, ctx], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    timeout: 300_000,
  });
  const { report } = await checkImage(`docker-daemon:${tag}`, { dockerfile: { path: df }, cache: false });
  return { report, path: df };
}

const ids = (r: Report): string[] => [...new Set(r.findings.map((f) => f.id))].sort();

async function roundTrip(rule: string, dockerfile: string, expectLine: RegExp): Promise<void> {
  const before = await buildAndCheck(dockerfile);
  expect(ids(before.report)).toContain(rule);
  const plan = proposeFixes(dockerfile, before.report, { path: before.path });
  const fix = plan.fixes.find((f) => f.rule === rule);
  expect(fix, JSON.stringify(plan.skipped)).toBeDefined();
  const fixed = plan.after;
  expect(fixed).toMatch(expectLine);
  const after = await buildAndCheck(fixed);
  expect(ids(after.report)).not.toContain(rule);
  // Nothing new: every finding after the fixes was there before.
  for (const id of ids(after.report)) expect(ids(before.report), id).toContain(id);
}

describe('each fix, rebuilt by the real daemon', () => {
  it('SG320: USER 65532:65532', async () => {
    await roundTrip(
      'SG320',
      `FROM ${base}\nCOPY app /app\nENTRYPOINT ["/app", "true"]\n`,
      /^USER 65532:65532$/m,
    );
  }, 600_000);

  it('SG503: the secret ENV line removed', async () => {
    await roundTrip(
      'SG503',
      'FROM scratch\nCOPY app /app\nENV DB_PASSWORD=hunter2-but-longer\nUSER 65532\nENTRYPOINT ["/app", "true"]\n',
      /^# DB_PASSWORD: pass it through the runtime environment/m,
    );
  }, 600_000);

  it('SG707: the exec form', async () => {
    await roundTrip(
      'SG707',
      'FROM scratch\nCOPY app /app\nUSER 65532\nENTRYPOINT /app true\n',
      /^ENTRYPOINT \["\/app","true"\]$/m,
    );
  }, 600_000);

  it('SG110: FROM scratch under a static binary, keeping the COPY --from', async () => {
    await roundTrip(
      'SG110',
      `FROM ${base} AS build\nRUN cp /bin/busybox /app-built\n\nFROM ${base} AS final\nCOPY --from=build /app-built /app\nUSER 65532\nENTRYPOINT ["/app", "true"]\n`,
      /^FROM scratch AS final$/m,
    );
  }, 600_000);
});
