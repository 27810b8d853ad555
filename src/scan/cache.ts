/**
 * The layer cache: a layer's scan depends only on its bytes, so it is stored under its compressed digest
 * and a second run (or the baseline of the same run) skips the download and the scan.
 *
 * - Where: `$SLIMGATE_CACHE_DIR`, else `$RUNNER_TEMP/slimgate-cache` in the action, else
 *   `$XDG_CACHE_HOME/slimgate` or `~/.cache/slimgate`. `SLIMGATE_CACHE=0` turns it off.
 * - Versioned: entries live under `v<CACHE_FORMAT>-<code fingerprint>/`. Bump CACHE_FORMAT when the entry
 *   format or the scan changes; the fingerprint (a hash of the running build's code) also moves to a new
 *   directory whenever the code changes, so a scan fix never meets stale entries.
 * - Never trusted blindly: an entry is gzip'd JSON lines (a header naming its digest, one line per entry,
 *   a trailer with the count and a SHA-256 of the lines before it). Anything that does not check out is
 *   deleted and scanned again, then rewritten.
 * - Memory-safe: entries are written and read as streams, line by line; heads are base64.
 * - Written atomically (a temp file, then rename), so concurrent runs never see half an entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import type { Compression } from '../util/decompress.js';
import { onCancel } from '../util/interrupt.js';
import type { EntryRecord, EntryType, LayerScan, RefusedEntry } from './layer.js';
import { ELF_FACTS, type ElfFacts } from './elf-probe.js';
import type { ParsedDb } from '../formats/contract.js';
import { isParsedDb } from '../formats/index.js';
import { SECRET_HIT_KINDS, type SecretHit, type SecretHitKind } from './secret-files.js';
import { MAX_FILE_HITS } from './secret-content.js';

/** Bump when the entry format or what a scan records changes. */
export const CACHE_FORMAT = 7;

const MAGIC = 'slimgate-layer-cache';
const TYPES = new Set<EntryType>(['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo']);

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries found unreadable or inconsistent (deleted, then rescanned). */
  corrupt: number;
}

export interface CacheOptions {
  /** false turns the cache off; a string is the directory. Default: on, unless SLIMGATE_CACHE=0. */
  cache?: boolean | string;
  env?: NodeJS.ProcessEnv;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['SLIMGATE_CACHE_DIR']) return env['SLIMGATE_CACHE_DIR'];
  if (env['RUNNER_TEMP']) return join(env['RUNNER_TEMP'], 'slimgate-cache');
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'slimgate');
}

let fingerprint: string | undefined;

/**
 * A hash of the running build's code: the bundle file itself (dist/), or every module of the tsc build
 * (lib/) or of the sources (src/, under tests).
 */
export function codeFingerprint(): string {
  if (fingerprint) return fingerprint;
  const hash = createHash('sha256');
  try {
    const here = fileURLToPath(import.meta.url);
    if (basename(here) === 'cli.js' || basename(here) === 'index.js') {
      hash.update(readFileSync(here));
    } else {
      const root = dirname(dirname(here));
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir).sort()) {
          const p = join(dir, name);
          const st = statSync(p);
          if (st.isDirectory()) walk(p);
          else if (/\.(js|ts)$/.test(name)) hash.update(name).update(readFileSync(p));
        }
      };
      walk(root);
    }
  } catch {
    hash.update('unknown');
  }
  return (fingerprint = hash.digest('hex').slice(0, 12));
}

type Encoded = [
  string,
  string,
  number,
  number,
  number,
  number,
  string | null,
  string | null,
  number | null,
  SecretCell | null,
  // Two optional fields, only on the lines that have them (a warm run parses 80k lines, mostly ten long):
  // an ELF executable's facts (null when the line has only the next one), and a package database's records.
  (ElfFacts | null)?,
  ParsedDb?,
];

function encode(e: EntryRecord): Encoded {
  const out: Encoded = [
    e.path,
    e.type,
    e.size,
    e.mode,
    e.uid,
    e.gid,
    e.link,
    e.head ? e.head.toString('base64') : null,
    e.records ?? null,
    e.secret ? encodeSecret(e.secret) : null,
  ];
  if (e.pkg) out.push(e.elf ?? null, e.pkg);
  else if (e.elf) out.push(e.elf);
  return out;
}

const isCount = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0;

/** A secret verdict: kind and what, then (content hits only) `[shape, line]` pairs and the count beyond. */
type SecretCell = [SecretHitKind, string] | [SecretHitKind, string, [string, number][], number];

function encodeSecret(h: SecretHit): SecretCell {
  if (!h.shapes) return [h.kind, h.what];
  return [h.kind, h.what, h.shapes.map((x) => [x.shape, x.line]), h.more ?? 0];
}

function isSecretCell(c: unknown): c is SecretCell {
  if (!Array.isArray(c) || (c.length !== 2 && c.length !== 4)) return false;
  if (!SECRET_HIT_KINDS.includes(c[0] as SecretHitKind) || typeof c[1] !== 'string') return false;
  if (c.length === 2) return true;
  const shapes = c[2] as unknown;
  return (
    Array.isArray(shapes) &&
    shapes.length <= MAX_FILE_HITS &&
    shapes.every((x) => Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && isCount(x[1])) &&
    isCount(c[3])
  );
}

function decodeSecret(c: SecretCell): SecretHit {
  const hit: SecretHit = { kind: c[0], what: c[1] };
  if (c.length === 4) {
    hit.shapes = c[2].map(([shape, line]) => ({ shape, line }));
    if (c[3]) hit.more = c[3];
  }
  return hit;
}

function decode(line: string): EntryRecord {
  const a = JSON.parse(line) as unknown;
  if (!Array.isArray(a) || a.length < 10 || a.length > 12) throw new Error('bad entry');
  const [path, type, size, mode, uid, gid, link, head, records, secret, elf, pkg] = a as Encoded;
  if (
    typeof path !== 'string' ||
    !TYPES.has(type as EntryType) ||
    !isCount(size) ||
    !isCount(mode) ||
    !isCount(uid) ||
    !isCount(gid) ||
    (link !== null && typeof link !== 'string') ||
    (head !== null && typeof head !== 'string') ||
    (records !== null && !Number.isInteger(records)) ||
    (secret !== null && !isSecretCell(secret)) ||
    (a.length === 11 && elf === null) ||
    (a.length === 12 && !isParsedDb(pkg))
  ) {
    throw new Error('bad entry');
  }
  const rec: EntryRecord = { path, type: type as EntryType, size, mode, uid, gid, link };
  if (head !== null) rec.head = Buffer.from(head, 'base64');
  if (records !== null) rec.records = records;
  if (secret !== null) rec.secret = decodeSecret(secret);
  // Checked field by field (a ShapeError makes the entry corrupt, so it is rescanned).
  if (elf !== undefined && elf !== null) rec.elf = ELF_FACTS.read(elf);
  if (pkg !== undefined) rec.pkg = pkg;
  return rec;
}

interface Header {
  magic: string;
  format: number;
  digest: string;
  diffId: string;
  compression: Compression;
  compressedSize: number;
  uncompressedSize: number;
  entries: number;
  escapes: string[];
  refused: RefusedEntry[];
}

export class LayerCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, corrupt: 0 };
  /** Where the entries of this format and build live. */
  readonly dir: string;
  private readonly inflight = new Map<string, Promise<LayerScan>>();

  constructor(readonly root: string) {
    this.dir = join(root, `v${CACHE_FORMAT}-${codeFingerprint()}`);
  }

  /**
   * The cache the options and environment ask for, or undefined when off. A run opens it once and passes
   * the value on (the image, its baseline, the Actions cache's restore and save), so its stats are the run's.
   */
  static open(opts: CacheOptions = {}): LayerCache | undefined {
    const env = opts.env ?? process.env;
    if (opts.cache === false) return undefined;
    if (opts.cache === undefined && /^(0|false|off|no)$/i.test(env['SLIMGATE_CACHE'] ?? '')) return undefined;
    return new LayerCache(typeof opts.cache === 'string' ? opts.cache : defaultCacheDir(env));
  }

  pathOf(digest: string): string | undefined {
    const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
    return m ? join(this.dir, `${m[1]}.jsonl.gz`) : undefined;
  }

  /** The stored scan of the blob with this digest, or undefined (a missing or corrupt entry). */
  async get(digest: string): Promise<LayerScan | undefined> {
    const path = this.pathOf(digest);
    if (!path) return undefined;
    try {
      const scan = await readEntry(path, digest);
      this.stats.hits++;
      // A hit is a use: prune() keeps the most recently used entries.
      const now = new Date();
      await utimes(path, now, now).catch(() => {});
      return scan;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.stats.corrupt++;
        await unlink(path).catch(() => {});
      }
      this.stats.misses++;
      return undefined;
    }
  }

  /** Stores a scan under its own (computed) digest. Best effort: a failure to write never fails a run. */
  async put(scan: LayerScan): Promise<void> {
    const path = this.pathOf(scan.digest);
    if (!path) return;
    const tmp = join(this.dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    // A run cancelled while it writes leaves no half entry behind.
    const forget = onCancel(() => unlink(tmp).catch(() => {}));
    try {
      await mkdir(this.dir, { recursive: true });
      await pipeline(Readable.from(entryLines(scan)), createGzip({ level: 1 }), createWriteStream(tmp));
      await rename(tmp, path);
      this.stats.writes++;
    } catch {
      await unlink(tmp).catch(() => {});
    } finally {
      forget();
    }
  }

  /**
   * Deletes the least recently used entries until the directory holds at most `maxBytes`. Returns the
   * number of entries kept.
   */
  async prune(maxBytes: number): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.jsonl.gz') && !n.startsWith('.'));
    } catch {
      return 0;
    }
    const entries = await Promise.all(
      names.map(async (n) => {
        const p = join(this.dir, n);
        const st = await stat(p).catch(() => undefined);
        return { p, size: st?.size ?? 0, used: st?.mtimeMs ?? 0 };
      }),
    );
    entries.sort((a, b) => b.used - a.used || (a.p < b.p ? -1 : 1));
    let total = 0;
    let kept = 0;
    for (const e of entries) {
      if (total + e.size <= maxBytes) {
        total += e.size;
        kept++;
      } else await unlink(e.p).catch(() => {});
    }
    return kept;
  }

  /**
   * The cached scan, or `scan()` stored for next time. Concurrent calls for one digest (a base layer
   * shared by the PR image and its baseline) share one scan. `accept` can refuse a hit (to re-check a
   * local file, say).
   */
  async through(
    digest: string,
    scan: () => Promise<LayerScan>,
    opts: { accept?: (s: LayerScan) => Promise<boolean> } = {},
  ): Promise<LayerScan> {
    const running = this.inflight.get(digest);
    if (running) return running;
    const p = (async () => {
      const hit = await this.get(digest);
      if (hit && (!opts.accept || (await opts.accept(hit)))) return hit;
      const fresh = await scan();
      if (fresh.digest === digest) await this.put(fresh);
      return fresh;
    })();
    this.inflight.set(digest, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(digest);
    }
  }
}

async function* entryLines(scan: LayerScan): AsyncGenerator<string> {
  const hash = createHash('sha256');
  const header: Header = {
    magic: MAGIC,
    format: CACHE_FORMAT,
    digest: scan.digest,
    diffId: scan.diffId,
    compression: scan.compression,
    compressedSize: scan.compressedSize,
    uncompressedSize: scan.uncompressedSize,
    entries: scan.entries.length,
    escapes: scan.escapes,
    refused: scan.refused,
  };
  const first = JSON.stringify(header) + '\n';
  hash.update(first);
  yield first;
  let batch = '';
  for (const e of scan.entries) {
    batch += JSON.stringify(encode(e)) + '\n';
    if (batch.length >= 64 * 1024) {
      hash.update(batch);
      yield batch;
      batch = '';
    }
  }
  if (batch) {
    hash.update(batch);
    yield batch;
  }
  yield JSON.stringify({ end: scan.entries.length, sha256: hash.digest('hex') }) + '\n';
}

function parseHeader(line: string, digest: string): Header {
  const h = JSON.parse(line) as Header;
  if (
    h?.magic !== MAGIC ||
    h.format !== CACHE_FORMAT ||
    h.digest !== digest ||
    typeof h.diffId !== 'string' ||
    !['gzip', 'zstd', 'none'].includes(h.compression) ||
    !Number.isInteger(h.compressedSize) ||
    !Number.isInteger(h.uncompressedSize) ||
    !Number.isInteger(h.entries) ||
    !Array.isArray(h.escapes) ||
    !h.escapes.every((x) => typeof x === 'string') ||
    !Array.isArray(h.refused) ||
    !h.refused.every(
      (x) => typeof x?.kind === 'string' && typeof x.name === 'string' && typeof x.detail === 'string',
    )
  ) {
    throw new Error('bad header');
  }
  return h;
}

async function readEntry(path: string, digest: string): Promise<LayerScan> {
  const hash = createHash('sha256');
  let header: Header | undefined;
  let trailer: { end?: unknown; sha256?: unknown } | undefined;
  const entries: EntryRecord[] = [];
  let carry = '';
  const decoder = new StringDecoder('utf8');
  // The streams' default chunk sizes: larger chunks measured slower here (longer strings to decode and cut).
  await pipeline(createReadStream(path), createGunzip(), async (source) => {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const text = carry + decoder.write(chunk);
      const end = text.lastIndexOf('\n') + 1;
      carry = text.slice(end);
      // Every line but the trailer is hashed, in one call per chunk rather than one per line.
      let hashFrom = 0;
      for (let from = 0; from < end;) {
        const nl = text.indexOf('\n', from);
        const line = text.slice(from, nl);
        if (trailer) throw new Error('data after the trailer');
        if (!header) header = parseHeader(line, digest);
        else if (entries.length < header.entries) entries.push(decode(line));
        else {
          hash.update(text.slice(hashFrom, from));
          hashFrom = end;
          trailer = JSON.parse(line) as typeof trailer;
        }
        from = nl + 1;
      }
      if (hashFrom < end) hash.update(text.slice(hashFrom, end));
    }
  });
  if (carry || decoder.end()) throw new Error('no newline at the end');
  if (!header || !trailer || trailer.end !== entries.length || trailer.sha256 !== hash.digest('hex')) {
    throw new Error('incomplete or inconsistent entry');
  }
  return {
    digest: header.digest,
    diffId: header.diffId,
    compression: header.compression,
    compressedSize: header.compressedSize,
    uncompressedSize: header.uncompressedSize,
    entries,
    escapes: header.escapes,
    refused: header.refused,
  };
}

/** sha256 of a file, streamed: a cache hit for a local blob still proves the blob is what its name says. */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
  }
  return `sha256:${hash.digest('hex')}`;
}
