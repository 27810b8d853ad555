/**
 * Go build info (pure): what `go version -m` prints, read from the bytes that follow the `\xff Go buildinf:`
 * magic in a binary (the scan captures a bounded window of them, src/scan/elf-probe.ts).
 *
 * Only the format of Go 1.18 and later is read: a 32-byte header whose flags byte (offset 15) has bit 0x2
 * set, then the Go version and the module info as strings, each a uvarint length and its bytes. Older
 * binaries keep pointers into their data instead; for those the result says so and reads nothing.
 *
 * The module info is text, one record a line, fields split by tabs:
 *   path  <main package path>
 *   mod   <module> <version> [<sum>]
 *   dep   <module> <version> [<sum>]
 *   =>    <module> <version> [<sum>]    (replaces the mod or dep line above it)
 *   build <key>=<value>                 (a value with spaces or quotes is a Go-quoted string)
 * Everything here is image text: bytes are decoded losslessly (src/util/names.ts) and every count and
 * length is bounded.
 */
import { decodeName } from '../util/names.js';

export const GO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER = 32;
const FLAG_INLINE = 0x2;
/** The sentinels around the module info (16 bytes each), which `go version -m` strips. */
const SENTINEL = 16;
const MAX_VERSION = 128;
/** Characters kept of any one field; a longer one is cut and the info marked truncated. */
export const MAX_FIELD = 1024;
export const MAX_DEPS = 5000;
export const MAX_SETTINGS = 200;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: { path: string; version: string; sum?: string };
}

export interface GoBuildInfo {
  /** The Go toolchain, e.g. `go1.22.1`. */
  version: string;
  /** The main package's import path. */
  path: string | null;
  main: GoModule | null;
  deps: GoModule[];
  /** Build settings in their order: `-ldflags`, `-trimpath`, `CGO_ENABLED`, `GOOS`, `GOARCH`, `vcs.*`… */
  settings: { key: string; value: string }[];
  /** Some of the module info was cut (a bound of the scan or of this reader) or not understood. */
  truncated?: boolean;
  /** Every `dep` line of the module info, when fewer than that are in `deps` (cut at a bound). */
  depCount?: number;
}

/** What the module list of a layer's binaries may take, in bytes (the layer's one budget, packages.ts). */
export interface GoBudget {
  take(n: number): boolean;
}

/** Bytes charged per module kept, on top of its text: the object and its strings. */
const MODULE_COST = 96;

export type GoParse = { ok: true; info: GoBuildInfo } | { ok: false; error: string };

/** A uvarint at `at`: its value and the offset after it, or undefined (cut off, or over 2^53). */
function uvarint(b: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8 && at + i < b.length; i++) {
    const byte = b[at + i] as number;
    value += (byte & 0x7f) * scale;
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
    if (byte < 0x80) return { value, next: at + i + 1 };
    scale *= 128;
  }
  return undefined;
}

/**
 * The build info in `b`, which starts at the magic. `whole` says whether `b` holds everything up to the
 * end of the file or of the scan's window: false means the window was cut at its bound.
 */
export function parseBuildInfo(b: Buffer, whole: boolean, budget?: GoBudget): GoParse {
  if (b.length < HEADER || !b.subarray(0, GO_MAGIC.length).equals(GO_MAGIC))
    return { ok: false, error: 'Go build info is truncated' };
  const flags = b[15] as number;
  if (!(flags & FLAG_INLINE))
    return {
      ok: false,
      error: 'Go build info in the pre-1.18 format (pointers), which Slimgate does not read',
    };
  const vlen = uvarint(b, HEADER);
  if (!vlen || vlen.value > MAX_VERSION || vlen.next + vlen.value > b.length)
    return { ok: false, error: 'Go build info has a bad version length' };
  const version = decodeName(b.subarray(vlen.next, vlen.next + vlen.value));
  if (!/^go[0-9A-Za-z.+\-_ ]{0,100}$/.test(version) && version !== 'devel')
    return { ok: false, error: 'Go build info has no Go version' };
  const info: GoBuildInfo = { version, path: null, main: null, deps: [], settings: [] };
  const mlen = uvarint(b, vlen.next + vlen.value);
  if (!mlen) {
    if (whole) return { ok: false, error: 'Go build info has a bad module info length' };
    info.truncated = true;
    return { ok: true, info };
  }
  const start = mlen.next;
  const avail = Math.max(0, Math.min(mlen.value, b.length - start));
  if (avail < mlen.value) {
    if (whole) return { ok: false, error: 'Go build info runs past the end of the file' };
    info.truncated = true;
  }
  if (mlen.value === 0) return { ok: true, info };
  let mod = b.subarray(start, start + avail);
  if (avail === mlen.value) {
    // Whole: strip the sentinels as `go version -m` does, or find no module info at all.
    if (mod.length < 2 * SENTINEL + 1 || mod[mod.length - SENTINEL - 1] !== 0x0a) return { ok: true, info };
    mod = mod.subarray(SENTINEL, mod.length - SENTINEL);
  } else {
    // Cut: skip the leading sentinel and keep the complete lines.
    mod = mod.subarray(Math.min(SENTINEL, mod.length), mod.lastIndexOf(0x0a) + 1);
  }
  readModInfo(mod, info, budget);
  return { ok: true, info };
}

function field(b: Buffer, info: GoBuildInfo): string {
  if (b.length > MAX_FIELD) {
    info.truncated = true;
    return decodeName(b.subarray(0, MAX_FIELD));
  }
  return decodeName(b);
}

function module(parts: Buffer[], info: GoBuildInfo): GoModule | undefined {
  if (parts.length < 3) return undefined;
  const m: GoModule = { path: field(parts[1] as Buffer, info), version: field(parts[2] as Buffer, info) };
  const sum = parts[3];
  if (sum && sum.length) m.sum = field(sum, info);
  return m;
}

function readModInfo(mod: Buffer, info: GoBuildInfo, budget: GoBudget | undefined): void {
  let last: GoModule | undefined;
  let deps = 0;
  for (let from = 0; from < mod.length;) {
    let nl = mod.indexOf(0x0a, from);
    if (nl === -1) nl = mod.length;
    const line = mod.subarray(from, nl);
    from = nl + 1;
    if (!line.length) continue;
    const parts = split(line);
    const tag = (parts[0] as Buffer).toString('latin1');
    if (tag === 'path' && parts.length >= 2) info.path = field(line.subarray(5), info);
    else if (tag === 'mod') {
      last = module(parts, info);
      if (last) info.main = last;
      else info.truncated = true;
    } else if (tag === 'dep') {
      deps++;
      last = module(parts, info);
      if (!last) info.truncated = true;
      else if (info.deps.length >= MAX_DEPS || (budget && !budget.take(MODULE_COST + line.length))) {
        info.truncated = true;
        last = undefined;
      } else info.deps.push(last);
    } else if (tag === '=>') {
      const r = module(parts, info) ?? twoField(parts, info);
      if (last && r) last.replace = { path: r.path, version: r.version, ...(r.sum ? { sum: r.sum } : {}) };
      else info.truncated = true;
      last = undefined;
    } else if (tag === 'build' && parts.length >= 2) {
      if (info.settings.length >= MAX_SETTINGS) {
        info.truncated = true;
        continue;
      }
      const kv = line.subarray(6);
      const eq = kv.indexOf(0x3d);
      if (eq <= 0) {
        info.truncated = true;
        continue;
      }
      const raw = field(kv.subarray(eq + 1), info);
      info.settings.push({ key: field(kv.subarray(0, eq), info), value: unquote(raw) ?? raw });
    } else info.truncated = true;
  }
  if (deps > info.deps.length) info.depCount = deps;
}

/** A replacement by a local directory has a path and no version (`=> ../local`). */
function twoField(parts: Buffer[], info: GoBuildInfo): GoModule | undefined {
  if (parts.length !== 2) return undefined;
  return { path: field(parts[1] as Buffer, info), version: '' };
}

function split(line: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let tab = line.indexOf(0x09); tab !== -1 && out.length < 8; tab = line.indexOf(0x09, from)) {
    out.push(line.subarray(from, tab));
    from = tab + 1;
  }
  out.push(line.subarray(from));
  return out;
}

const SIMPLE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/**
 * A Go-quoted string (strconv.Quote's output, as `go version -m` writes a value with spaces), or
 * undefined when `s` is not one; an unquoted value is returned by the caller as it is.
 */
export function unquote(s: string): string | undefined {
  if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i] as string;
    if (c === '"') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === undefined || i >= s.length - 1) return undefined;
    if (SIMPLE[e] !== undefined) {
      out += SIMPLE[e];
      continue;
    }
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex) {
      const digits = s.slice(i + 1, i + 1 + hex);
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return undefined;
      const cp = parseInt(digits, 16);
      if (cp > 0x10ffff) return undefined;
      // \xHH is a byte; kept as the engine keeps a stray byte (src/util/names.ts) when it is not ASCII.
      out += e === 'x' ? decodeName(Buffer.from([cp])) : String.fromCodePoint(cp);
      i += hex;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const digits = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits)) return undefined;
      const v = parseInt(digits, 8);
      if (v > 255) return undefined;
      out += decodeName(Buffer.from([v]));
      i += 2;
      continue;
    }
    return undefined;
  }
  return out;
}
