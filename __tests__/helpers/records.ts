/** Layer entry records, as src/scan/layer.ts produces them, for table tests. */
import type { EntryRecord } from '../../src/scan/layer.js';

export const F = (path: string, size = 0, x: Partial<EntryRecord> = {}): EntryRecord => ({
  path,
  type: 'file',
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
  link: null,
  ...x,
});
export const D = (path: string, x: Partial<EntryRecord> = {}): EntryRecord => ({
  path,
  type: 'dir',
  size: 0,
  mode: 0o755,
  uid: 0,
  gid: 0,
  link: null,
  ...x,
});
export const S = (path: string, target: string): EntryRecord => ({
  path,
  type: 'symlink',
  size: 0,
  mode: 0o777,
  uid: 0,
  gid: 0,
  link: target,
});
/** A hard link; as scan.ts records it, the target is a cleaned absolute path. */
export const H = (path: string, target: string, x: Partial<EntryRecord> = {}): EntryRecord => ({
  path,
  type: 'hardlink',
  size: 0,
  mode: 0o644,
  uid: 0,
  gid: 0,
  link: target,
  ...x,
});
