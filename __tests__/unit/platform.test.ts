import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import type { Platform } from '../../src/sources/model/image.js';
import {
  choosePlatforms,
  DEFAULT_PLATFORM,
  formatPlatform,
  parsePlatform,
  platformMatches,
  type PlatformChoice,
} from '../../src/sources/platform.js';

const p = (s: string): Platform => {
  const [os, architecture, variant] = s.split('/') as [string, string, string?];
  return variant ? { os, architecture, variant } : { os, architecture };
};

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).not.toContain('\n');
    return err as InputError;
  }
  throw new Error('did not throw');
}

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['windows/amd64', { os: 'windows', architecture: 'amd64' }],
    ['linux/ppc64le', { os: 'linux', architecture: 'ppc64le' }],
  ])('%s', (s, want) => {
    expect(parsePlatform(s)).toEqual(want);
  });

  it.each(['linux', 'linux/', '/amd64', 'linux//amd64', 'linux/amd64/v8/extra', 'linux/amd 64', 'all', ''])(
    'rejects %j with a line that shows the expected form',
    (s) => {
      expect(thrown(() => parsePlatform(s)).message).toMatch(/expected os\/arch\[\/variant\]/);
    },
  );

  it('formats back to the same string', () => {
    for (const s of ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6'])
      expect(formatPlatform(parsePlatform(s))).toBe(s);
  });
});

describe('platformMatches', () => {
  it.each([
    ['linux/amd64', 'linux/amd64', true],
    ['linux/amd64', 'linux/arm64', false],
    ['linux/amd64', 'windows/amd64', false],
    // Without a variant, the request matches any variant.
    ['linux/arm', 'linux/arm/v7', true],
    ['linux/arm/v7', 'linux/arm/v6', false],
    ['linux/arm/v7', 'linux/arm', false],
    // arm64 without a variant is v8, both ways.
    ['linux/arm64/v8', 'linux/arm64', true],
    ['linux/arm64', 'linux/arm64/v8', true],
    ['linux/arm64/v8', 'linux/arm64/v8', true],
    ['linux/arm64/v9', 'linux/arm64', false],
  ])('want %s, have %s → %s', (want, have, ok) => {
    expect(platformMatches(p(want), p(have))).toBe(ok);
  });
});

describe('choosePlatforms', () => {
  const pick = (have: string[], choice: PlatformChoice): string[] =>
    choosePlatforms(have, p, choice).map((x) => x);

  it('defaults to linux/amd64', () => {
    expect(DEFAULT_PLATFORM).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(pick(['linux/arm64/v8', 'linux/amd64', 'linux/s390x'], undefined)).toEqual(['linux/amd64']);
  });

  it('takes the only platform when there is one, whatever it is', () => {
    expect(pick(['linux/arm64/v8'], undefined)).toEqual(['linux/arm64/v8']);
    expect(pick(['linux/riscv64'], undefined)).toEqual(['linux/riscv64']);
  });

  it('without a choice and without amd64, lists what there is', () => {
    const e = thrown(() => pick(['linux/arm64/v8', 'linux/arm/v7', 'linux/s390x'], undefined));
    expect(e.message).toContain('linux/arm64/v8, linux/arm/v7, linux/s390x');
    expect(e.message).toMatch(/--platform/);
  });

  it('picks the requested platform', () => {
    expect(pick(['linux/amd64', 'linux/arm64/v8'], p('linux/arm64'))).toEqual(['linux/arm64/v8']);
    expect(pick(['linux/amd64', 'linux/arm64'], p('linux/arm64/v8'))).toEqual(['linux/arm64']);
    expect(pick(['linux/arm/v6', 'linux/arm/v7'], p('linux/arm/v7'))).toEqual(['linux/arm/v7']);
  });

  it('a requested platform that is not there is an error that lists what is', () => {
    const e = thrown(() => pick(['linux/amd64', 'linux/arm/v6'], p('linux/arm/v7')));
    expect(e.message).toMatch(
      /^platform linux\/arm\/v7 is not in this image; it has: linux\/amd64, linux\/arm\/v6$/,
    );
  });

  it('"all" takes every platform in order', () => {
    expect(pick(['linux/arm64/v8', 'linux/amd64', 'linux/arm/v7'], 'all')).toEqual([
      'linux/arm64/v8',
      'linux/amd64',
      'linux/arm/v7',
    ]);
  });
});
