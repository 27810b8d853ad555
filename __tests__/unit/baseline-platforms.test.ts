// Which platforms the baseline has, for a `platform: all` check that drops one: the pure parts (the list
// read back from the cache or a pr.json, the difference), then each baseline path with @actions/core
// mocked and the engine's manifest listing stood in for through src/action/checker.ts.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { core, resetMocks, stubRun } from '../helpers/action-mocks.js';
import { InputError } from '../../src/util/errors.js';

vi.mock('@actions/core', async () => (await import('../helpers/action-mocks.js')).core);
vi.mock('@actions/github', async () => (await import('../helpers/action-mocks.js')).github);

const { droppedPlatforms, envelopeMissing, keepPlatformList, parsePlatformList, platformsMissing } =
  await import('../../src/github/baseline-platforms.js');
const { checker } = await import('../../src/action/checker.js');
const { readInputs } = await import('../../src/action/inputs.js');
const { runContext } = await import('../../src/github/context.js');

describe('parsePlatformList', () => {
  it.each<[string, unknown, string[] | undefined]>([
    ['two platforms', ['linux/amd64', 'linux/arm64'], ['linux/amd64', 'linux/arm64']],
    ['a variant', ['linux/arm/v7'], ['linux/arm/v7']],
    ['none', [], []],
    ['not an array', 'linux/amd64', undefined],
    ['an object', { 'linux/amd64': true }, undefined],
    ['null', null, undefined],
    ['a number in it', ['linux/amd64', 7], undefined],
    ['no architecture', ['linux'], undefined],
    ['"all"', ['all'], undefined],
    ['an escape sequence', ['linux/\u001b[31mamd64'], undefined],
    ['markdown', ['linux/**amd64**'], undefined],
    ['a workflow command', ['::error::x/y'], undefined],
    ['a newline', ['linux/amd64\n> hi'], undefined],
    ['a path', ['../../etc/passwd'], undefined],
    ['too long', [`linux/${'a'.repeat(200)}`], undefined],
    ['65 entries', Array.from({ length: 65 }, (_, i) => `linux/a${i}`), undefined],
  ])('%s', (_name, value, want) => {
    expect(parsePlatformList(value)).toEqual(want);
  });
});

describe('platformsMissing', () => {
  it.each<[string, string[], string[], string[]]>([
    ['main has arm64 too', ['linux/amd64', 'linux/arm64'], ['linux/amd64'], ['linux/arm64']],
    ['the same set', ['linux/amd64', 'linux/arm64'], ['linux/arm64', 'linux/amd64'], []],
    ['the image adds one', ['linux/amd64'], ['linux/amd64', 'linux/arm64'], []],
    [
      'every one dropped, in the baseline order',
      ['linux/s390x', 'linux/amd64'],
      ['linux/arm64'],
      ['linux/s390x', 'linux/amd64'],
    ],
    ['arm64 and arm64/v8 are one', ['linux/arm64/v8'], ['linux/arm64'], []],
    ['arm64/v8 and arm64 are one', ['linux/arm64'], ['linux/arm64/v8'], []],
    ['arm v6 is not arm v7', ['linux/arm/v6', 'linux/arm/v7'], ['linux/arm/v7'], ['linux/arm/v6']],
    ['another os', ['windows/amd64'], ['linux/amd64'], ['windows/amd64']],
    [
      'a platform listed twice is named once',
      ['linux/arm64', 'linux/arm64/v8'],
      ['linux/amd64'],
      ['linux/arm64'],
    ],
    ['an empty baseline', [], ['linux/amd64'], []],
  ])('%s', (_name, baseline, image, want) => {
    expect(platformsMissing(baseline, image)).toEqual(want);
  });
});

describe('envelopeMissing (a pr.json from the PR run)', () => {
  it('no field: none', () => {
    expect(envelopeMissing(undefined, 'pr.json')).toBeUndefined();
  });
  it('a list of platforms: that list', () => {
    expect(envelopeMissing(['linux/arm64'], 'pr.json')).toEqual(['linux/arm64']);
  });
  it.each([['"linux/arm64"'], [['<img src=x>']], [[{}]], [null]])(
    'anything else (%j) is one line naming the file',
    (value) => {
      let err: unknown;
      try {
        envelopeMissing(typeof value === 'string' ? JSON.parse(value) : value, '/art/pr.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toBe(
        '/art/pr.json: "missingPlatforms" must list platforms (os/arch[/variant])',
      );
    },
  );
});

describe('droppedPlatforms, on each baseline path', () => {
  let platformsOf: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    resetMocks();
    platformsOf = vi.spyOn(checker, 'platformsOf');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    platformsOf.mockRestore();
  });

  const IMAGE = 'ghcr.io/acme/app:pr-7';
  const PR = ['linux/amd64'];
  const infos = (): string[] => core.info.mock.calls.map(([m]) => String(m));

  it("auto: main's list, recorded by a platform: all run on main, names the platform the PR dropped", async () => {
    const dir = stubRun({ image: IMAGE, platform: 'all', baseline: 'auto' });
    await keepPlatformList(readInputs(), runContext(), IMAGE, ['linux/amd64', 'linux/arm64']);
    expect(readdirSync(path.join(dir, 'slimgate-baseline'))).toEqual([
      expect.stringMatching(/^ghcr\.io-acme-app-[0-9a-f]{10}\.platforms\.json$/),
    ]);
    expect(await droppedPlatforms(readInputs(), runContext(), IMAGE, PR, ['saved report'])).toEqual([
      'linux/arm64',
    ]);
    // Another image's list is not this one's.
    expect(await droppedPlatforms(readInputs(), runContext(), 'ghcr.io/acme/other:pr-7', PR, [])).toEqual([]);
    expect(platformsOf).not.toHaveBeenCalled();
  });

  it('auto: the comment-key input names the list as it names the reports', async () => {
    stubRun({ image: IMAGE, platform: 'all', baseline: 'auto', 'comment-key': 'app' });
    await keepPlatformList(readInputs(), runContext(), 'build:Dockerfile', ['linux/amd64', 'linux/arm64']);
    expect(await droppedPlatforms(readInputs(), runContext(), 'build:other', PR, [])).toEqual([
      'linux/arm64',
    ]);
  });

  it.each([
    ['no list (main ran before lists were kept)', undefined],
    ['not JSON', '{"slimgate": 1, "platforms": ["linux/amd64",'],
    ['another version', JSON.stringify({ slimgate: 2, platforms: ['linux/amd64', 'linux/arm64'] })],
    ['no version', JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'] })],
    ['a bare array', JSON.stringify(['linux/amd64', 'linux/arm64'])],
    ['null', 'null'],
    ['a hostile name', JSON.stringify({ slimgate: 1, platforms: ['linux/amd64', 'linux/arm64\u001b]8;;'] })],
    ['too big', JSON.stringify({ slimgate: 1, platforms: ['linux/arm64'], pad: 'x'.repeat(20_000) })],
  ])('auto: %s is unknown, not an error, and nothing is named', async (_name, text) => {
    const dir = stubRun({ image: IMAGE, platform: 'all', baseline: 'auto' });
    if (text !== undefined) {
      mkdirSync(path.join(dir, 'slimgate-baseline'));
      await keepPlatformList(readInputs(), runContext(), IMAGE, ['linux/amd64']);
      const [file] = readdirSync(path.join(dir, 'slimgate-baseline'));
      writeFileSync(path.join(dir, 'slimgate-baseline', file!), text);
    }
    await expect(droppedPlatforms(readInputs(), runContext(), IMAGE, PR, ['saved report'])).resolves.toEqual(
      [],
    );
    expect(core.warning).not.toHaveBeenCalled();
    expect(infos().some((m) => /no list of main's platforms|not a list of platforms/.test(m))).toBe(true);
  });

  it('auto: without a list, the base-branch tag is listed only when a platform was compared with it', async () => {
    stubRun({ image: IMAGE, platform: 'all', baseline: 'auto' });
    platformsOf.mockResolvedValue(['linux/amd64', 'linux/arm64']);
    expect(await droppedPlatforms(readInputs(), runContext(), IMAGE, PR, [undefined])).toEqual([]);
    expect(platformsOf).not.toHaveBeenCalled();
    const tag = 'docker://ghcr.io/acme/app:main';
    expect(await droppedPlatforms(readInputs(), runContext(), IMAGE, PR, [tag])).toEqual(['linux/arm64']);
    expect(platformsOf).toHaveBeenCalledWith(tag, expect.anything());
  });

  it('baseline: SOURCE: its manifests list its platforms; names from the index that are not platforms are left out', async () => {
    stubRun({ image: IMAGE, platform: 'all', baseline: 'ghcr.io/acme/app:v1' });
    platformsOf.mockResolvedValue(['linux/amd64', 'linux/arm64', 'linux/\u001b[31mevil', 'linux/s390x']);
    expect(await droppedPlatforms(readInputs(), runContext(), IMAGE, PR, [])).toEqual([
      'linux/arm64',
      'linux/s390x',
    ]);
    expect(platformsOf).toHaveBeenCalledWith('ghcr.io/acme/app:v1', expect.anything());
  });

  it.each([
    ['an archive (only a full read would tell)', () => Promise.resolve(undefined)],
    ['a registry that fails', () => Promise.reject(new Error('connect ECONNREFUSED'))],
  ])('baseline: SOURCE, %s: unknown, not an error', async (_name, answer) => {
    stubRun({ image: IMAGE, platform: 'all', baseline: 'docker-archive:main.tar' });
    platformsOf.mockImplementation(answer);
    await expect(droppedPlatforms(readInputs(), runContext(), IMAGE, PR, [])).resolves.toEqual([]);
    expect(core.warning).not.toHaveBeenCalled();
  });

  it('baseline: none asks nothing', async () => {
    stubRun({ image: IMAGE, platform: 'all', baseline: 'none' });
    expect(await droppedPlatforms(readInputs(), runContext(), IMAGE, PR, [])).toEqual([]);
    expect(platformsOf).not.toHaveBeenCalled();
  });
});
