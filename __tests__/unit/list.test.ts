// The one list parser (src/util/list.ts), with docker/build-push-action's rules, for every list input.
import { describe, expect, it } from 'vitest';
import { parseList } from '../../src/util/list.js';

describe('parseList', () => {
  it.each<[string | undefined, { commas?: boolean } | undefined, string[]]>([
    [undefined, undefined, []],
    ['', undefined, []],
    ['a', undefined, ['a']],
    ['a, b\nc,,\n', undefined, ['a', 'b', 'c']],
    ['a, b\n# c, d\n\nd', undefined, ['a', 'b', 'd']],
    ['  # only a comment', undefined, []],
    ['a\r\nb', undefined, ['a', 'b']],
    ['"a,b",c', undefined, ['a,b', 'c']],
    ['"say ""hi""",x', undefined, ['say "hi"', 'x']],
    ['X=1,2\nY=3', { commas: false }, ['X=1,2', 'Y=3']],
    ['X=1,2\n#Y=3', { commas: false }, ['X=1,2']],
    ['a#b,c', undefined, ['a#b', 'c']],
  ])('%j → %j', (value, opts, want) => {
    expect(parseList(value, opts)).toEqual(want);
  });
});
