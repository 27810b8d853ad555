/**
 * What every language-world reader of this folder gives back, and the small pieces they share: a bounded
 * field and a holder that keeps a file's body up to a cap (the readers that parse a document whole).
 * Purls and licenses are in ids.ts, apart: their libraries cost ~10 MB of memory wherever they load, and
 * the ELF probe (in every scan worker) needs only this module.
 *
 * A reader sees one file's body as it streams past the scan (`write(chunk)`, then `end()`), never reads
 * a layer twice, and bounds everything it keeps; what it did not keep is counted in `cut`, what did not
 * parse in `bad`, and `notes` say why in Slimgate's own words (never the image's text).
 */
import { decodeName } from '../util/names.js';

type LangManager = 'python-egg' | 'maven' | 'nuget' | 'composer' | 'cargo' | 'conda';

export interface LangPackage {
  manager: LangManager;
  name: string;
  version: string | null;
  /** Absent when the name cannot form one (a Maven package with no groupId, bytes that are not UTF-8). */
  purl?: string;
  /** The purl namespace where the ecosystem has one (Maven groupId, Composer vendor). */
  namespace?: string;
  /** An SPDX expression; absent when the database has none that validates. */
  license?: string;
  /** Where it came from, as the manager records it (cargo: crates.io, local, git; conda: its channel). */
  source?: string;
  /** The names of the packages it needs. */
  dependsOn?: string[];
  /** The paths it owns, absolute. */
  files?: string[];
  /** Directories it owns with everything below them, absolute. */
  dirs?: string[];
  /** Inside an archive: the path of the archive it came from within the file that owns it ("a.jar!/b.jar"). */
  inside?: string;
}

export interface LangResult {
  packages: LangPackage[];
  /** Files of one package split over several files (an .egg-info directory) share this key. */
  key?: string;
  /** For a part of a package (installed-files.txt): the paths it lists, absolute. */
  files?: string[];
  /** For a part of a package (top_level.txt): directories or modules it owns, absolute. */
  dirs?: string[];
  /** Names it needs, from a part of a package (requires.txt). */
  dependsOn?: string[];
  cut: number;
  bad: number;
  notes: string[];
}

export interface LangReader {
  write(chunk: Uint8Array): void;
  end(): LangResult;
}

/** Names, versions and licenses longer than this are cut. */
export const MAX_FIELD = 256;
/** Packages kept from one file. */
export const MAX_PACKAGES = 20_000;
/** Dependencies kept per package. */
export const MAX_DEPENDS = 1_000;
/** Paths kept from one file. */
export const MAX_PATHS = 200_000;
const MAX_NOTES = 8;

export function emptyResult(): LangResult {
  return { packages: [], cut: 0, bad: 0, notes: [] };
}

export function note(r: LangResult, msg: string): void {
  if (r.notes.length < MAX_NOTES && !r.notes.includes(msg)) r.notes.push(msg);
}

/** Bytes as a bounded engine string (lossless, src/util/names.ts), trimmed; null when empty. */
export function fieldOf(b: Uint8Array, r: LangResult): string | null {
  let from = 0;
  let to = b.length;
  const blank = (c: number | undefined): boolean => c === 32 || c === 9 || c === 13 || c === 10;
  while (from < to && blank(b[from])) from++;
  while (to > from && blank(b[to - 1])) to--;
  if (to === from) return null;
  if (to - from > MAX_FIELD) {
    r.cut++;
    to = from + MAX_FIELD;
  }
  return decodeName(b.subarray(from, to));
}

/** A JSON value as a bounded string, or null when it is not a non-empty string. */
export function textOf(v: unknown, r: LangResult): string | null {
  if (typeof v !== 'string' || v === '') return null;
  if (v.length <= MAX_FIELD && v.isWellFormed()) return v.trim() || null;
  return fieldOf(Buffer.from(v.slice(0, MAX_FIELD * 4), 'utf8'), r);
}

/** Keeps a body whole up to `cap` bytes; past it the body is dropped and `over` says so. */
export class Hold {
  private parts: Buffer[] = [];
  private have = 0;
  over = false;

  constructor(private readonly cap: number) {}

  write(chunk: Uint8Array): void {
    if (this.over) return;
    if (this.have + chunk.length > this.cap) {
      this.over = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(chunk)); // a copy: the chunk's memory belongs to the decompressor
    this.have += chunk.length;
  }

  take(): Buffer {
    const b = Buffer.concat(this.parts);
    this.parts = [];
    return b;
  }
}

/** A document held by `hold`, parsed as JSON; undefined (noted) when over the cap or not JSON. */
export function heldJson(hold: Hold, r: LangResult, what: string, cap: number): unknown {
  if (hold.over) {
    r.cut++;
    note(r, `${what} is larger than ${cap / 1024 / 1024} MiB: not read`);
    return undefined;
  }
  try {
    return JSON.parse(hold.take().toString('utf8')) as unknown;
  } catch {
    r.bad++;
    note(r, `${what} is not valid JSON`);
    return undefined;
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
