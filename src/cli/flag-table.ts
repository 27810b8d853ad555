/**
 * A flag table: each row is one flag, its parseArgs type and its line in the help. The parseArgs options
 * and the help text both come from the rows, so adding a flag is adding a row (and reading its value).
 */
import { usageLine } from './usage.js';

export interface FlagRow {
  readonly flag: string;
  readonly type: 'string' | 'boolean';
  /** A list flag: repeatable, its values in order. */
  readonly multiple?: true;
  /** The placeholder after the flag in the help, e.g. `SOURCE`. */
  readonly arg?: string;
  /** The help text; each `\n` continues it on the next line. */
  readonly usage: string;
  /** A flag another table declares (build flags check also takes): only its help line is here. */
  readonly helpOnly?: true;
}

type OptionOf<R extends FlagRow> = R['type'] extends 'boolean'
  ? { type: 'boolean'; default: false }
  : R extends { multiple: true }
    ? { type: 'string'; multiple: true }
    : { type: 'string' };

/** The parseArgs options of a table, typed per flag so that parseArgs' `values` is typed too. */
export type OptionsOf<Rows extends readonly FlagRow[]> = {
  [R in Rows[number] as R extends { helpOnly: true } ? never : R['flag']]: OptionOf<R>;
};

export function optionsOf<const Rows extends readonly FlagRow[]>(rows: Rows): OptionsOf<Rows> {
  return Object.fromEntries(
    rows
      .filter((r) => !r.helpOnly)
      .map((r) => [
        r.flag,
        r.type === 'boolean'
          ? { type: 'boolean', default: false }
          : r.multiple
            ? { type: 'string', multiple: true }
            : { type: 'string' },
      ]),
  ) as OptionsOf<Rows>;
}

/** The table's help lines, in its order. */
export function helpOf(rows: readonly FlagRow[]): string {
  return rows.map((r) => usageLine(`--${r.flag}${r.arg ? ` ${r.arg}` : ''}`, r.usage)).join('\n');
}
