/**
 * Is a Go vulnerability's code linked into the binary? (pure) A Go vulnerability record names what is
 * vulnerable as `affected[].ecosystem_specific.imports[]`: a package path and, usually, its symbols
 * (`Unmarshal`, `Client.Do`). The scan keeps the names of the binary's function table
 * (src/scan/go-pclntab.ts); a symbol is linked when one of the names the Go toolchain gives it is there:
 *
 *   function `F`         → `path.F`, or `path.F[...]` when it is generic
 *   method `T.M`         → `path.T.M` (value receiver) or `path.(*T).M` (pointer receiver), and the same
 *                          with `T[...]` for a generic type
 * where `path` is spelt as the linker spells it: dots in its last element as `%2e`, and as written, since
 * toolchains differ. Closures (`path.F.func1`) and method values (`path.T.M-fm`) are not the symbol, as in
 * govulncheck; unlike it, a method of a generic type matches its record.
 *
 * The answer is one of three:
 * - linked: a named symbol is in the table (also from a table read only up to its bound);
 * - not-linked: every import names symbols, the whole table was read, and none is in it;
 * - unknown: no table (not Go 1.18+, not found, not read), a table cut at its bound, or an import that
 *   names no symbols (then any use of the package counts).
 */
import type { FlatFile } from '../flatten/flatten.js';
import { FunctionSet, type GoFunctions } from '../scan/go-pclntab.js';

export type Reachability = 'linked' | 'not-linked' | 'unknown';

/** One `affected[].ecosystem_specific.imports[]` entry of a Go vulnerability record. */
export interface GoImport {
  path: string;
  symbols?: readonly string[];
}

const HEX = '0123456789abcdef';

/** A package path as the Go linker writes it in symbol names (cmd/internal/objabi.PathToPrefix). */
function linkerPath(path: string): string {
  const b = Buffer.from(path, 'utf8');
  const slash = b.lastIndexOf(0x2f);
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c <= 0x20 || (c === 0x2e && i > slash) || c === 0x25 || c === 0x22 || c >= 0x7f)
      out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
    else out += String.fromCharCode(c);
  }
  // Multi-byte characters were escaped byte by byte, so `out` is ASCII.
  return out;
}

/** The names a symbol of package `path` can have in a function table. */
export function tableNames(path: string, symbol: string): string[] {
  const paths = [...new Set([path, linkerPath(path)])];
  const dot = symbol.indexOf('.');
  const forms =
    dot === -1
      ? [symbol, `${symbol}[...]`]
      : ((t, m): string[] => [`${t}.${m}`, `(*${t}).${m}`, `${t}[...].${m}`, `(*${t}[...]).${m}`])(
          symbol.slice(0, dot),
          symbol.slice(dot + 1),
        );
  return paths.flatMap((p) => forms.map((f) => `${p}.${f}`));
}

const sets = new WeakMap<GoFunctions, FunctionSet>();

/** The table's names as a set, decoded once per table. */
function setOf(table: GoFunctions): FunctionSet {
  let s = sets.get(table);
  if (!s) sets.set(table, (s = new FunctionSet(table)));
  return s;
}

/** The judge's answer for one entry; an unknown one says why, in a few words. */
interface Judgement {
  reachability: Reachability;
  why?: string;
}

/** Whether the record's `imports` are linked into the binary whose function table is `table`, and why not known. */
function judgement(table: GoFunctions | undefined, imports: readonly GoImport[]): Judgement {
  if (!imports.length) return { reachability: 'unknown', why: 'the record names no Go packages' };
  if (!table) return { reachability: 'unknown', why: 'no Go function table was read from the binary' };
  const set = setOf(table);
  let unnamed = false;
  for (const imp of imports) {
    if (!imp.symbols?.length) {
      unnamed = true;
      continue;
    }
    for (const sym of imp.symbols)
      if (tableNames(imp.path, sym).some((n) => set.has(n))) return { reachability: 'linked' };
  }
  if (unnamed) return { reachability: 'unknown', why: 'the record names a package without its functions' };
  if (set.truncated)
    return { reachability: 'unknown', why: 'the function table was read only up to its bound' };
  return { reachability: 'not-linked' };
}

/** Whether the record's `imports` are linked into the binary whose function table is `table`. */
export function reachability(table: GoFunctions | undefined, imports: readonly GoImport[]): Reachability {
  return judgement(table, imports).reachability;
}

/** The symbols of `imports` found in the table, as `path.Symbol` (for a finding's detail), bounded. */
export function linkedSymbols(
  table: GoFunctions | undefined,
  imports: readonly GoImport[],
  max = 10,
): string[] {
  if (!table) return [];
  const set = setOf(table);
  const out: string[] = [];
  for (const imp of imports)
    for (const sym of imp.symbols ?? []) {
      if (out.length >= max) return out;
      if (tableNames(imp.path, sym).some((n) => set.has(n))) out.push(`${imp.path}.${sym}`);
    }
  return out;
}

/** What the vulnerability look-up asks of a Go binary's entry: the binary by its path in the image. */
export type GoJudge = (binaryPath: string, imports: readonly GoImport[]) => Judgement;

/** The judge for the binaries of a flattened image (a path without a function table is "unknown"). */
export function goJudge(files: readonly FlatFile[]): GoJudge {
  const tables = new Map<string, GoFunctions>();
  for (const f of files) if (f.type === 'file' && f.elf?.goFunctions) tables.set(f.path, f.elf.goFunctions);
  return (binaryPath, imports) => judgement(tables.get(binaryPath), imports);
}
