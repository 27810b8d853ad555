// Tar writing and reading for the image tests, with tar-stream: an implementation independent of the
// engine's own tar parser. Archives in these tests are small (a few MB), so whole buffers are fine here.
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import type { TarEntry } from './tar.js';

const TO_STREAM_TYPE: Record<string, tar.Header['type']> = {
  file: 'file',
  dir: 'directory',
  symlink: 'symlink',
  hardlink: 'link',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
};

/** What only the raw writer (tar() in helpers/tar.ts) writes: hostile forms, not conventional archives. */
const RAW_ONLY = [
  'size',
  'mtime',
  'pax',
  'paxGlobal',
  'longName',
  'longLink',
  'base256',
  'badChecksum',
  'prefix',
  'magic',
  'headerName',
  'headerLinkname',
] as const;

const MTIME = new Date('2024-01-02T03:04:05Z');

/** Packs entries, in the order given, into a tar as tar-stream writes it (with the end-of-archive marker). */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const raw = RAW_ONLY.filter((k) => e[k] !== undefined);
    if (!TO_STREAM_TYPE[type] || raw.length)
      throw new Error(
        `packTar writes conventional entries: use tar() for ${e.name} (${[type, ...raw].join(', ')})`,
      );
    const body = type === 'file' ? Buffer.from(e.body ?? '') : undefined;
    const header: Partial<tar.Header> & { name: string } = {
      name: e.name,
      type: TO_STREAM_TYPE[type],
      mode: e.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: MTIME,
      size: body?.length ?? 0,
    };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    if (e.devmajor !== undefined) header.devmajor = e.devmajor;
    if (e.devminor !== undefined) header.devminor = e.devminor;
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body) pack.entry(header, body, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface ReadEntry {
  name: string;
  type: string;
  linkname: string | null;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  data: Buffer;
}

/** Reads every entry of a tar held in memory, in stream order. */
export async function readTar(buf: Buffer): Promise<ReadEntry[]> {
  const extract = tar.extract();
  const out: ReadEntry[] = [];
  const reading = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const c of entry) parts.push(c as Buffer);
      const h = entry.header;
      out.push({
        name: h.name,
        type: h.type ?? 'file',
        linkname: h.linkname ?? null,
        size: h.size ?? 0,
        mode: h.mode ?? 0,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
        data: Buffer.concat(parts),
      });
    }
  })();
  extract.end(buf);
  await reading;
  return out;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function hexOf(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1]!;
}
