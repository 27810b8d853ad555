/**
 * Entrypoint viability (pure): what the container will execute, resolved the way runc and the kernel do,
 * and whether it can start. ENTRYPOINT + CMD; the shell form's `/bin/sh -c`; argv0 searched in the config's
 * PATH; relative paths against WORKDIR; symlinks followed inside the image. Then the file itself: an ELF
 * for the image's platform whose PT_INTERP loader is in the image (and, when readable, whose DT_NEEDED
 * libraries are), or a script whose #! interpreter is.
 */
import type { FlatFile } from '../flatten/flatten.js';
import { EXEC_HEAD } from '../scan/heads.js';
import type { EntrypointInfo } from '../types/report.js';
import { redactArgv } from '../util/secret-shapes.js';
import { envValue, isShell, pathDirs } from './commands.js';
import type { DockerfileInfo } from './dockerfile.js';
import { describeElf, isElf, parseElf, parseShebang, PLATFORM_ELF } from './elf.js';
import type { RawFinding } from './finding.js';
import { basename, dirname, type ImageFs, isExecutable } from './fsview.js';

export interface EntrypointContext {
  fs: ImageFs;
  entrypoint: readonly string[] | null;
  cmd: readonly string[] | null;
  env: readonly string[];
  workingDir: string | null;
  platform: { os: string; architecture: string; variant?: string };
  dockerfile?: DockerfileInfo | null;
}

const TRIPLETS: Record<string, string> = {
  amd64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  '386': 'i386-linux-gnu',
  ppc64le: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
  mips64le: 'mips64el-linux-gnuabi64',
};

/** Linux runs a script's interpreter, which may itself be a script, at most this deep. */
const MAX_DEPTH = 4;

function q(argv: readonly string[]): string {
  return JSON.stringify(argv);
}

export function checkEntrypoint(ctx: EntrypointContext): { info: EntrypointInfo; findings: RawFinding[] } {
  const { fs } = ctx;
  const findings: RawFinding[] = [];
  const ep = ctx.entrypoint ?? [];
  const argv = [...ep, ...(ctx.cmd ?? [])];
  const info: EntrypointInfo = {
    // Shown in every report: a credential in the command line (SG506) is redacted here.
    argv: redactArgv(argv),
    resolved: null,
    kind: 'none',
    interpreter: null,
    needed: null,
    evidence: [],
  };
  const df = ctx.dockerfile;
  const line = df ? (ep.length ? df.entrypointLine : df.cmdLine) : null;
  const location = df && line ? { location: { file: df.path, line } } : {};
  const add = (f: RawFinding): void => {
    findings.push({ ...f, ...location });
  };
  const what = ep.length ? 'ENTRYPOINT' : 'CMD';

  if (argv.length === 0 || argv[0] === '') {
    add({ id: 'SG701', message: 'the image has no ENTRYPOINT and no CMD: there is nothing to run' });
    return { info, findings };
  }
  const argv0 = argv[0] as string;
  const cwd = ctx.workingDir || '/';
  const shellForm = argv.length >= 2 && argv[1] === '-c' && isShell(basename(argv0));

  // Resolve argv0: a path (relative to WORKDIR), or a name searched in PATH like execvp/runc's LookPath.
  let file: FlatFile;
  let resolvedPath: string;
  if (argv0.includes('/')) {
    const r = fs.resolve(argv0, cwd);
    if (r.ok) {
      file = r.file;
      resolvedPath = r.path;
      if (r.via.length) info.evidence.push(`${argv0} → ${r.path}`);
    } else {
      const why =
        r.why === 'loop'
          ? 'goes through a symlink loop'
          : r.why === 'not-a-directory'
            ? `has a file where a directory should be (${r.path})`
            : 'is not in the image';
      if (shellForm) {
        info.kind = 'shell-form';
        add({
          id: 'SG707',
          path: argv0,
          message: `${what} uses the shell form (${argv0} -c …), but ${argv0} ${why}`,
        });
      } else {
        info.kind = 'missing';
        add({ id: 'SG702', path: argv0, message: `${what} ${argv0} ${why}` });
      }
      return { info, findings };
    }
  } else {
    const dirs = pathDirs(ctx.env);
    const hit = lookPath(ctx, argv0);
    if (hit) {
      file = hit.file;
      resolvedPath = hit.path;
      info.evidence.push(`${argv0} found in PATH at ${hit.as}${hit.path !== hit.as ? ` → ${hit.path}` : ''}`);
    } else {
      info.kind = shellForm ? 'shell-form' : 'missing';
      add({
        id: shellForm ? 'SG707' : 'SG702',
        path: argv0,
        message: shellForm
          ? `${what} uses the shell form (${argv0} -c …), but there is no ${argv0} in PATH (${dirs.join(':')})`
          : `${what} ${argv0} is not found in PATH (${dirs.join(':')})`,
      });
      return { info, findings };
    }
  }
  info.resolved = resolvedPath;
  if (shellForm) {
    info.kind = 'shell-form';
    info.interpreter = resolvedPath;
    info.evidence.push(`shell form: ${q(info.argv)}`);
  }

  if (file.type === 'dir' || (file.type !== 'file' && file.type !== 'hardlink')) {
    info.kind = 'missing';
    add({
      id: 'SG702',
      path: resolvedPath ?? argv0,
      message: `${what} ${argv0} is a ${file.type === 'dir' ? 'directory' : file.type}, not a program`,
    });
    return { info, findings };
  }
  if (!isExecutable(file)) {
    add({
      id: 'SG702',
      path: resolvedPath ?? argv0,
      message: `${what} ${resolvedPath} is not executable (mode ${(file.mode & 0o7777).toString(8).padStart(4, '0')})`,
    });
    return { info, findings };
  }
  checkProgram(ctx, file, resolvedPath as string, 0, info, add, shellForm);
  return { info, findings };
}

function checkProgram(
  ctx: EntrypointContext,
  file: FlatFile,
  path: string,
  depth: number,
  info: EntrypointInfo,
  add: (f: RawFinding) => void,
  keepKind: boolean,
): void {
  const { fs } = ctx;
  if (file.size === 0) {
    add({ id: 'SG708', path, message: `${path} is an empty file` });
    return;
  }
  const head = file.head;
  if (!head) {
    add({
      id: 'SG709',
      path,
      message: `${path}: its first bytes were not kept by the scan, so it was not checked`,
    });
    return;
  }
  if (isElf(head)) {
    const r = parseElf(head);
    if (!r.ok) {
      add({ id: 'SG708', path, message: `${path} is a corrupt ELF file (${r.error})` });
      return;
    }
    const elf = r.elf;
    info.evidence.push(
      `${path}: ${describeElf(elf)}, ${elf.interp === null ? 'static' : elf.interp ? `loader ${elf.interp}` : 'loader unknown'}`,
    );
    const want = PLATFORM_ELF[ctx.platform.architecture];
    if (want && (want.machine !== elf.machine || want.bits !== elf.bits || want.endian !== elf.endian)) {
      add({
        id: 'SG703',
        path,
        message: `${path} is built for ${describeElf(elf)}, but the image platform is ${ctx.platform.os}/${ctx.platform.architecture} (${describeElf(want)})`,
      });
      return;
    }
    if (elf.type !== 'exec' && elf.type !== 'dyn') {
      add({
        id: 'SG708',
        path,
        message: `${path} is an ELF ${elf.type === 'rel' ? 'object file' : elf.type === 'core' ? 'core dump' : 'file of unknown type'}, not a program`,
      });
      return;
    }
    if (elf.interp === undefined) {
      add({
        id: 'SG709',
        path,
        message: `${path}: its program headers lie beyond the first ${EXEC_HEAD} bytes, so its loader was not checked`,
      });
      return;
    }
    if (elf.interp === null) {
      if (!keepKind && depth === 0) info.kind = 'static';
      return;
    }
    if (!keepKind && depth === 0) {
      info.kind = 'dynamic';
      info.interpreter = elf.interp;
    }
    const loader = fs.resolve(elf.interp);
    if (!loader.ok || (loader.file.type !== 'file' && loader.file.type !== 'hardlink')) {
      add({
        id: 'SG704',
        path,
        message: `${path} is dynamically linked and needs the loader ${elf.interp}, which is not in the image: it fails with "exec ${path}: no such file or directory"`,
      });
      return;
    }
    if (elf.needed === undefined) {
      info.evidence.push(
        `${path}: DT_NEEDED lies beyond the first ${EXEC_HEAD} bytes; shared libraries not checked`,
      );
      return;
    }
    if (depth === 0) info.needed = elf.needed;
    const dirs = libraryDirs(ctx, path, elf.runpath);
    const missing = elf.needed.filter((lib) => !findLibrary(fs, lib, dirs));
    if (missing.length) {
      add({
        id: 'SG705',
        path,
        message: `${path} needs ${missing.join(', ')}, not found in ${dirs.slice(0, 6).join(':')}${dirs.length > 6 ? ':…' : ''}`,
      });
    }
    return;
  }
  const sb = parseShebang(head);
  if (sb) {
    if (!keepKind && depth === 0) info.kind = 'script';
    if (!sb.interpreter) {
      add({ id: 'SG706', path, message: `${path} has an empty #! line` });
      return;
    }
    if (!keepKind && depth === 0) info.interpreter = sb.interpreter;
    info.evidence.push(`${path}: #!${sb.interpreter}${sb.arg ? ` ${sb.arg}` : ''}`);
    if (depth + 1 > MAX_DEPTH) {
      add({ id: 'SG706', path, message: `${path}: too many levels of #! interpreters` });
      return;
    }
    const r = fs.resolve(sb.interpreter, ctx.workingDir || '/');
    if (!r.ok || (r.file.type !== 'file' && r.file.type !== 'hardlink')) {
      add({
        id: 'SG706',
        path,
        message: `${path} is a script for ${sb.interpreter}, which is not in the image`,
      });
      return;
    }
    if (!isExecutable(r.file)) {
      add({
        id: 'SG706',
        path,
        message: `${path} is a script for ${sb.interpreter}, which is not executable`,
      });
      return;
    }
    checkProgram(ctx, r.file, r.path, depth + 1, info, add, true);
    if (basename(r.path) === 'env' || basename(sb.interpreter) === 'env') {
      const cmd = envCommand(sb.arg);
      if (cmd) {
        const hit = cmd.includes('/')
          ? resolveRegular(ctx.fs, cmd, ctx.workingDir || '/')
          : lookPath(ctx, cmd);
        if (!hit) {
          add({
            id: 'SG706',
            path,
            message: `${path} runs "env ${cmd}", but ${cmd} is not in the image's PATH`,
          });
          return;
        }
        checkProgram(ctx, hit.file, hit.path, depth + 1, info, add, true);
      }
    }
    return;
  }
  const start = head
    .subarray(0, 8)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  add({
    id: 'SG708',
    path,
    message: `${path} is neither an ELF binary nor a #! script (it starts with "${start}"): exec format error`,
  });
}

/** execvp/runc's LookPath: the first PATH entry where the name is an executable regular file. */
function lookPath(
  ctx: EntrypointContext,
  name: string,
): { file: FlatFile; path: string; as: string } | undefined {
  for (const d of pathDirs(ctx.env)) {
    const as = `${d.replace(/\/+$/, '')}/${name}`;
    const r = ctx.fs.resolve(as);
    if (r.ok && isExecutable(r.file)) return { file: r.file, path: r.path, as };
  }
  return undefined;
}

function resolveRegular(
  fs: ImageFs,
  path: string,
  cwd: string,
): { file: FlatFile; path: string } | undefined {
  const r = fs.resolve(path, cwd);
  return r.ok && (r.file.type === 'file' || r.file.type === 'hardlink')
    ? { file: r.file, path: r.path }
    : undefined;
}

/** The command `env` will run from a #! line's argument ("-S python3 -u" → python3). */
function envCommand(arg: string | null): string | null {
  if (!arg) return null;
  for (const w of arg.split(/\s+/)) {
    if (!w || w.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    return w;
  }
  return null;
}

function libraryDirs(ctx: EntrypointContext, binary: string, runpath: readonly string[]): string[] {
  const dirs: string[] = [];
  const push = (d: string): void => {
    if (d && !dirs.includes(d)) dirs.push(d);
  };
  for (const r of runpath) push(r.replace(/\$\{?ORIGIN\}?/g, dirname(binary)));
  for (const d of (envValue(ctx.env, 'LD_LIBRARY_PATH') ?? '').split(':')) if (d.startsWith('/')) push(d);
  for (const d of ldSoConf(ctx.fs)) push(d);
  const t = TRIPLETS[ctx.platform.architecture];
  if (t) {
    push(`/lib/${t}`);
    push(`/usr/lib/${t}`);
  }
  for (const d of ['/lib', '/usr/lib', '/lib64', '/usr/lib64', '/usr/local/lib']) push(d);
  return dirs;
}

/** Directories listed in /etc/ld.so.conf and the files it includes (glibc), and musl's /etc/ld-musl-*.path. */
function ldSoConf(fs: ImageFs): string[] {
  const out: string[] = [];
  const read = (text: string | undefined, depth: number): void => {
    for (const raw of (text ?? '').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc) {
        if (depth > 2) continue;
        const pattern = inc[1] as string;
        const dir = dirname(pattern);
        const re = new RegExp(
          `^${basename(pattern)
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        );
        for (const f of fs.children(dir)) if (re.test(basename(f.path))) read(fs.text(f.path), depth + 1);
      } else for (const d of line.split(/[:\s,]+/)) if (d.startsWith('/')) out.push(d);
    }
  };
  read(fs.text('/etc/ld.so.conf'), 0);
  for (const f of fs.children('/etc'))
    if (/^ld-musl-.*\.path$/.test(basename(f.path))) read(fs.text(f.path), 1);
  return out;
}

function findLibrary(fs: ImageFs, lib: string, dirs: readonly string[]): boolean {
  if (lib.includes('/')) return !!fs.regular(lib);
  return dirs.some((d) => !!fs.regular(`${d}/${lib}`));
}
