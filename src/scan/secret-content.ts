/**
 * Secrets in file content: every regular text file of every layer is matched against the content shapes
 * (src/util/secret-shapes.ts) as its body streams past, up to CONTENT_CAP, and only the verdict is kept —
 * which shape, on which line, never the value.
 *
 * This runs over every text byte of an image, so it is built for speed:
 * - binaries are skipped by their head (a NUL in the first bytes, or a known magic: ELF, gzip, zip…), and
 *   files on the allow list (documentation, CA bundles) are not read at all;
 * - each piece of a body is searched once by one regex of anchors (`PRIVATE KEY`, `AKIA`, `ghp_`, `xox`,
 *   `://user:pw@`…), in a one-byte string; the full shapes run only on a small window around an anchor;
 * - newlines are counted only in pieces that another piece follows (a body that ends in this piece
 *   counts only up to its hits);
 * - an anchor too near the end of a piece waits for the next one, so a secret that straddles two pieces is
 *   seen whole (the last WINDOW characters are carried over).
 */
import { findContentSecrets, shapeTable } from '../util/secret-shapes.js';

/** How far into a file the content scan reads. */
export const CONTENT_CAP = 1024 * 1024;
/** Smaller files cannot hold any content shape. */
const MIN_SIZE = 20;
/** Bytes of the head searched for a NUL (as git and grep decide that a file is binary). */
const SNIFF = 8000;
/** Context kept before an anchor (the `-----BEGIN` of a key, a URL's scheme) and after it (the value). */
const BEFORE = 256;
const AFTER = 1536;
/** Hits kept per file: the rest are counted. */
export const MAX_FILE_HITS = 8;

/**
 * The anchors: each content shape starts at or near one of these. A URL is anchored only when it has a
 * password (`://user:pw@`), since plain URLs are everywhere.
 */
const ANCHOR =
  /PRIVATE KEY|A(?:KIA|SIA|Iza)|gh[pousr]_|github_pat_|xox[abposre]-|[rs]k_live_|glpat-|:\/\/[^\s/@:"'<>]{0,64}:[^\s/@"'<>]{1,128}@/g;

/** One verdict: the shape's id (docs/secrets.md) and the line it starts on (1-based). */
export interface ContentHit {
  shape: string;
  line: number;
}

export interface ContentVerdict {
  hits: ContentHit[];
  /** Hits beyond MAX_FILE_HITS, counted only. */
  more: number;
}

const MAGIC: readonly number[][] = [
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x1f, 0x8b], // gzip
  [0x50, 0x4b, 0x03, 0x04], // zip, jar, wheel
  [0xfd, 0x37, 0x7a, 0x58], // xz
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
  [0x42, 0x5a, 0x68], // bzip2
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x25, 0x50, 0x44, 0x46], // %PDF (its streams are compressed)
  [0x21, 0x3c, 0x61, 0x72, 0x63, 0x68, 0x3e], // !<arch>
];

/** A binary by its head: a known magic, or a NUL in the first SNIFF bytes. */
export function isBinaryHead(head: Uint8Array): boolean {
  const first = head[0];
  for (const m of MAGIC) if (m[0] === first && m.every((b, i) => head[i] === b)) return true;
  return head.subarray(0, SNIFF).indexOf(0) !== -1;
}

/** Documentation and CA bundles: not read (docs/secrets.md, "The allow list"). */
const ALLOWED_DIRS = [
  '/usr/share/doc/',
  '/usr/share/man/',
  '/usr/share/info/',
  '/usr/share/help/',
  '/usr/share/gtk-doc/',
  '/usr/share/locale/',
  '/usr/share/ca-certificates/',
  '/etc/ssl/certs/',
  '/etc/ca-certificates/',
  '/etc/pki/ca-trust/',
  '/etc/pki/tls/certs/',
];
const DOC_FILE = /\/docs?\/(?:[^/]+\/)*[^/]+\.(?:md|rst|txt|html?)$/i;

/** Is this path's content left unread by the allow list? */
export function contentAllowed(path: string): boolean {
  if (path.endsWith('.crt')) return true;
  for (const d of ALLOWED_DIRS) if (path.startsWith(d)) return true;
  return DOC_FILE.test(path);
}

/** Should the content scan read this file at all (size, allow list)? */
export function wantsContent(path: string, size: number): boolean {
  return size >= MIN_SIZE && !contentAllowed(path);
}

/** A private key's header must be followed by its body, so that code naming the header is not a key. */
const KEY_BODY = /^-----(?:\s|\\[rn])+(?:[A-Za-z-]+: [^\n\\]*(?:\s|\\[rn])+)*[A-Za-z0-9+/=]{40}/;

/** A URL password that stands for one in examples and defaults (`user:password@`, `:${PW}@`, `:<pw>@`). */
const STAND_IN =
  /^(?:pass(?:word|wd)?|pwd?|secret|changeme|change_?it|example|test|foo|bar|user|admin|root|guest|demo|dummy|none|null|mypassword|yourpassword|your_password|x+|\*+|\.+)$/i;
function isStandIn(pw: string): boolean {
  return pw.length < 3 || STAND_IN.test(pw) || /[$%{}<>[\]]/.test(pw);
}

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Matches a body piece by piece. Memory: the carried window and at most MAX_FILE_HITS hits. */
export class ContentScanner {
  private read = 0;
  private done = false;
  /** Text carried from the previous piece: anchors from `checked` on still wait for more text. */
  private carry = '';
  private checked = 0;
  /** The line the carry's first character is on. */
  private carryLine = 1;
  // Made on the first hit: most files have none, and this runs for every file of every layer.
  private hits: ContentHit[] | undefined;
  private more = 0;
  /** Offsets of hits already taken (the windows of nearby anchors overlap). */
  private seen: Set<number> | undefined;
  private readonly limit: number;

  constructor(size: number) {
    this.limit = Math.min(size, CONTENT_CAP);
  }

  write(chunk: Buffer): void {
    if (this.done) return;
    if (this.read === 0 && isBinaryHead(chunk)) {
      this.done = true;
      return;
    }
    const n = Math.min(chunk.length, this.limit - this.read);
    this.read += n;
    const last = this.read >= this.limit;
    this.piece(chunk.toString('latin1', 0, n), last);
    if (last) this.done = true;
  }

  /** The verdict; a body cut short (a truncated layer) has what waited for more text matched first. */
  end(): ContentVerdict | undefined {
    if (!this.done && this.carry) this.piece('', true);
    this.done = true;
    this.carry = '';
    if (!this.hits) return undefined;
    return { hits: this.hits, more: this.more };
  }

  private piece(s: string, last: boolean): void {
    const text = this.carry ? this.carry + s : s;
    const base = this.read - text.length;
    // An anchor nearer the end than AFTER waits for the next piece, unless this is the last one.
    const stop = last ? text.length : text.length - AFTER;
    const lineAt = lineCounter(text, this.carryLine);
    if (stop > this.checked) {
      ANCHOR.lastIndex = this.checked;
      for (let m = ANCHOR.exec(text); m && m.index < stop; m = ANCHOR.exec(text)) {
        const from = Math.max(0, m.index - BEFORE);
        this.verify(text.slice(from, m.index + AFTER), base + from, (i) => lineAt(from + i));
      }
    }
    if (last) return;
    // Carried: from BEFORE ahead of the first anchor not yet matched.
    const unchecked = Math.max(this.checked, stop);
    const keep = Math.max(0, unchecked - BEFORE);
    this.carryLine = lineAt(keep);
    this.carry = text.slice(keep);
    this.checked = unchecked - keep;
  }

  private verify(window: string, offset: number, lineOf: (i: number) => number): void {
    for (const span of findContentSecrets(window)) {
      if (span.id === 'private-key' && !KEY_BODY.test(window.slice(window.indexOf('-----', span.start + 11))))
        continue;
      if (span.id === 'url-password' && isStandIn(window.slice(span.start, span.end))) continue;
      // A window cut through a longer run of text shows a false word boundary at its start.
      if (span.start === 0 && offset > 0) continue;
      const abs = offset + span.start;
      const seen = (this.seen ??= new Set());
      if (seen.has(abs)) continue;
      if (seen.size < 4 * MAX_FILE_HITS) seen.add(abs);
      const hits = (this.hits ??= []);
      if (hits.length >= MAX_FILE_HITS) this.more++;
      else hits.push({ shape: span.id, line: lineOf(span.start) });
    }
  }
}

/** Line numbers for offsets in `s` (1-based from `first`), counted incrementally as offsets ascend. */
function lineCounter(s: string, first: number): (to: number) => number {
  let at = 0;
  let line = first;
  return (to: number) => {
    if (to < at) return first + countLines(s, 0, to);
    line += countLines(s, at, to);
    at = to;
    return line;
  };
}

const KINDS = new Map(shapeTable().map((s) => [s.id, s.kind]));

/** A shape's name for messages ("GitHub token"), from its id. */
export function shapeKind(id: string): string {
  return KINDS.get(id) ?? id;
}

/** Runs the content scan over a whole body at once (tests, and records built in memory). */
export function matchContent(path: string, body: Buffer): ContentVerdict | undefined {
  if (!wantsContent(path, body.length)) return undefined;
  const scanner = new ContentScanner(body.length);
  scanner.write(body);
  return scanner.end();
}
