/**
 * Commands in the image: executables that a shell (or an attacker with one) would find by name. A command
 * is an entry in a bin directory (any directory named bin or sbin, or on the image's PATH) that resolves,
 * inside the image, to a regular file with an exec bit.
 */
import type { FlatFile } from '../flatten/flatten.js';
import { basename, dirname, type ImageFs, isExecutable } from './fsview.js';

/** Docker's default PATH when the image config sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function envValue(env: readonly string[], name: string): string | undefined {
  for (let i = env.length - 1; i >= 0; i--) {
    const e = env[i] as string;
    if (e.startsWith(`${name}=`)) return e.slice(name.length + 1);
  }
  return undefined;
}

export function pathDirs(env: readonly string[]): string[] {
  return (envValue(env, 'PATH') ?? DEFAULT_PATH).split(':').filter((d) => d.startsWith('/'));
}

export interface Command {
  /** The path as it is stored (e.g. /bin/sh). */
  path: string;
  name: string;
  /** Where it resolves to (e.g. /bin/dash), a regular file. */
  target: FlatFile;
}

export function listCommands(fs: ImageFs, env: readonly string[]): Command[] {
  const dirs = new Set<string>();
  for (const d of pathDirs(env)) {
    const r = fs.resolve(d);
    if (r.ok && r.file.type === 'dir') dirs.add(r.path);
  }
  const out: Command[] = [];
  for (const f of fs.files) {
    if (f.type === 'dir' || f.type === 'char' || f.type === 'block' || f.type === 'fifo') continue;
    const dir = dirname(f.path);
    const dn = basename(dir);
    if (!(dn === 'bin' || dn === 'sbin' || dirs.has(dir))) continue;
    // A hard link shares its target's inode: group it under the target's path.
    const target =
      f.type === 'symlink' ? fs.regular(f.path) : f.type === 'hardlink' ? (fs.get(f.link ?? '') ?? f) : f;
    if (!target || !isExecutable(target)) continue;
    out.push({ path: f.path, name: basename(f.path), target });
  }
  return out;
}

const SHELLS = new Set([
  'sh',
  'bash',
  'rbash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'ksh93',
  'mksh',
  'lksh',
  'pdksh',
  'yash',
  'posh',
  'csh',
  'tcsh',
  'fish',
]);

const PACKAGE_MANAGERS = new Set([
  'apt',
  'apt-get',
  'aptitude',
  'dpkg',
  'apk',
  'rpm',
  'yum',
  'dnf',
  'microdnf',
  'tdnf',
  'zypper',
  'pacman',
  'pipx',
  'npm',
  'pnpm',
  'yarn',
  'gem',
  'conda',
  'mamba',
]);

export function isShell(name: string): boolean {
  return SHELLS.has(name);
}

export function isBusybox(name: string): boolean {
  return name === 'busybox';
}

export function isPackageManager(name: string): boolean {
  return PACKAGE_MANAGERS.has(name) || /^pip[0-9.]*$/.test(name);
}

const COREUTILS = new Set([
  'ls',
  'chmod',
  'chown',
  'chgrp',
  'cp',
  'mv',
  'rm',
  'ln',
  'mkdir',
  'rmdir',
  'touch',
  'cat',
  'dd',
  'df',
  'du',
  'head',
  'tail',
  'chroot',
  'find',
  'xargs',
  'grep',
  'egrep',
  'fgrep',
  'sed',
  'awk',
  'gawk',
  'mawk',
  'tar',
  'gzip',
  'wget',
  'curl',
  'nc',
  'netcat',
  'ps',
  'kill',
  'mount',
  'umount',
]);

export function isCoreutil(name: string): boolean {
  return COREUTILS.has(name);
}

const TOOLCHAIN =
  /^(?:[a-z0-9_]+-(?:linux|pc|unknown|w64)[a-z0-9_-]*-)?(?:gcc|g\+\+|cc|c\+\+|cpp|clang|clang\+\+|ld|ld\.bfd|ld\.gold|ld\.lld|lld|as|go|rustc|cargo|javac|make|gmake|cmake|ninja|tcc|gfortran)(?:-\d+(?:\.\d+)*)?$/;

export function isToolchain(name: string): boolean {
  return TOOLCHAIN.test(name);
}

export const ESCALATION = new Set(['sudo', 'su', 'doas', 'pkexec']);
