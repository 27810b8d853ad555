// Which platforms the baseline has, for a `platform: all` check that drops one: the pure parts (the list
// read back from the cache or a pr.json, the difference), then the action's baseline provider with
// @actions/core mocked. A source's platforms (the base-branch tag, `baseline: SOURCE`) come from its scan:
// see the itg test check-platforms and the e2e test action-platforms.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { core, resetMocks, stubRun } from '../helpers/action-mocks.js';
import { InputError } from '../../src/util/errors.js';

vi.mock('@actions/core', async () => (await import('../helpers/action-mocks.js')).core);
vi.mock('@actions/github', async () => (await import('../helpers/action-mocks.js')).github);

const { envelopeMissing, keepPlatformList, parsePlatformList, platformsMissing } =
  await import('../../src/github/baseline-platforms.js');
const { actionBaseline } = await import('../../src/action/baseline-provider.js');
const { planRun } = await import('../../src/action/plan.js');
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

describe("the action's baseline provider: the baseline's platforms, on each baseline path", () => {
  beforeEach(() => resetMocks());
  afterEach(() => vi.unstubAllEnvs());

  const IMAGE = 'ghcr.io/acme/app:pr-7';
  const infos = (): string[] => core.info.mock.calls.map(([m]) => String(m));
  /** The provider check mode makes from the inputs and the event stubbed now. */
  const provider = () => {
    const inputs = readInputs();
    const plan = planRun(inputs, runContext(), process.env);
    return { plan, baseline: actionBaseline(plan, inputs.build, { cache: false }) };
  };
  const keep = (slug: string, platforms: string[]) =>
    keepPlatformList(slug, platforms, { sha: 'c'.repeat(40), cache: false });

  it("auto: main's list, recorded by a platform: all run on main, is the baseline's platforms", async () => {
    const dir = stubRun({ image: IMAGE, platform: 'all', baseline: 'auto' });
    await keep(provider().plan.imageSlug, ['linux/amd64', 'linux/arm64']);
    expect(readdirSync(path.join(dir, 'slimgate-baseline'))).toEqual([
      expect.stringMatching(/^ghcr\.io-acme-app-[0-9a-f]{10}\.platforms\.json$/),
    ]);
    expect(await provider().baseline.platforms?.()).toEqual(['linux/amd64', 'linux/arm64']);
    // Another image's list is not this one's.
    vi.stubEnv('INPUT_IMAGE', 'ghcr.io/acme/other:pr-7');
    expect(await provider().baseline.platforms?.()).toBeUndefined();
  });

  it('auto: the comment-key input names the list as it names the reports', async () => {
    stubRun({ image: IMAGE, platform: 'all', baseline: 'auto', 'comment-key': 'app' });
    await keep(provider().plan.imageSlug, ['linux/amd64', 'linux/arm64']);
    vi.stubEnv('INPUT_IMAGE', 'ghcr.io/acme/other:pr-7');
    expect(await provider().baseline.platforms?.()).toEqual(['linux/amd64', 'linux/arm64']);
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
  ])('auto: %s is unknown, not an error', async (_name, text) => {
    const dir = stubRun({ image: IMAGE, platform: 'all', baseline: 'auto' });
    if (text !== undefined) {
      await keep(provider().plan.imageSlug, ['linux/amd64']);
      const [file] = readdirSync(path.join(dir, 'slimgate-baseline'));
      writeFileSync(path.join(dir, 'slimgate-baseline', file!), text);
    }
    await expect(provider().baseline.platforms?.()).resolves.toBeUndefined();
    expect(core.warning).not.toHaveBeenCalled();
    expect(infos().some((m) => /no list of main's platforms|not a list of platforms/.test(m))).toBe(true);
  });

  it('auto on a push to main records the list rather than reading one', async () => {
    const dir = stubRun({ image: IMAGE, platform: 'all', baseline: 'auto' });
    await keep(provider().plan.imageSlug, ['linux/amd64', 'linux/arm64']);
    const event = path.join(dir, 'push.json');
    writeFileSync(event, JSON.stringify({ repository: { default_branch: 'main' }, before: 'b'.repeat(40) }));
    vi.stubEnv('GITHUB_EVENT_NAME', 'push');
    vi.stubEnv('GITHUB_EVENT_PATH', event);
    vi.stubEnv('GITHUB_REF', 'refs/heads/main');
    const { plan, baseline } = provider();
    expect(plan.record).toBe(true);
    expect(await baseline.platforms?.()).toBeUndefined();
  });

  it.each(['none', 'docker-archive:main.tar'])('baseline: %s before any find asks nothing', async (b) => {
    stubRun({ image: IMAGE, platform: 'all', baseline: b });
    expect(await provider().baseline.platforms?.()).toBeUndefined();
    expect(infos()).toEqual([]);
  });
});
