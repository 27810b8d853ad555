/**
 * One pass over one layer: hash the bytes as stored, sniff and decompress, hash the tar, parse the tar,
 * keep a record per entry and the few heads that rules need. Nothing is buffered whole.
 */
import { createHash } from 'node:crypto';
import { inflate, type Compression } from '../util/decompress.js';
import { headSpec, type HeadSpec } from './heads.js';
import { pastLimits, shortName, type LimitKind } from '../util/limits.js';
import type { ParsedDb, StreamParser } from '../formats/contract.js';
import { parserFor, PathBudget } from '../formats/index.js';
import { cleanPath } from '../util/paths.js';
import { mergeSecretHits, SecretMatcher, type SecretHit } from './secret-files.js';
import { ContentScanner, wantsContent } from './secret-content.js';
import { ElfProbe, type ElfFacts } from './elf-probe.js';
import { TarParser, type BodySink, type TarHeader, type TarType } from '../util/tar.js';

export type EntryType = TarType;

export interface EntryRecord {
  /** Cleaned absolute path ("/usr/bin/env"). */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Symlink: the target as written. Hard link: the cleaned absolute path of the target. */
  link: string | null;
  /** Leading bytes of files that rules read (ELF header, shebang, os-release). */
  head?: Buffer;
  /** Record count of a package database (dpkg status, apk installed). */
  records?: number;
  /** A secret candidate's verdict, matched over its body as it streamed past (the bytes are not kept). */
  secret?: SecretHit;
  /** An ELF executable's bytes by kind, stripped or not, and Go build info (elf-probe.ts). */
  elf?: ElfFacts;
  /** What a format module parsed of the body as it streamed past (src/formats/). */
  pkg?: ParsedDb;
}

export interface LayerScan {
  /** sha256 of the bytes as stored (the compressed digest). */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  compression: Compression;
  compressedSize: number;
  uncompressedSize: number;
  entries: EntryRecord[];
  /** Raw names of entries (or hard-link targets) that climb out of the root with "..". */
  escapes: string[];
  /** Entries past the limits of a real file system (src/util/limits.ts): refused, not recorded. */
  refused: RefusedEntry[];
}

export interface RefusedEntry {
  kind: LimitKind;
  /** The entry's name, cut to a bounded length. */
  name: string;
  detail: string;
}

export async function scanLayer(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  label: string,
): Promise<LayerScan> {
  const entries: EntryRecord[] = [];
  const escapes: string[] = [];
  const refused: RefusedEntry[] = [];
  const budget = new PathBudget();
  const parser = new TarParser((h) => onEntry(h, entries, escapes, refused, budget), label);
  const stored = createHash('sha256');
  const tarHash = createHash('sha256');
  let uncompressedSize = 0;
  const { compression, storedBytes } = await inflate(
    input,
    label,
    async (chunk, c) => {
      // A plain tar is its own diff_id: hash it once, as stored.
      if (c !== 'none') {
        tarHash.update(chunk);
        uncompressedSize += chunk.length;
      }
      await parser.push(chunk);
    },
    (chunk) => stored.update(chunk),
  );
  parser.finish();
  const digest = `sha256:${stored.digest('hex')}`;
  return {
    digest,
    diffId: compression === 'none' ? digest : `sha256:${tarHash.digest('hex')}`,
    compression,
    compressedSize: storedBytes,
    uncompressedSize: compression === 'none' ? storedBytes : uncompressedSize,
    entries,
    escapes,
    refused,
  };
}

function onEntry(
  h: TarHeader,
  entries: EntryRecord[],
  escapes: string[],
  refused: RefusedEntry[],
  budget: PathBudget,
): BodySink | undefined {
  const path = cleanPath(h.name);
  if (path === undefined) {
    escapes.push(shortName(h.name));
    return undefined;
  }
  let link: string | null = null;
  if (h.type === 'symlink') link = h.linkname;
  else if (h.type === 'hardlink') {
    const target = cleanPath(h.linkname);
    if (target === undefined) {
      escapes.push(`${shortName(h.name)} → ${shortName(h.linkname)}`);
      return undefined;
    }
    link = target;
  }
  const past = pastLimits(path, link);
  if (past) {
    refused.push({ kind: past.kind, name: shortName(path), detail: past.detail });
    return undefined;
  }
  const rec: EntryRecord = { path, type: h.type, size: h.size, mode: h.mode, uid: h.uid, gid: h.gid, link };
  entries.push(rec);
  budget.grow(path.length);
  if (h.type !== 'file' || h.size === 0) return undefined;
  const spec = headSpec(path, h.mode);
  const content = wantsContent(path, h.size);
  return spec || content ? new HeadSink(rec, spec ?? NO_HEAD, budget, content) : undefined;
}

const NO_HEAD: HeadSpec = { keep: 0 };

/**
 * Keeps the first `keep` bytes, counts package-database records, matches secret candidates line by line
 * and every text body against the content shapes; the rest is drained.
 */
class HeadSink implements BodySink {
  private parts: Buffer[] = [];
  private have = 0;
  private readonly marker: Buffer | undefined;
  private carry = Buffer.from('\n');
  private count = 0;
  private readonly secrets: SecretMatcher | undefined;
  private readonly content: ContentScanner | undefined;
  private readonly elf: ElfProbe | undefined;
  private readonly packages: StreamParser | undefined;

  constructor(
    private readonly rec: EntryRecord,
    private readonly spec: HeadSpec,
    budget: PathBudget,
    content: boolean,
  ) {
    this.content = content ? new ContentScanner(rec.size) : undefined;
    this.marker = spec.countLines ? Buffer.from(`\n${spec.countLines}`) : undefined;
    this.secrets = spec.secrets ? new SecretMatcher(spec.secrets) : undefined;
    this.elf = spec.elf ? new ElfProbe(rec.size, budget) : undefined;
    this.packages = spec.packages ? parserFor(spec.packages, rec.path, budget) : undefined;
  }

  write(chunk: Buffer): void {
    this.secrets?.write(chunk);
    this.content?.write(chunk);
    this.elf?.write(chunk);
    this.packages?.write(chunk);
    if (this.have < this.spec.keep) {
      const part = chunk.subarray(0, this.spec.keep - this.have);
      this.parts.push(Buffer.from(part)); // a copy: the chunk's memory belongs to the decompressor
      this.have += part.length;
    }
    if (this.marker) {
      // A marker may straddle chunks: search the previous tail joined with this chunk's start first.
      const m = this.marker.length;
      const seam = Buffer.concat([this.carry, chunk.subarray(0, m - 1)]);
      for (
        let i = seam.indexOf(this.marker);
        i !== -1 && i < this.carry.length;
        i = seam.indexOf(this.marker, i + 1)
      ) {
        this.count++;
      }
      for (let i = chunk.indexOf(this.marker); i !== -1; i = chunk.indexOf(this.marker, i + 1)) this.count++;
      const joined = chunk.length >= m - 1 ? chunk : Buffer.concat([this.carry, chunk]);
      this.carry = Buffer.from(joined.subarray(Math.max(0, joined.length - (m - 1))));
    }
  }

  end(): void {
    if (this.parts.length)
      this.rec.head = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    if (this.marker) this.rec.records = this.count;
    const hit = mergeSecretHits(this.secrets?.end(), this.content?.end());
    if (hit) this.rec.secret = hit;
    const elf = this.elf?.end();
    if (elf) this.rec.elf = elf;
    if (this.packages) this.rec.pkg = this.packages.end();
  }
}
