/**
 * Which file contents a scan keeps. Bodies are drained unread except for a small head of the files that
 * rules need, so memory grows with the number of files, never with their bytes: every head is capped.
 *
 * | files                                                        | kept          | read by                    |
 * | ------------------------------------------------------------ | ------------- | -------------------------- |
 * | executables and files under a bin/ or sbin/ directory        | 4 KiB         | entrypoint (ELF, #!)       |
 * | /etc/os-release, /usr/lib/os-release                         | 16 KiB        | base                       |
 * | /var/lib/dpkg/status, [/usr]/lib/apk/db/installed             | a count       | base                       |
 * | every file a format module matches (src/formats/index.ts):   | what it       | owners, base               |
 * | dpkg, apk, rpm, npm, Python (dist-info, egg-info), gems,     | parses; a     |                            |
 * | Java archives, .deps.json, Composer, conda-meta              | Java archive  |                            |
 * |                                                              | is held up to |                            |
 * |                                                              | 64 MiB        |                            |
 * | /etc/passwd, /etc/group                                      | 16 KiB        | user (USER name → uid)     |
 * | /etc/ld.so.conf, /etc/ld.so.conf.d/*, /etc/ld-musl-*.path    | 4 KiB         | entrypoint (library dirs)  |
 * | secret candidates: *.pem, *.key, id_rsa…, .npmrc, .netrc,    | a verdict     | secret (secret-files.ts)   |
 * | .git-credentials, .pypirc, .env, *.env, .aws/credentials,    | only; the     |                            |
 * | .docker/config.json, .kube/config, and their backups         | body is read  |                            |
 * |                                                              | up to 1 MiB   |                            |
 *
 * 4 KiB holds the ELF header, the program headers and the PT_INTERP path of practically every binary
 * (measured on Debian bookworm's /usr/bin, /usr/sbin and /usr/lib: 1114 of 1117 ELF files; the others are
 * shared libraries whose PT_INTERP string sits near their end). DT_NEEDED lives in the dynamic segment,
 * which linkers put after the code: even 16 KiB reaches it for only 16% of those files and 64 KiB for 55%,
 * so a bigger head would multiply memory for little. Slimgate reads DT_NEEDED when it is within the head
 * and says so when it is not.
 */
import type { FileMatch } from '../formats/contract.js';
import { matchFile } from '../formats/index.js';
import { secretFileKind, type SecretFileKind } from './secret-files.js';

export interface HeadSpec {
  /** Keep up to this many leading bytes. */
  keep: number;
  /** Count records in a package database: occurrences of this marker at the start of a line. */
  countLines?: string;
  /** Match the body line by line for secrets of this kind, keeping only the verdict. */
  secrets?: SecretFileKind;
  /** An executable: if it is ELF, read its sections and Go build info as it streams (elf-probe.ts). */
  elf?: boolean;
  /** Read the body as this format module's file, keeping what it parses (src/formats/). */
  packages?: FileMatch;
}

/** ELF program headers (for PT_INTERP) sit within the first few KiB of any real binary. */
export const EXEC_HEAD = 4096;
const OS_RELEASE_HEAD = 16 * 1024;
const ID_FILE_HEAD = 16 * 1024;
const SMALL_HEAD = 4096;

function isLinkerConfig(path: string): boolean {
  return (
    path === '/etc/ld.so.conf' ||
    path.startsWith('/etc/ld.so.conf.d/') ||
    (path.startsWith('/etc/ld-musl-') && path.endsWith('.path'))
  );
}

/** Every named file above lives under one of these: other paths skip the lookups (this runs per file). */
function maybeNamed(path: string): boolean {
  return (
    path.startsWith('/etc/') ||
    path.startsWith('/usr/lib/') ||
    path.startsWith('/var/lib/') ||
    path.startsWith('/lib/')
  );
}

export function headSpec(path: string, mode: number): HeadSpec | undefined {
  const spec = namedSpec(path, mode);
  const packages = matchFile(path);
  if (!packages) return spec;
  const out: HeadSpec = spec ? { ...spec, packages } : { keep: 0, packages };
  if (packages.countLines) out.countLines = packages.countLines;
  return out;
}

function namedSpec(path: string, mode: number): HeadSpec | undefined {
  if (maybeNamed(path)) {
    if (path === '/etc/os-release' || path === '/usr/lib/os-release') return { keep: OS_RELEASE_HEAD };
    if (path === '/etc/passwd' || path === '/etc/group') return { keep: ID_FILE_HEAD };
    if (isLinkerConfig(path)) return { keep: SMALL_HEAD };
  }
  const exec = mode & 0o111 || path.includes('/bin/') || path.includes('/sbin/');
  const secrets = secretFileKind(path);
  if (secrets) return exec ? { keep: EXEC_HEAD, secrets, elf: true } : { keep: 0, secrets };
  if (exec) return { keep: EXEC_HEAD, elf: true };
  return undefined;
}
