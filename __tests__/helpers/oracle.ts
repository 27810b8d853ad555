// The oracle: umoci, an independent unpacker that applies whiteouts and hard links as the OCI image spec
// says. We unpack an OCI layout with it and walk the result with lstat, into records that can be compared
// with the `files` of a Slimgate report.
import { lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReportFile } from '../../src/types/report.js';
import { run } from './world.js';

type FsType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface FsRecord {
  /** Absolute path inside the image ("/bin/sh"), decoded as UTF-8 (see `pathBytes` for other names). */
  path: string;
  /** The path's exact bytes, as the kernel has them. */
  pathBytes: Buffer;
  /** A symlink target's exact bytes; null for everything else. */
  linkBytes: Buffer | null;
  type: FsType;
  /** Size of a regular file; 0 for everything else. */
  size: number;
  /** Permission bits with setuid/setgid/sticky, as 4-digit octal ("0755", "4755"). */
  mode: string;
  uid: number;
  gid: number;
  /** Symlink target as stored; null for everything else. */
  link: string | null;
  nlink: number;
  /** `dev:ino`, to tell hard-linked paths apart from copies. */
  inode: string;
}

/** The fields a report and the oracle can both speak to. */
export type Comparable = Pick<FsRecord, 'path' | 'type' | 'size' | 'mode' | 'uid' | 'gid' | 'link'>;

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function typeOf(st: Stats): FsType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

/** Walks a root file system with lstat (never following symlinks), sorted by path; skips the root. */
function walkRootfs(rootfs: string): FsRecord[] {
  const out: FsRecord[] = [];
  // Names are read as bytes: a name that is not UTF-8 must not be decoded (and merged) on our side either.
  const walk = (dir: Buffer, rel: Buffer): void => {
    const names = readdirSync(dir, { encoding: 'buffer' }).sort(byName);
    for (const name of names) {
      const abs = Buffer.concat([dir, SLASH, name]);
      const p = Buffer.concat([rel, SLASH, name]);
      const st = lstatSync(abs);
      const type = typeOf(st);
      const linkBytes = type === 'symlink' ? readlinkSync(abs, { encoding: 'buffer' }) : null;
      out.push({
        path: p.toString('utf8'),
        pathBytes: p,
        linkBytes,
        type,
        size: type === 'file' ? st.size : 0,
        mode: octal(st.mode),
        uid: st.uid,
        gid: st.gid,
        link: linkBytes ? linkBytes.toString('utf8') : null,
        nlink: st.nlink,
        inode: `${st.dev}:${st.ino}`,
      });
      if (type === 'dir') walk(abs, p);
    }
  };
  walk(Buffer.from(rootfs), Buffer.alloc(0));
  return out;
}

const SLASH = Buffer.from('/');

/** As before names were bytes (a sort of the decoded strings), with the bytes breaking ties. */
function byName(a: Buffer, b: Buffer): number {
  const x = a.toString();
  const y = b.toString();
  return x < y ? -1 : x > y ? 1 : Buffer.compare(a, b);
}

export interface Unpacked {
  bundle: string;
  rootfs: string;
  records: FsRecord[];
  /** Removes the bundle. */
  remove(): void;
}

/**
 * `umoci unpack --image DIR:REF BUNDLE` (as root, so owners and devices are real), then walks rootfs.
 *
 * umoci creates the parent directories that a layer does not list with mode 0777 minus the umask, so it
 * runs under umask 022: the 0755 that Slimgate (like containerd) reports for such directories.
 */
export function umociUnpack(ociDir: string, ref: string): Unpacked {
  if (process.getuid?.() !== 0) throw new Error('the umoci oracle needs root (owners, devices, setuid bits)');
  const parent = mkdtempSync(path.join(tmpdir(), 'slimgate-umoci-'));
  const bundle = path.join(parent, 'bundle');
  const script = 'umask 022 && exec umoci unpack --image "$1" "$2"';
  run('sh', ['-c', script, 'umoci', `${ociDir}:${ref}`, bundle], { timeout: 120_000 });
  const rootfs = path.join(bundle, 'rootfs');
  return {
    bundle,
    rootfs,
    records: walkRootfs(rootfs),
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** Oracle records in the comparable shape. */
export function fromOracle(records: readonly FsRecord[]): Comparable[] {
  return records
    .map(({ path: p, type, size, mode, uid, gid, link }) => ({ path: p, type, size, mode, uid, gid, link }))
    .sort(byPath);
}

/**
 * Report files in the comparable shape. A hard link is a regular file on disk (umoci links it to its
 * target), so "hardlink" compares as "file", and its `link` (the target path) is not a symlink target.
 */
export function fromReport(files: readonly ReportFile[]): Comparable[] {
  return files
    .map((f) => ({
      path: f.path,
      type: f.type === 'hardlink' ? ('file' as const) : f.type,
      size: f.type === 'file' || f.type === 'hardlink' ? f.size : 0,
      mode: f.mode,
      uid: f.uid,
      gid: f.gid,
      link: f.type === 'symlink' ? f.link : null,
    }))
    .sort(byPath);
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Bytes of regular files, each inode once: what `size.uncompressed` must be. */
export function distinctInodeBytes(records: readonly FsRecord[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const r of records) {
    if (r.type !== 'file' || seen.has(r.inode)) continue;
    seen.add(r.inode);
    total += r.size;
  }
  return total;
}
