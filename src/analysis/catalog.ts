/**
 * The rule catalog: every finding Slimgate can raise, with a stable id, its category (the fixed list in README's rules section),
 * its default severity, and a one-line remediation. docs/rules.md has an entry (anchor `#sg201`) for each;
 * a unit test checks that the two agree.
 */
import type { Severity } from '../types/report.js';

export type Category =
  | 'size'
  | 'base'
  | 'shell'
  | 'package-manager'
  | 'coreutils'
  | 'privilege'
  | 'permissions'
  | 'toolchain'
  | 'secret'
  | 'waste'
  | 'entrypoint'
  | 'user'
  | 'vcs'
  | 'integrity'
  | 'vulnerability';

export const CATEGORIES: readonly Category[] = [
  'size',
  'base',
  'shell',
  'package-manager',
  'coreutils',
  'privilege',
  'permissions',
  'toolchain',
  'secret',
  'waste',
  'entrypoint',
  'user',
  'vcs',
  'integrity',
  'vulnerability',
];

export interface RuleDef {
  id: string;
  category: Category;
  severity: Severity;
  /** A short name for tables. */
  title: string;
  remediation: string;
}

const DOCS_URL = 'https://github.com/slimgate/slimgate/blob/main/docs/rules.md';

const defs: RuleDef[] = [
  // size: budgets
  {
    id: 'SG101',
    category: 'size',
    severity: 'error',
    title: 'max-size exceeded',
    remediation: 'Drop what the process does not need (build tools, caches, a distro), or raise max-size.',
  },
  {
    id: 'SG102',
    category: 'size',
    severity: 'error',
    title: 'max-compressed-size exceeded',
    remediation: 'Drop what the process does not need, or raise max-compressed-size.',
  },
  {
    id: 'SG103',
    category: 'size',
    severity: 'error',
    title: 'max-layers exceeded',
    remediation: 'Use a multi-stage build and COPY the result into one layer, or raise max-layers.',
  },
  {
    id: 'SG104',
    category: 'size',
    severity: 'error',
    title: 'max-wasted exceeded',
    remediation: 'Delete temporary files in the same RUN that creates them, or use a multi-stage build.',
  },
  {
    id: 'SG105',
    category: 'size',
    severity: 'error',
    title: 'max-growth exceeded',
    remediation: 'Find what grew in the diff against the baseline, or raise max-growth.',
  },
  // base
  {
    id: 'SG110',
    category: 'base',
    severity: 'error',
    title: 'base not allowed',
    remediation:
      'Build FROM scratch (or a distroless base) and COPY only the binary and its data from a build stage.',
  },
  // shell, package managers, coreutils
  {
    id: 'SG201',
    category: 'shell',
    severity: 'error',
    title: 'shell present',
    remediation: 'Use a base without a shell (scratch or distroless) and the exec form of ENTRYPOINT/CMD.',
  },
  {
    id: 'SG202',
    category: 'shell',
    severity: 'error',
    title: 'busybox present',
    remediation: 'Remove busybox: it is a shell and a hundred tools in one binary.',
  },
  {
    id: 'SG210',
    category: 'package-manager',
    severity: 'error',
    title: 'package manager present',
    remediation:
      'Install packages in a build stage and copy only the results into a scratch or distroless stage.',
  },
  {
    id: 'SG220',
    category: 'coreutils',
    severity: 'warning',
    title: 'coreutils present',
    remediation: 'A process-like image needs no ls, chmod or cp: use a scratch or distroless final stage.',
  },
  // privilege, permissions, user
  {
    id: 'SG301',
    category: 'privilege',
    severity: 'error',
    title: 'setuid/setgid file',
    remediation: 'Remove the file or clear the bit (chmod u-s,g-s) in the build stage.',
  },
  {
    id: 'SG302',
    category: 'privilege',
    severity: 'error',
    title: 'privilege escalation tool',
    remediation:
      'Remove sudo, su and doas: a container gets its privileges from the runtime, not from inside.',
  },
  {
    id: 'SG310',
    category: 'permissions',
    severity: 'warning',
    title: 'world-writable path',
    remediation: 'chmod o-w the path (or give the directory the sticky bit, as /tmp has).',
  },
  {
    id: 'SG320',
    category: 'user',
    severity: 'warning',
    title: 'runs as root',
    remediation: 'Add USER with a non-root uid, e.g. USER 65532:65532.',
  },
  {
    id: 'SG321',
    category: 'user',
    severity: 'error',
    title: 'USER not resolvable',
    remediation: 'Use a numeric USER uid[:gid], or add the user and group to /etc/passwd and /etc/group.',
  },
  // toolchain, vcs
  {
    id: 'SG401',
    category: 'toolchain',
    severity: 'warning',
    title: 'build toolchain present',
    remediation: 'Compile in a build stage and copy only the binary into the final stage.',
  },
  {
    id: 'SG402',
    category: 'toolchain',
    severity: 'warning',
    title: 'build toolchain packages installed',
    remediation:
      'Install compilers and -dev packages in a build stage (FROM … AS build) and COPY only the result into the final stage.',
  },
  {
    id: 'SG403',
    category: 'toolchain',
    severity: 'warning',
    title: 'devDependencies shipped',
    remediation:
      'Install production dependencies only in the final stage (npm ci --omit=dev, yarn workspaces focus --production, pnpm install --prod).',
  },
  {
    id: 'SG410',
    category: 'vcs',
    severity: 'warning',
    title: '.git directory',
    remediation: 'Add .git to .dockerignore, or COPY only what the process needs.',
  },
  // secrets
  {
    id: 'SG501',
    category: 'secret',
    severity: 'error',
    title: 'private key',
    remediation:
      'Remove the key and rotate it; mount keys at run time (a secret volume) instead of baking them in.',
  },
  {
    id: 'SG502',
    category: 'secret',
    severity: 'error',
    title: 'credential file',
    remediation:
      'Remove the file and rotate the credential; use build secrets (RUN --mount=type=secret) instead.',
  },
  {
    id: 'SG503',
    category: 'secret',
    severity: 'error',
    title: 'secret in ENV',
    remediation:
      'Pass secrets through the runtime environment, not ENV in the image; rotate the baked-in value.',
  },
  {
    id: 'SG504',
    category: 'secret',
    severity: 'error',
    title: 'token in ENV',
    remediation: 'Remove the token from the image config and revoke it; pass it at run time instead.',
  },
  {
    id: 'SG505',
    category: 'secret',
    severity: 'error',
    title: 'secret in build history',
    remediation:
      'Use RUN --mount=type=secret instead of build args for secrets, and revoke the leaked value.',
  },
  {
    id: 'SG506',
    category: 'secret',
    severity: 'error',
    title: 'secret in ENTRYPOINT or CMD',
    remediation:
      'Pass the credential through the runtime environment or a mounted secret, not the command line; rotate it.',
  },
  {
    id: 'SG507',
    category: 'secret',
    severity: 'error',
    title: 'token in a file',
    remediation:
      'Remove the token from the file (and from every layer that ships it) and revoke it; read it at run time instead.',
  },
  {
    id: 'SG508',
    category: 'secret',
    severity: 'warning',
    title: 'URL with a password in a file',
    remediation:
      'Take the password out of the URL in the file and rotate it; pass it at run time (an environment variable or a mounted secret).',
  },
  {
    id: 'SG510',
    category: 'secret',
    severity: 'error',
    title: 'secret in Go build settings',
    remediation:
      'Do not pass secrets with -ldflags "-X …": every build setting is readable in the binary (go version -m). Rotate the value and read it at run time.',
  },
  {
    id: 'SG509',
    category: 'secret',
    severity: 'info',
    title: 'test-fixture key',
    remediation:
      'A private key under a test-fixture path of a toolchain or library; drop the toolchain from the final stage to be rid of it.',
  },
  // waste
  {
    id: 'SG601',
    category: 'waste',
    severity: 'warning',
    title: 'package cache',
    remediation:
      'Clean the cache in the same RUN that fills it (e.g. rm -rf /var/lib/apt/lists/*), or use a cache mount.',
  },
  {
    id: 'SG602',
    category: 'waste',
    severity: 'warning',
    title: 'documentation',
    remediation: 'Exclude docs and man pages (dpkg path-exclude, apk --no-doc) or use a multi-stage build.',
  },
  {
    id: 'SG603',
    category: 'waste',
    severity: 'warning',
    title: 'wasted bytes',
    remediation:
      'Delete files in the same RUN that creates them; a later layer cannot shrink an earlier one.',
  },
  {
    id: 'SG604',
    category: 'waste',
    severity: 'warning',
    title: 'deleted package still shipped',
    remediation:
      'Remove the package in the RUN that installs it (apt-get purge, apk del), or do not install it in the final stage.',
  },
  {
    id: 'SG620',
    category: 'waste',
    severity: 'warning',
    title: 'debug info in an executable',
    remediation:
      'Strip the binary in the build stage: go build -ldflags="-s -w", or strip --strip-unneeded (or link with -s).',
  },
  // entrypoint
  {
    id: 'SG701',
    category: 'entrypoint',
    severity: 'error',
    title: 'nothing to run',
    remediation: 'Set ENTRYPOINT (exec form) to the binary, e.g. ENTRYPOINT ["/app"].',
  },
  {
    id: 'SG702',
    category: 'entrypoint',
    severity: 'error',
    title: 'entrypoint not executable',
    remediation: 'COPY the binary to the path the ENTRYPOINT names, with mode 0755.',
  },
  {
    id: 'SG703',
    category: 'entrypoint',
    severity: 'error',
    title: 'wrong architecture',
    remediation: 'Build the binary for the image platform (e.g. GOARCH, --platform, a cross compiler).',
  },
  {
    id: 'SG704',
    category: 'entrypoint',
    severity: 'error',
    title: 'dynamic loader missing',
    remediation:
      'Link statically (CGO_ENABLED=0, -static), or use a base that has the loader and libc (distroless/base).',
  },
  {
    id: 'SG705',
    category: 'entrypoint',
    severity: 'warning',
    title: 'shared library missing',
    remediation: 'Copy the library into the image, or link statically.',
  },
  {
    id: 'SG706',
    category: 'entrypoint',
    severity: 'error',
    title: 'script interpreter missing',
    remediation: 'Ship the interpreter, or replace the script with a compiled binary.',
  },
  {
    id: 'SG707',
    category: 'entrypoint',
    severity: 'error',
    title: 'shell form without a shell',
    remediation: 'Use the exec form: ENTRYPOINT ["/app", "arg"] instead of ENTRYPOINT /app arg.',
  },
  {
    id: 'SG708',
    category: 'entrypoint',
    severity: 'error',
    title: 'not an executable format',
    remediation: 'Point ENTRYPOINT at a native binary for the platform, or at a script with a #! line.',
  },
  {
    id: 'SG709',
    category: 'entrypoint',
    severity: 'info',
    title: 'entrypoint not fully checked',
    remediation: 'Nothing to do; Slimgate reads only the first bytes of each binary.',
  },
  // vulnerability: OSV look-ups (src/vulns/)
  {
    id: 'SG801',
    category: 'vulnerability',
    severity: 'info',
    title: 'known vulnerability',
    remediation:
      'Upgrade the package to the fixed version (or rebuild on a patched base), or waive the id in .slimgate.yml with a reason and an until date.',
  },
  {
    id: 'SG802',
    category: 'vulnerability',
    severity: 'warning',
    title: 'vulnerabilities not checked',
    remediation:
      'Let the runner reach the OSV API (osv-url, HTTPS_PROXY), or run again; set vulnerabilities-unchecked: fail to block on it.',
  },
  {
    id: 'SG803',
    category: 'vulnerability',
    severity: 'warning',
    title: 'vulnerability waiver expired',
    remediation:
      'Fix the vulnerability, or renew the waiver in .slimgate.yml with a new until date and reason.',
  },
  // integrity
  {
    id: 'SG901',
    category: 'integrity',
    severity: 'error',
    title: 'path escapes the root',
    remediation:
      'Rebuild the layer with a normal tool; a ".." entry is a sign of a hand-crafted or malicious tar.',
  },
  {
    id: 'SG902',
    category: 'integrity',
    severity: 'warning',
    title: 'symlink loop',
    remediation: 'Fix the symlinks in the parent path; the entry cannot be extracted.',
  },
  {
    id: 'SG903',
    category: 'integrity',
    severity: 'warning',
    title: 'dangling hard link',
    remediation: 'Make the hard link point at a file that exists in this or a lower layer.',
  },
  {
    id: 'SG905',
    category: 'integrity',
    severity: 'warning',
    title: 'symlink climbs out of the root',
    remediation:
      'Make the symlink target stay inside the image (a relative path without "..", or an absolute path); tools that extract on a host could follow it out.',
  },
  {
    id: 'SG904',
    category: 'integrity',
    severity: 'warning',
    title: 'parent is not a directory',
    remediation: 'A lower layer has a file where this entry needs a directory; remove one of them.',
  },
  {
    id: 'SG906',
    category: 'integrity',
    severity: 'warning',
    title: 'name is not valid UTF-8',
    remediation:
      'Rename the file with a UTF-8 name; tools downstream (JSON, terminals, logs) mangle other bytes, and it can make two names look alike.',
  },
  {
    id: 'SG907',
    category: 'integrity',
    severity: 'error',
    title: 'name or path too long',
    remediation:
      'Shorten the path: a name over 255 bytes or a path or link target over 4095 bytes cannot be extracted on Linux (ENAMETOOLONG).',
  },
  {
    id: 'SG908',
    category: 'integrity',
    severity: 'error',
    title: 'path too deep',
    remediation:
      'Flatten the directory tree, and list parent directories in the layer: no real image nests files over 256 directories deep.',
  },
];

export const RULES: ReadonlyMap<string, RuleDef> = new Map(defs.map((d) => [d.id, d]));

export function rule(id: string): RuleDef {
  const r = RULES.get(id);
  if (!r) throw new Error(`unknown rule ${id}`);
  return r;
}

export function ruleDocUrl(id: string): string {
  return `${DOCS_URL}#${id.toLowerCase()}`;
}

/** True for a rule id (SG201) or a category name (shell). */
export function isRuleKey(key: string): boolean {
  return RULES.has(key.toUpperCase()) || (CATEGORIES as readonly string[]).includes(key.toLowerCase());
}
