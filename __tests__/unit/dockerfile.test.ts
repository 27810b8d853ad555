// The Dockerfile corpus (__tests__/fixtures/dockerfiles/): the final stage's base resolved through stage
// aliases, global ARGs (with --build-arg overrides and ${VAR:-default}), --platform, the escape directive,
// line continuations, comments and heredocs; and the lines findings point at.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandVariables, parseDockerfile, type DockerfileOptions } from '../../src/analysis/dockerfile.js';
import { parseBuildArgs } from '../../src/sources/build-args.js';
import { InputError } from '../../src/util/errors.js';
import { check, image, STATIC, X } from '../helpers/rules-kit.js';

const corpus = (name: string): string =>
  readFileSync(new URL(`../fixtures/dockerfiles/${name}`, import.meta.url), 'utf8');
const parse = (name: string, opts: DockerfileOptions = {}) =>
  parseDockerfile(corpus(name), { path: name, ...opts });

describe('the final stage and its base', () => {
  it.each([
    ['multi-stage.Dockerfile', {}, 'scratch', 7],
    ['aliases.Dockerfile', {}, 'debian:12-slim', 1],
    ['arg-from.Dockerfile', {}, 'debian:12', 9],
    ['arg-from.Dockerfile', { buildArgs: { BASE: 'ubuntu:24.04' } }, 'ubuntu:24.04', 9],
    ['escape.Dockerfile', {}, 'gcr.io/distroless/static-debian12:nonroot', 4],
    ['heredoc.Dockerfile', {}, 'scratch', 8],
    ['comments.Dockerfile', {}, 'cgr.dev/chainguard/node:latest', 8],
    ['platform.Dockerfile', {}, 'gcr.io/distroless/static-debian12:nonroot', 5],
    [
      'arch-from.Dockerfile',
      { platform: { os: 'linux', architecture: 'arm64' } },
      'ghcr.io/acme/base-arm64:1',
      1,
    ],
    ['aliases.Dockerfile', { target: 'build' }, 'golang:1.22', 7],
    ['multi-stage.Dockerfile', { target: 'BUILD' }, 'golang:1.22', 2],
  ] as const)('%s %j → %s (line %d)', (name, opts, base, line) => {
    const df = parse(name, opts as DockerfileOptions);
    expect(df.base.image).toBe(base);
    expect(df.base.line).toBe(line);
  });

  it('explains each hop through aliases, with the file and line (the evidence form of the report)', () => {
    expect(parse('aliases.Dockerfile').evidence).toEqual([
      'aliases.Dockerfile:10 FROM RUNTIME → stage runtime',
      'aliases.Dockerfile:4 FROM base → stage base',
      'aliases.Dockerfile:1 FROM debian:12-slim',
    ]);
    expect(parse('arg-from.Dockerfile', { buildArgs: { BASE: 'ubuntu:24.04' } }).evidence).toEqual([
      'arg-from.Dockerfile:9 FROM ${BASE} → ubuntu:24.04',
    ]);
  });

  it('resolves global ARGs in every FROM; a stage ARG does not reach FROM', () => {
    const df = parse('arg-from.Dockerfile', { buildArgs: { REGISTRY: 'mirror.local:5000', TAG: '3.20' } });
    expect(df.stages.map((s) => s.image)).toEqual([
      'mirror.local:5000/library/debian:12',
      'debian:12',
      'alpine:3.20',
      'debian:12',
    ]);
  });

  it('keeps the --platform flag and the stage names (lower-cased)', () => {
    const df = parse('platform.Dockerfile');
    expect(df.stages.map((s) => [s.name, s.platform])).toEqual([
      ['build', '$BUILDPLATFORM'],
      [null, 'linux/amd64'],
    ]);
    expect(parse('comments.Dockerfile').stages[0]?.name).toBe('deps');
  });

  it('ignores FROM, USER and ENTRYPOINT lines inside heredocs and comments', () => {
    const h = parse('heredoc.Dockerfile');
    expect(h.stages).toHaveLength(2);
    expect(h.user).toEqual({ value: '65532', line: 15 });
    expect(h.entrypointLine).toBeNull();
    const c = parse('comments.Dockerfile');
    expect(c.stages).toHaveLength(2);
    expect(c.user).toEqual({ value: 'nonroot', line: 10 });
  });

  it('collects USER, ENV/ARG, ENTRYPOINT and CMD lines of the final stage and the stages it builds on', () => {
    const df = parse('env-lines.Dockerfile');
    expect(df.user).toEqual({ value: 'root', line: 7 });
    expect(df.envLines).toEqual({ API_TOKEN: 2, OTHER: 2, NPM_TOKEN: 5, DB_PASSWORD: 6 });
    expect([df.entrypointLine, df.cmdLine]).toEqual([8, 9]);
    // a stage the final one does not build on contributes nothing
    expect(parse('aliases.Dockerfile').envLines).toEqual({ APP_MODE: 5 });
  });

  it('says which ARG has no value', () => {
    const df = parseDockerfile('ARG BASE\nFROM ${BASE}\n', { path: 'D' });
    expect(df.base.image).toBe('');
    expect(df.evidence).toContain('D:2 ARG BASE has no value');
  });

  it('errors clearly on a file without FROM and on an unknown target', () => {
    expect(() => parse('no-from.Dockerfile')).toThrow(InputError);
    expect(() => parse('no-from.Dockerfile')).toThrow('no-from.Dockerfile has no FROM instruction');
    expect(() => parse('aliases.Dockerfile', { target: 'nope' })).toThrow(
      'target stage "nope" is not in aliases.Dockerfile (stages: base, runtime, build)',
    );
  });
});

describe('expandVariables', () => {
  it.each([
    ['${A}', { A: 'x' }, 'x'],
    ['$A/b', { A: 'x' }, 'x/b'],
    ['${A:-d}', {}, 'd'],
    ['${A:-d}', { A: '' }, 'd'],
    ['${A-d}', { A: '' }, ''],
    ['${A:+alt}', { A: 'x' }, 'alt'],
    ['${A:+alt}', {}, ''],
    ['\\$A', { A: 'x' }, '$A'],
    ['a$', {}, 'a$'],
  ])('%s with %j → %s', (s, vars, want) => {
    expect(expandVariables(s, vars as Record<string, string>)).toBe(want);
  });
});

describe('parseBuildArgs', () => {
  it('takes K=V and a bare K from the environment', () => {
    expect(parseBuildArgs(['A=1', 'B=x=y', 'C', 'D'], { C: 'from-env' })).toEqual({
      A: '1',
      B: 'x=y',
      C: 'from-env',
    });
    expect(() => parseBuildArgs(['=1'])).toThrow(InputError);
  });
});

describe('the Dockerfile in a check', () => {
  const app = image([[X('/app', STATIC())]], { User: '65532', Entrypoint: ['/app'] });

  it('FROM scratch and a clean image: base scratch, with the Dockerfile line as evidence', () => {
    const r = check(app, {}, parse('multi-stage.Dockerfile'));
    expect(r.base).toMatchObject({
      verdict: 'scratch',
      image: 'scratch',
      dockerfile: { file: 'multi-stage.Dockerfile', line: 7 },
    });
    expect(r.base.evidence).toContain('multi-stage.Dockerfile:7 FROM scratch');
    expect(r.findings).toEqual([]);
  });

  it('a named distroless base whose files show no OS is distroless, and allowed', () => {
    const r = check(app, {}, parse('platform.Dockerfile'));
    expect(r.base.verdict).toBe('distroless');
    expect(r.findings).toEqual([]);
  });

  it('a base finding points at the FROM line, a root USER at the USER line, ENV secrets at their ENV line', () => {
    const img = image([[X('/app', STATIC()), X('/bin/sh', STATIC())]], {
      User: 'root',
      Entrypoint: ['/app'],
      Env: ['API_TOKEN=abcdef'],
    });
    const r = check(img, {}, parse('env-lines.Dockerfile'));
    const at = (id: string) => r.findings.find((f) => f.id === id)?.location;
    expect(at('SG110')).toEqual({ file: 'env-lines.Dockerfile', line: 1 });
    expect(at('SG503')).toEqual({ file: 'env-lines.Dockerfile', line: 2 });
    expect(r.base.verdict).toBe('os');
  });

  it('an allowed-bases glob matches the resolved image name in any of its forms', () => {
    const img = image([[X('/app', STATIC()), X('/bin/sh', STATIC())]], { User: '1', Entrypoint: ['/app'] });
    const df = parse('aliases.Dockerfile');
    expect(check(img, {}, df).findings.map((f) => f.id)).toContain('SG110');
    for (const glob of ['debian:*', 'docker.io/library/debian:*', 'debian']) {
      expect(check(img, { allowedBases: ['scratch', glob] }, df).findings.map((f) => f.id)).not.toContain(
        'SG110',
      );
    }
  });
});
