/**
 * Checking JSON that someone else wrote (a saved report, an artifact's pr.json) against a shape, field by
 * field. A shape reads a value and returns a fresh copy that holds only the fields it knows, each of the
 * type it says; anything else throws a ShapeError that names the JSON path (`findings[3].severity`) and
 * what was expected. The copy is the point: keys this version does not read are dropped rather than
 * walked (no deep junk reaches JSON.stringify), and `__proto__` in the file stays data.
 *
 * Messages quote a bad value short and escaped: it came from the file, so it must not reach a log raw.
 */
import { escapeControls, escapeInvisible } from './text.js';

export class ShapeError extends Error {
  /** The JSON path, outermost first; filled in as the error passes up through arrays and objects. */
  readonly path: (string | number)[] = [];
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'ShapeError';
  }

  /** `findings[3].severity must be one of error, warning, info (not 5)` */
  describe(): string {
    const at = this.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
    return at ? `${at} ${this.problem}` : this.problem;
  }
}

export interface Shape<T> {
  /** What a value must be, as it ends a message: `must be a string`. */
  readonly what: string;
  read(v: unknown): T;
}

/** A bad value, as a message may quote it: short, and escaped. */
export function quote(v: unknown): string {
  if (typeof v === 'string') {
    if (v.length > 40) return `a string of ${v.length} characters`;
    return escapeControls(JSON.stringify(v));
  }
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'an array' : `a ${typeof v === 'object' ? 'map' : typeof v}`;
}

const fail = (what: string, v: unknown): never => {
  throw new ShapeError(`${what} (not ${quote(v)})`);
};

const shape = <T>(what: string, read: (v: unknown) => T): Shape<T> => ({ what, read });

/** A string of at most `max` characters. */
export function str(max: number): Shape<string> {
  const what = 'must be a string';
  return shape(what, (v) => {
    if (typeof v !== 'string') return fail(what, v);
    if (v.length > max) return fail(`must be a string of at most ${max} characters`, v);
    return v;
  });
}

/** One line of plain text: no control, invisible or reordering character, no lone surrogate. */
export function line(max: number): Shape<string> {
  const s = str(max);
  return shape(s.what, (v) => {
    const t = s.read(v);
    if (escapeInvisible(t) !== t) fail('must be one line of text', t);
    return t;
  });
}

/** A string that matches `re` (anchored), described as `what`. */
export function matching(re: RegExp, what: string, max: number): Shape<string> {
  const s = str(max);
  return shape(s.what, (v) => {
    const t = s.read(v);
    if (!re.test(t)) fail(what, t);
    return t;
  });
}

/** A non-negative safe integer: a size, a count, an index, an id. */
export const count: Shape<number> = shape('must be a non-negative integer', (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail('must be a non-negative integer', v),
);

/** A positive safe integer. */
export const positive: Shape<number> = shape('must be a positive integer', (v) =>
  Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : fail('must be a positive integer', v),
);

/** Any finite number (a limit, a growth that may be negative). */
export const num: Shape<number> = shape('must be a number', (v) =>
  typeof v === 'number' && Number.isFinite(v) ? v : fail('must be a number', v),
);

export const bool: Shape<boolean> = shape('must be true or false', (v) =>
  typeof v === 'boolean' ? v : fail('must be true or false', v),
);

/** One of these exact values. */
export function oneOf<T extends string | number>(values: readonly T[]): Shape<T> {
  const what = `must be one of ${values.join(', ')}`;
  return shape(what, (v) => ((values as readonly unknown[]).includes(v) ? (v as T) : fail(what, v)));
}

/** The value, or null. */
export function nullable<T>(s: Shape<T>): Shape<T | null> {
  const what = `${s.what} or null`;
  return shape(what, (v) => {
    if (v === null) return null;
    try {
      return s.read(v);
    } catch (err) {
      if (err instanceof ShapeError && !err.path.length) return fail(what, v);
      throw err;
    }
  });
}

/** Names the place of an error thrown below it (try/catch inline, not a closure per field: reports are big). */
function placed(err: unknown, key: string | number): unknown {
  if (err instanceof ShapeError) err.path.unshift(key);
  return err;
}

/** An array of at most `max` items, each of the item's shape. */
export function arr<T>(item: Shape<T>, max = Number.MAX_SAFE_INTEGER): Shape<T[]> {
  return shape('must be an array', (v) => {
    if (!Array.isArray(v)) return fail('must be an array', v);
    if (v.length > max) throw new ShapeError(`must be an array of at most ${max} items (not ${v.length})`);
    const out = new Array<T>(v.length);
    for (let i = 0; i < v.length; i++) {
      try {
        out[i] = item.read(v[i]);
      } catch (err) {
        throw placed(err, i);
      }
    }
    return out;
  });
}

/** An array, each item kept only when `keep` accepts it (for data whose reader drops bad items itself). */
export function filtered<T>(keep: (items: unknown[]) => T[]): Shape<T[]> {
  return shape('must be an array', (v) => (Array.isArray(v) ? keep(v) : fail('must be an array', v)));
}

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;

export type Fields<T> = { [K in RequiredKeys<T>]: Shape<T[K]> } & {
  [K in OptionalKeys<T>]-?: Optional<Exclude<T[K], undefined>>;
};

interface Optional<T> {
  optional: Shape<T>;
}

/** A field that may be absent (or undefined); when present it must have the shape. */
export const optional = <T>(s: Shape<T>): Optional<T> => ({ optional: s });

/**
 * A JSON object with these fields, each of its shape, in a fresh object: unknown keys are dropped (a
 * newer version may add fields; this one reads only its own). A required field that is absent is named.
 */
export function obj<T>(fields: Fields<T>): Shape<T> {
  // Flat arrays, not entries: a report has a million of these objects.
  const keys = Object.keys(fields);
  const specs = Object.values(fields) as (Shape<unknown> | Optional<unknown>)[];
  const optionals = specs.map((f) => 'optional' in f);
  const readers = specs.map((f) => ('optional' in f ? f.optional : f).read);
  return shape('must be an object', (v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return fail('must be an object', v);
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      // Own keys only: a report is plain data, and `key` is one of ours, never `__proto__`.
      const value = Object.hasOwn(o, key) ? o[key] : undefined;
      try {
        if (value !== undefined) out[key] = readers[i]!(value);
        else if (!optionals[i]) throw new ShapeError('is missing');
      } catch (err) {
        throw placed(err, key);
      }
    }
    return out as T;
  });
}
