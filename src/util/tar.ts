/**
 * A push parser for tar streams. It decodes headers (ustar, pax, GNU long names, base-256 numbers) and
 * hands body bytes to a per-entry sink as sub-arrays of the input: no stream per entry and no copy, which
 * is what makes a layer scan run near the speed of decompression.
 */
import { InputError } from './errors.js';
import { decodeName } from './names.js';

export type TarType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarHeader {
  /** The name's bytes, kept losslessly (src/util/names.ts), as is `linkname`. */
  name: string;
  type: TarType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  mtime: number;
}

/** Receives an entry's body bytes. A returned promise applies backpressure to the parser. */
export interface BodySink {
  write(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

export type EntryHandler = (header: TarHeader) => BodySink | undefined;

const BLOCK = 512;
/** pax and GNU long-name bodies are buffered; a larger one is not a real header. */
const MAX_META = 1 << 20;

const TYPES: Record<string, TarType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

type Meta = { kind: 'pax' | 'paxGlobal' | 'longName' | 'longLink'; parts: Buffer[]; size: number };

export class TarParser {
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Body bytes still to come for the current entry, then padding to skip. */
  private bodyLeft = 0;
  private padLeft = 0;
  private sink: BodySink | undefined;
  private meta: Meta | undefined;
  private pax: Record<string, string> = {};
  private paxGlobal: Record<string, string> = {};
  private longName: string | undefined;
  private longLink: string | undefined;
  private zeroBlocks = 0;
  private ended = false;
  private offset = 0;
  /** Entries seen, for error messages and tests. */
  entries = 0;

  constructor(
    private readonly onEntry: EntryHandler,
    private readonly label = 'tar stream',
  ) {}

  get done(): boolean {
    return this.ended;
  }

  async push(chunk: Buffer): Promise<void> {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.ended) return; // bytes after the end-of-archive marker are ignored, as tar does
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, len - pos);
        // Most bodies are skipped: a view of the bytes is made only for a sink or a meta header.
        if (this.meta) {
          this.meta.parts.push(Buffer.from(chunk.subarray(pos, pos + n)));
        } else if (this.sink) {
          const r = this.sink.write(chunk.subarray(pos, pos + n));
          if (r) await r;
        }
        pos += n;
        this.bodyLeft -= n;
        this.offset += n;
        if (this.bodyLeft === 0) await this.finishBody();
        continue;
      }
      if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, len - pos);
        pos += n;
        this.padLeft -= n;
        this.offset += n;
        continue;
      }
      // Header: parse in place when the whole block is in this chunk, else assemble it.
      let block: Buffer;
      if (this.headerFill === 0 && len - pos >= BLOCK) {
        block = chunk.subarray(pos, pos + BLOCK);
        pos += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.headerFill, len - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + n);
        this.headerFill += n;
        pos += n;
        if (this.headerFill < BLOCK) continue;
        this.headerFill = 0;
        block = this.header;
      }
      this.offset += BLOCK;
      await this.onHeader(block);
    }
  }

  /** Call at end of input: a stream cut inside an entry is an error. */
  finish(): void {
    if (this.ended) return;
    if (this.bodyLeft > 0 || this.padLeft > 0 || this.headerFill > 0) {
      throw new InputError(
        `${this.label} is truncated at byte ${this.offset} (inside entry ${this.entries})`,
      );
    }
    // No end-of-archive marker: tar accepts it, and so do we, once entries ended cleanly.
    this.ended = true;
  }

  private async finishBody(): Promise<void> {
    if (this.meta) {
      const body = Buffer.concat(this.meta.parts);
      const kind = this.meta.kind;
      this.meta = undefined;
      if (kind === 'pax') Object.assign(this.pax, parsePax(body, this.label));
      else if (kind === 'paxGlobal') Object.assign(this.paxGlobal, parsePax(body, this.label));
      else if (kind === 'longName') this.longName = cString(body);
      else this.longLink = cString(body);
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    if (sink) {
      const r = sink.end();
      if (r) await r;
    }
  }

  private async onHeader(block: Buffer): Promise<void> {
    if (isZero(block)) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.ended = true;
      return;
    }
    if (this.zeroBlocks > 0) this.zeroBlocks = 0; // a lone zero block inside an archive: skip it, as GNU tar does
    if (!checksumOk(block)) {
      throw new InputError(
        `${this.label} is corrupt: bad tar header checksum at byte ${this.offset - BLOCK}`,
      );
    }
    const flag = String.fromCharCode(block[156] ?? 0);
    let size = readNumber(block, 124, 12);
    if (size < 0 || !Number.isSafeInteger(size)) {
      throw new InputError(`${this.label} is corrupt: bad entry size at byte ${this.offset - BLOCK}`);
    }
    const padded = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_META) {
        throw new InputError(
          `${this.label} is corrupt: ${size}-byte extended header at byte ${this.offset - BLOCK}`,
        );
      }
      const kind = flag === 'x' ? 'pax' : flag === 'g' ? 'paxGlobal' : flag === 'L' ? 'longName' : 'longLink';
      this.meta = { kind, parts: [], size };
      this.bodyLeft = size;
      this.padLeft = padded(size);
      if (size === 0) await this.finishBody();
      return;
    }

    const pax = { ...this.paxGlobal, ...this.pax };
    this.pax = {};
    let name = pax['path'] ?? this.longName ?? headerName(block);
    let linkname = pax['linkpath'] ?? this.longLink ?? cString(block.subarray(157, 257));
    this.longName = undefined;
    this.longLink = undefined;
    if (pax['size'] !== undefined) size = paxNumber(pax['size'], 'size', this.label);
    const mode = readNumber(block, 100, 8) & 0o7777;
    const uid =
      pax['uid'] !== undefined ? paxNumber(pax['uid'], 'uid', this.label) : readNumber(block, 108, 8);
    const gid =
      pax['gid'] !== undefined ? paxNumber(pax['gid'], 'gid', this.label) : readNumber(block, 116, 8);
    const mtime = pax['mtime'] !== undefined ? Number(pax['mtime']) : readNumber(block, 136, 12);
    // Unknown type flags are regular files (POSIX); GNU 'V' volume labels and 'M' continuations carry no file.
    let type: TarType = TYPES[flag] ?? 'file';
    // As in Go's archive/tar: links, devices, fifos and dirs carry no body, whatever the size field says.
    // A regular-file flag always has one, even on a name that ends in "/" (an old V7 directory).
    const bodySize = type === 'file' ? size : 0;
    if (type === 'file' && name.endsWith('/') && (flag === '\0' || flag === '0')) type = 'dir';
    if (flag === 'V') {
      this.bodyLeft = size;
      this.padLeft = padded(size);
      if (size === 0) await this.finishBody();
      return;
    }
    if (name === '') name = '.';
    if (type !== 'hardlink' && type !== 'symlink') linkname = '';
    this.entries++;
    const header: TarHeader = {
      name,
      type,
      size: type === 'file' ? bodySize : 0,
      mode,
      uid,
      gid,
      linkname,
      mtime,
    };
    this.sink = this.onEntry(header);
    this.bodyLeft = bodySize;
    this.padLeft = padded(bodySize);
    if (bodySize === 0) await this.finishBody();
  }
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 8) {
    if (b.readBigUInt64LE(i) !== 0n) return false;
  }
  return true;
}

function checksumOk(b: Buffer): boolean {
  const stored = readOctal(b, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 32 : (b[i] as number);
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return stored === unsigned || stored === signed;
}

function cBytes(b: Buffer): Buffer {
  const z = b.indexOf(0);
  return z === -1 ? b : b.subarray(0, z);
}

/** A NUL-terminated name field: its bytes, losslessly (never UTF-8 decoded into U+FFFD). */
function cString(b: Buffer): string {
  return decodeName(cBytes(b));
}

function headerName(b: Buffer): string {
  const name = cBytes(b.subarray(0, 100));
  // POSIX ustar ("ustar\0") splits long names into prefix + name; GNU ("ustar  ") uses those bytes otherwise.
  if (b.toString('latin1', 257, 263) === 'ustar\0') {
    const prefix = cBytes(b.subarray(345, 500));
    if (prefix.length) return decodeName(Buffer.concat([prefix, SLASH, name]));
  }
  return decodeName(name);
}

const SLASH = Buffer.from('/');

function readOctal(b: Buffer, off: number, len: number): number {
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 32 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i] as number;
    if (c < 48 || c > 55) break;
    v = v * 8 + (c - 48);
  }
  return v;
}

/** Octal, or GNU base-256 when the high bit of the first byte is set (0x80 positive, 0xff negative). */
function readNumber(b: Buffer, off: number, len: number): number {
  const first = b[off] as number;
  if (first & 0x80) {
    const negative = first === 0xff;
    let v = 0;
    for (let i = 0; i < len; i++) {
      let c = b[off + i] as number;
      if (i === 0) c &= 0x7f;
      if (negative) c ^= 0xff;
      v = v * 256 + c;
    }
    return negative ? -(v + 1) : v;
  }
  return readOctal(b, off, len);
}

function paxNumber(s: string, key: string, label: string): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < 0) throw new InputError(`${label} is corrupt: bad pax ${key} "${s}"`);
  return v;
}

/**
 * pax records: "LEN KEY=VALUE\n", LEN counting the whole record. Values are UTF-8 by the standard, but
 * hdrcharset=BINARY (and real archives) carry any bytes: every value keeps its bytes, as names do.
 */
function parsePax(body: Buffer, label: string): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break;
    const sp = body.indexOf(32, pos);
    if (sp === -1) break;
    const len = Number(body.toString('latin1', pos, sp));
    if (!Number.isSafeInteger(len) || len <= sp - pos || pos + len > body.length) {
      throw new InputError(`${label} is corrupt: bad pax record`);
    }
    const end = pos + len - 1;
    // Only within this record: a search to the body's end would make records without "=" quadratic.
    const at = body.subarray(sp + 1, end).indexOf(61);
    const eq = at === -1 ? -1 : sp + 1 + at;
    if (eq > sp + 1) out[body.toString('latin1', sp + 1, eq)] = decodeName(body.subarray(eq + 1, end));
    pos += len;
  }
  return out;
}
