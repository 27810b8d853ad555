/**
 * Which file contents a scan keeps. Bodies are drained unread except for a small head of the files that
 * rules need, so memory grows with the number of files, never with their bytes: every head is capped.
 *
 * | files                                                        | kept          | read by                    |
 * | ------------------------------------------------------------ | ------------- | -------------------------- |
 * | executables and files under a bin/ or sbin/ directory        | 4 KiB         | entrypoint (ELF, #!)       |
 * | /etc/os-release, /usr/lib/os-release                         | 16 KiB        | base                       |
 * | /var/lib/dpkg/status, [/usr]/lib/apk/db/installed             | a count only  | base                       |
 * | /etc/passwd, /etc/group                                      | 16 KiB        | user (USER name → uid)     |
 * | /etc/ld.so.conf, /etc/ld.so.conf.d/*, /etc/ld-musl-*.path    | 4 KiB         | entrypoint (library dirs)  |
 * | secret candidates: *.pem, *.key, id_rsa…, .npmrc, .netrc,    | 4 KiB         | secret                     |
 * | .git-credentials, .pypirc, .env*, .aws/credentials,          |               |                            |
 * | .docker/config.json                                          |               |                            |
 *
 * 4 KiB holds the ELF header, the program headers and the PT_INTERP path of practically every binary
 * (measured on Debian bookworm's /usr/bin, /usr/sbin and /usr/lib: 1114 of 1117 ELF files; the others are
 * shared libraries whose PT_INTERP string sits near their end). DT_NEEDED lives in the dynamic segment,
 * which linkers put after the code: even 16 KiB reaches it for only 16% of those files and 64 KiB for 55%,
 * so a bigger head would multiply memory for little. Slimgate reads DT_NEEDED when it is within the head
 * and says so when it is not.
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
const ID_FILE_HEAD = 16 * 1024;
const SMALL_HEAD = 4096;

const PACKAGE_DBS: Record<string, string> = {
  '/var/lib/dpkg/status': 'Package:',
  '/lib/apk/db/installed': 'P:',
  // usr-merged Alpine/Wolfi: /lib is a symlink to usr/lib, so the database is stored under /usr/lib.
  '/usr/lib/apk/db/installed': 'P:',
};

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Files whose content the secret rules read: key files and the credential files of common tools. */
export function isSecretCandidate(path: string): boolean {
  const name = baseName(path);
  if (/\.(?:pem|key|p8|pk8)$/i.test(name)) return true;
  if (/^id_(?:rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk|xmss)$/.test(name)) return true;
  if (/^(?:\.npmrc|\.netrc|_netrc|\.git-credentials|\.pypirc|\.dockercfg)$/.test(name)) return true;
  if (name === '.env' || /^\.env\.[\w.-]+$/.test(name)) return true;
  return path.endsWith('/.aws/credentials') || path.endsWith('/.docker/config.json');
}

function isLinkerConfig(path: string): boolean {
  return (
    path === '/etc/ld.so.conf' ||
    path.startsWith('/etc/ld.so.conf.d/') ||
    (path.startsWith('/etc/ld-musl-') && path.endsWith('.path'))
  );
}

export function headSpec(path: string, mode: number): HeadSpec | undefined {
  if (path === '/etc/os-release' || path === '/usr/lib/os-release') return { keep: OS_RELEASE_HEAD };
  const marker = PACKAGE_DBS[path];
  if (marker) return { keep: 0, countLines: marker };
  if (path === '/etc/passwd' || path === '/etc/group') return { keep: ID_FILE_HEAD };
  if (isLinkerConfig(path) || isSecretCandidate(path)) return { keep: SMALL_HEAD };
  if (mode & 0o111 || path.includes('/bin/') || path.includes('/sbin/')) return { keep: EXEC_HEAD };
  return undefined;
}
