// Build mode's docker/build-push-action inputs, no docker: the list format (its Util.getInputList), the
// exact `docker buildx build` argv, what is refused (one line, never a secret's value), the classic
// builder's refusal, the action's inputs (masking) and the CLI's flags, and what the base commit's build
// keeps of them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBuildxList } from '../../src/util/list.js';
import { attestFlag, buildxFlags, checkBuildxOptions, isLocalContext } from '../../src/sources/build-args.js';
import { buildCommand, buildImage } from '../../src/sources/docker-build.js';
import { buildOptionsFromFlags } from '../../src/cli/build-flags.js';
import { envInputs, readInputs } from '../../src/action/inputs.js';
import { baseCommitBuild } from '../../src/github/baseline.js';
import { InputError } from '../../src/util/errors.js';
import { actionYml } from '../helpers/github-action.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-build-args-'));
const keyFile = path.join(tmp, 'key.txt');
writeFileSync(keyFile, 'k');

describe('parseBuildxList: build-push-action’s list format', () => {
  it.each<[string, string, { ignoreComma?: boolean; trim?: boolean }, string[]]>([
    ['lines and commas', 'a,b\nc', {}, ['a', 'b', 'c']],
    ['items are trimmed, blank lines dropped', '  a , b \n\n   \nc', {}, ['a', 'b', 'c']],
    ['# is no comment', '#a\nb # c', {}, ['#a', 'b # c']],
    ['CRLF and CR line ends', 'a\r\nb\rc', {}, ['a', 'b', 'c']],
    ['a quoted field keeps its commas among several', '"a,b",c', {}, ['a,b', 'c']],
    ['a lone quoted field is split anyway (as getList does)', '"a,b"', {}, ['a', 'b']],
    ['a quote in mid-field is literal', 'a"b,c', {}, ['a"b', 'c']],
    [
      'ignoreComma: a line is one entry',
      'type=local,src=/x\ntype=gha',
      { ignoreComma: true },
      ['type=local,src=/x', 'type=gha'],
    ],
    [
      'ignoreComma: quotes at a field start go',
      '"type=local,src=/x",mode=max',
      { ignoreComma: true },
      ['type=local,src=/x,mode=max'],
    ],
    ['a doubled quote is a quote', '"say ""hi"""', { ignoreComma: true }, ['say "hi"']],
    [
      'a quoted field spans lines',
      '"KEY=l1\nl2"\nB=2',
      { ignoreComma: true, trim: false },
      ['KEY=l1\nl2', 'B=2'],
    ],
    ['trim false keeps spaces (secrets)', 'K= v \n', { ignoreComma: true, trim: false }, ['K= v ']],
    ['empty', '', {}, []],
  ])('%s', (_name, input, opts, want) => {
    expect(parseBuildxList(input, 'input "x"', opts)).toEqual(want);
  });

  it.each([
    ['"never closed\nsecret-value', /input "x": line 1 opens a quote that is never closed/],
    ['ok\n"sec"ret', /input "x": line 2: a quoted field must end at a comma or the line end/],
  ])('bad quoting is one line naming the line, not the text: %j', (input, why) => {
    const err = (() => {
      try {
        parseBuildxList(input, 'input "x"');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).not.toMatch(/secret|sec"ret/);
  });
});

describe('buildxFlags: the exact argv', () => {
  it('every option, in order, with the secret value in a file of its own', () => {
    const { args, writes } = buildxFlags(
      {
        builder: 'builder-1a2b',
        buildContexts: ['alpine=docker-image://alpine:3.19', 'shared=../shared'],
        cacheFrom: ['type=registry,ref=ghcr.io/o/app:cache', 'ghcr.io/o/app:main'],
        cacheTo: ['type=local,dest=/tmp/c,mode=max'],
        provenance: 'mode=max',
        sbom: 'true',
        secrets: [
          'GIT_AUTH_TOKEN=abc,def=1',
          'npm=line1\nline2',
          'id=aws,src=/run/aws',
          'id=gh,env=GH_TOKEN',
        ],
        secretFiles: [`key=${keyFile}`],
        ssh: ['default', 'deploy=/home/u/.ssh/id'],
      },
      '/t/s',
    );
    expect(args).toEqual([
      '--builder',
      'builder-1a2b',
      '--build-context',
      'alpine=docker-image://alpine:3.19',
      '--build-context',
      'shared=../shared',
      '--cache-from',
      'type=registry,ref=ghcr.io/o/app:cache',
      '--cache-from',
      'ghcr.io/o/app:main',
      '--cache-to',
      'type=local,dest=/tmp/c,mode=max',
      '--attest',
      'type=provenance,mode=max',
      '--attest',
      'type=sbom,disabled=false',
      '--secret',
      'id=GIT_AUTH_TOKEN,src=/t/s/secret-1',
      '--secret',
      'id=npm,src=/t/s/secret-2',
      '--secret',
      'id=aws,src=/run/aws',
      '--secret',
      'id=gh,env=GH_TOKEN',
      '--secret',
      `id=key,src=${keyFile}`,
      '--ssh',
      'default',
      '--ssh',
      'deploy=/home/u/.ssh/id',
    ]);
    expect(writes).toEqual([
      { path: '/t/s/secret-1', value: 'abc,def=1' },
      { path: '/t/s/secret-2', value: 'line1\nline2' },
    ]);
    // No secret value is on the command line.
    expect(args.join(' ')).not.toMatch(/abc|line1/);
  });

  it('an ID or path with a comma is csv-quoted for buildx', () => {
    const { args } = buildxFlags({ secrets: ['a,b=v'] }, '/t/x,y');
    expect(args).toEqual(['--secret', '"id=a,b","src=/t/x,y/secret-1"']);
  });

  it.each([
    ['true', 'type=provenance,disabled=false'],
    ['false', 'type=provenance,disabled=true'],
    ['mode=min', 'type=provenance,mode=min'],
    ['mode=max,builder-id=https://ci/run/1', 'type=provenance,mode=max,builder-id=https://ci/run/1'],
    ['mode=max,false', 'type=provenance,mode=max,disabled=true'],
  ])('provenance %j → --attest %s', (v, want) => {
    expect(attestFlag('provenance', v)).toBe(want);
  });

  it.each([
    ['true', 'type=sbom,disabled=false'],
    ['generator=docker/buildkit-syft-scanner', 'type=sbom,generator=docker/buildkit-syft-scanner'],
  ])('sbom %j → --attest %s', (v, want) => {
    expect(attestFlag('sbom', v)).toBe(want);
  });

  it('build mode’s common options, on both builders', () => {
    const opts = {
      labels: ['org.opencontainers.image.source=https://x', 'a=b,c'],
      noCache: true,
      pull: true,
    };
    // The same flags, in the same order, on both: only the command and the output differ.
    const flags = [
      '--label',
      'org.opencontainers.image.source=https://x',
      '--label',
      'a=b,c',
      '--no-cache',
      '--pull',
      '--iidfile',
      '/t/iid',
    ];
    const bx = buildCommand(opts, 'buildx', { iidFile: '/t/iid', ociDest: '/t/i.tar' });
    expect(bx.args).toEqual(['buildx', 'build', ...flags, '--output', 'type=oci,dest=/t/i.tar', '.']);
    expect(buildCommand(opts, 'classic', { iidFile: '/t/iid' }).args).toEqual(['build', ...flags, '.']);
  });

  it('buildCommand passes the secret writes on, beside the image ID file by default', () => {
    const cmd = buildCommand({ secrets: ['T=v'], network: 'none' }, 'buildx', { iidFile: '/t/d/iid' });
    expect(cmd.writes).toEqual([{ path: '/t/d/secrets/secret-1', value: 'v' }]);
    expect(cmd.args).toEqual(
      expect.arrayContaining(['--secret', 'id=T,src=/t/d/secrets/secret-1', '--network', 'none']),
    );
  });
});

describe('refused: one line, exit 2, never a secret value', () => {
  it.each<[string, Parameters<typeof checkBuildxOptions>[0], RegExp]>([
    ['a secret without an ID', { secrets: ['=hunter2-value'] }, /bad secret \(entry 1\): write ID=VALUE/],
    ['a secret that is a bare value', { secrets: ['ok=1', 'hunter2-value'] }, /bad secret \(entry 2\)/],
    ['a secret with an empty value', { secrets: ['TOKEN='] }, /bad secret "TOKEN": the value is empty/],
    ['buildx form without id', { secrets: ['src=/run/hunter2-value,type=file'] }, /id=ID is missing/],
    [
      'buildx form without src or env',
      { secrets: ['id=a,type=file'] },
      /bad secret "a": give src=FILE or env=VARIABLE/,
    ],
    [
      'buildx form with a bad type',
      { secrets: ['id=a,type=hunter2-value,src=/x'] },
      /type must be file or env/,
    ],
    [
      'a secret file that is missing',
      { secretFiles: [`k=${tmp}/nope`] },
      /the file .*nope \(secret "k"\) does not exist/,
    ],
    ['a secret file without =', { secretFiles: ['k'] }, /bad secret-files entry "k": write ID=PATH/],
    [
      'a build-context without =',
      { buildContexts: ['shared'] },
      /bad build-context "shared": write NAME=VALUE/,
    ],
    ['a build-context with nothing after =', { buildContexts: ['shared='] }, /bad build-context "shared="/],
    [
      'a build-context name in capitals',
      { buildContexts: ['Shared=./s'] },
      /bad build-context name "Shared"/,
    ],
    ['a cache entry without type', { cacheTo: ['ref=r/a:c,mode=max'] }, /bad cache-to \(entry 1\): no type=/],
    [
      'a cache entry field without =',
      { cacheFrom: ['type=gha,hunter2-value'] },
      /bad cache-from \(entry 1\): field 2 is not key=value/,
    ],
    [
      'a provenance mode buildkit refuses',
      { provenance: 'mode=full' },
      /bad provenance mode "full": min or max/,
    ],
    ['a provenance word', { provenance: 'yes' }, /bad provenance "yes": write true, false or key=value/],
    ['a provenance type', { provenance: 'type=sbom' }, /type= is set by the input's name/],
    [
      'a bad disabled',
      { sbom: 'disabled=maybe' },
      /bad sbom "disabled=maybe": disabled must be true or false/,
    ],
    ['an ssh entry without id', { ssh: ['=/path'] }, /bad ssh entry "=\/path"/],
    ['a builder name with a space', { builder: 'my builder' }, /bad builder "my builder"/],
  ])('%s', (_name, opts, why) => {
    let err: unknown;
    try {
      checkBuildxOptions(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).toMatch(why);
    expect(msg).not.toContain('\n');
    expect(msg).not.toContain('hunter2');
  });

  it('the classic builder refuses the buildx-only options, naming them', async () => {
    expect(() =>
      buildCommand({ secrets: ['a=1'], cacheFrom: ['type=gha'] }, 'classic', { iidFile: '/t/iid' }),
    ).toThrow(
      /^secrets, cache-from need docker buildx; the classic builder \(DOCKER_BUILDKIT=0\) cannot use them$/,
    );
    // DOCKER_BUILDKIT=0 picks the classic builder, so it refuses before running anything (no docker here).
    const err = await buildImage({
      context: tmp,
      file: keyFile,
      provenance: 'mode=max',
      docker: '/nonexistent/docker',
      env: { DOCKER_BUILDKIT: '0' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      'provenance needs docker buildx; the classic builder (DOCKER_BUILDKIT=0) cannot use it',
    );
  });

  it('which build-context values are local directories', () => {
    expect(
      [
        './shared',
        '/abs',
        'docker-image://alpine',
        'oci-layout:///l',
        'https://x/y.git',
        'target:base',
        'git@h:o/r',
      ].map(isLocalContext),
    ).toEqual([true, true, false, false, false, false, false]);
  });
});

/** Inputs as the runner passes them: action.yml's defaults, then the workflow's `with:`. */
function withInputs(withs: Record<string, string>): (name: string) => string {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, spec] of Object.entries(actionYml().inputs))
    env[`INPUT_${name.toUpperCase()}`] =
      spec.default === '${{ github.token }}' ? 'tok' : (spec.default ?? '');
  for (const [name, v] of Object.entries(withs)) env[`INPUT_${name.toUpperCase()}`] = v;
  return envInputs(env);
}

describe('the action’s build inputs', () => {
  const BARE = { context: '.', buildArgs: [], platforms: [], push: false, tags: [] };

  it('reads build-push-action’s names and list formats, and masks secret values first', () => {
    const masked: string[] = [];
    const i = readInputs(
      withInputs({
        context: '.',
        network: 'host',
        labels: 'a=1\nb=x,y',
        'no-cache': 'true',
        pull: 'True',
        'build-contexts': 'alpine=docker-image://alpine:3.19\nshared=./shared',
        secrets: 'GIT_AUTH_TOKEN=abc,def\n"MULTI=first line\nsecond line"\nid=aws,src=/run/aws',
        'secret-files': `key=${keyFile}`,
        ssh: 'default,deploy=/k',
        'cache-from': 'type=gha\ntype=registry,ref=r/a:cache',
        'cache-to': 'type=gha,mode=max',
        provenance: 'mode=max',
        sbom: 'false',
        builder: 'builder-1',
      }),
      tmp,
      (s) => masked.push(s),
    );
    const extras = {
      network: 'host',
      labels: ['a=1', 'b=x,y'],
      noCache: true,
      pull: true,
      buildContexts: ['alpine=docker-image://alpine:3.19', 'shared=./shared'],
      secrets: ['GIT_AUTH_TOKEN=abc,def', 'MULTI=first line\nsecond line', 'id=aws,src=/run/aws'],
      secretFiles: [`key=${keyFile}`],
      ssh: ['default', 'deploy=/k'],
      cacheFrom: ['type=gha', 'type=registry,ref=r/a:cache'],
      cacheTo: ['type=gha,mode=max'],
      provenance: 'mode=max',
      sbom: 'false',
      builder: 'builder-1',
    };
    // Exactly these, and the lists and switches every build has.
    expect(i.build).toEqual({ ...BARE, ...extras });
    expect(masked).toEqual(['abc,def', 'first line\nsecond line', 'first line', 'second line']);
  });

  it('leaves out what is not given', () => {
    expect(readInputs(withInputs({ context: '.' }), tmp, () => {}).build).toEqual(BARE);
  });

  it('a switch that is off (push: false, as action.yml defaults it) needs no context', () => {
    expect(readInputs(withInputs({ image: 'a', push: 'false', pull: 'false' }), tmp, () => {}).build).toBe(
      undefined,
    );
  });

  it.each([
    [{ image: 'a', secrets: 'A=1' }, 'input "secrets" needs "context" (build mode)'],
    [{ image: 'a', 'cache-from': 'type=gha' }, 'input "cache-from" needs "context" (build mode)'],
    [{ image: 'a', 'no-cache': 'true' }, 'input "no-cache" needs "context" (build mode)'],
    [{ context: '.', pull: 'yes' }, 'input "pull" must be true or false, not "yes"'],
    [{ context: '.', 'build-contexts': 'nothing' }, 'bad build-context "nothing": write NAME=VALUE'],
    [{ context: '.', provenance: 'mode=everything' }, 'bad provenance mode "everything": min or max'],
  ])('refuses %j', (withs, msg) => {
    expect(() => readInputs(withInputs(withs), tmp, () => {})).toThrow(msg);
  });

  it('a bad secret entry is masked whole, and the error does not quote it', () => {
    const masked: string[] = [];
    expect(() =>
      readInputs(withInputs({ context: '.', secrets: 'hunter2-bare-token' }), tmp, (s) => masked.push(s)),
    ).toThrow(/^bad secret \(entry 1\): write ID=VALUE, or id=ID,src=FILE \(no ID given\)$/);
    expect(masked).toEqual(['hunter2-bare-token']);
  });
});

describe('slimgate build’s flags', () => {
  it('one entry per flag, as buildx takes them; --no-cache is the build cache’s too', () => {
    expect(
      buildOptionsFromFlags({
        'build-context': ['a=./a'],
        secret: ['id=t,env=TOKEN'],
        'secret-file': ['k=/k'],
        ssh: ['default'],
        'cache-from': ['type=local,src=/c'],
        'cache-to': ['type=local,dest=/c,mode=max'],
        label: ['x=1,2'],
        pull: true,
        'no-cache': true,
        builder: 'b1',
        provenance: 'mode=max',
        sbom: 'true',
      }),
    ).toMatchObject({
      buildContexts: ['a=./a'],
      secrets: ['id=t,env=TOKEN'],
      secretFiles: ['k=/k'],
      ssh: ['default'],
      cacheFrom: ['type=local,src=/c'],
      cacheTo: ['type=local,dest=/c,mode=max'],
      labels: ['x=1,2'],
      pull: true,
      noCache: true,
      builder: 'b1',
      provenance: 'mode=max',
      sbom: 'true',
    });
    const none = buildOptionsFromFlags({});
    for (const k of ['secrets', 'cacheFrom', 'noCache', 'pull', 'builder', 'provenance'])
      expect(none).not.toHaveProperty(k);
  });
});

describe('the base commit’s build (baseline auto)', () => {
  const map = (p: string): string => {
    if (p.startsWith('/outside')) throw new Error(`${p} is outside the repository`);
    return `/base/${p.replace(/^\.\//, '')}`;
  };
  it('reads cache-from, never writes cache-to, never pushes or tags; repo contexts come from the base tree', () => {
    const b = baseCommitBuild(
      {
        context: 'app',
        file: 'app/Dockerfile',
        target: 'final',
        buildArgs: ['A=1'],
        platforms: ['linux/amd64', 'linux/arm64'],
        push: true,
        tags: ['ghcr.io/o/app:pr-1'],
        cacheFrom: ['type=gha'],
        cacheTo: ['type=gha,mode=max'],
        noCache: true,
        secrets: ['T=v'],
        secretFiles: ['k=/run/k'],
        buildContexts: ['shared=./shared', 'outer=/outside/x', 'img=docker-image://alpine'],
      },
      map,
      'linux/arm64',
    );
    expect(b).toEqual({
      context: '/base/app',
      file: '/base/app/Dockerfile',
      target: 'final',
      buildArgs: ['A=1'],
      platforms: ['linux/arm64'],
      push: false,
      tags: [],
      cacheFrom: ['type=gha'],
      noCache: true,
      secrets: ['T=v'],
      secretFiles: ['k=/run/k'],
      buildContexts: ['shared=/base/shared', 'outer=/outside/x', 'img=docker-image://alpine'],
    });
  });
});
