/**
 * Which file contents a scan keeps. Bodies are drained unread except for a small head of the files that
 * rules need, so memory grows with the number of files, never with their bytes.
 */
export interface HeadSpec {
  /** Keep up to this many leading bytes. */
  keep: number;
  /** Count records in a package database: occurrences of this marker at the start of a line. */
  countLines?: string;
}

/** ELF program headers (for PT_INTERP) sit within the first few KiB of any real binary. */
export const EXEC_HEAD = 4096;
const OS_RELEASE_HEAD = 16 * 1024;

const PACKAGE_DBS: Record<string, string> = {
  '/var/lib/dpkg/status': 'Package:',
  '/lib/apk/db/installed': 'P:',
};

export function headSpec(path: string, mode: number): HeadSpec | undefined {
  if (path === '/etc/os-release' || path === '/usr/lib/os-release') return { keep: OS_RELEASE_HEAD };
  const marker = PACKAGE_DBS[path];
  if (marker) return { keep: 0, countLines: marker };
  if (mode & 0o111 || path.includes('/bin/') || path.includes('/sbin/')) return { keep: EXEC_HEAD };
  return undefined;
}
