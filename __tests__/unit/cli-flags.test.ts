/**
 * The CLI's flag tables: every row parses to the value its type says, and has its line in the help; a flag
 * no row declares is a usage error. A row added without its parse or help fails here.
 */
import { describe, expect, it } from 'vitest';
import { FLAG_ROWS, parseCommandLine, USAGE } from '../../src/cli/flags.js';
import { BUILD_OPTIONS } from '../../src/sources/build-options.js';
import { InputError } from '../../src/util/errors.js';

describe('the CLI flag table', () => {
  const declared = FLAG_ROWS.filter((r) => !r.helpOnly);

  it.each(declared.map((r) => [r.flag, r] as const))('--%s parses as its row says', (flag, row) => {
    const args =
      row.type === 'boolean'
        ? [`--${flag}`]
        : row.multiple
          ? [`--${flag}`, 'a', `--${flag}`, 'b']
          : [`--${flag}`, 'a'];
    const { values } = parseCommandLine(['check', 'img', ...args]);
    const got = (values as Record<string, unknown>)[flag];
    expect(got).toEqual(row.type === 'boolean' ? true : row.multiple ? ['a', 'b'] : 'a');
  });

  it.each(FLAG_ROWS.map((r) => [r.flag, r] as const))('--%s has its line in the help', (flag, row) => {
    const head = `--${flag}${row.arg ? ` ${row.arg}` : ''}`;
    const first = row.usage.split('\n')[0]!;
    expect(USAGE).toMatch(
      new RegExp(
        `^  ${head.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${first.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        'm',
      ),
    );
  });

  it('a flag in no table is one usage error', () => {
    expect(() => parseCommandLine(['check', 'img', '--no-such-flag'])).toThrow(InputError);
    expect(() => parseCommandLine(['check', 'img', '--no-such-flag'])).toThrow(/see slimgate --help/);
  });

  it('the build table (build-options.ts) is declared too: every build flag parses', () => {
    for (const s of BUILD_OPTIONS) {
      const args = s.kind === 'boolean' ? [`--${s.flag}`] : [`--${s.flag}`, 'x'];
      expect(() => parseCommandLine(['build', ...args]), s.flag).not.toThrow();
    }
  });

  it('a value flag without its value is refused, not read as the next flag', () => {
    expect(() => parseCommandLine(['check', 'img', '--baseline'])).toThrow(InputError);
  });
});
