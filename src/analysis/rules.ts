/**
 * The file rules (pure): shell, package-manager, coreutils, privilege, permissions, toolchain, vcs, waste
 * and user. Each returns raw findings with the rule's id; analyze() completes them from the catalog and
 * applies the policy.
 */
import type { FlatFile } from '../flatten/flatten.js';
import { isWithin } from '../util/paths.js';
import { formatBytes } from '../util/bytes.js';
import {
  type Command,
  ESCALATION,
  isBusybox,
  isCoreutil,
  isPackageManager,
  isShell,
  isToolchain,
  listCommands,
} from './commands.js';
import type { DockerfileInfo } from './dockerfile.js';
import { listSome, type RawFinding } from './finding.js';
import { basename, dirname, type ImageFs } from './fsview.js';

export interface RuleContext {
  fs: ImageFs;
  env: readonly string[];
  user: string | null;
  dockerfile?: DockerfileInfo | null;
}

/** Groups commands by the file they resolve to: one finding per binary, naming its other paths. */
function byTarget(cmds: readonly Command[]): { target: FlatFile; paths: string[]; names: string[] }[] {
  const groups = new Map<string, { target: FlatFile; paths: string[]; names: string[] }>();
  for (const c of cmds) {
    let g = groups.get(c.target.path);
    if (!g) groups.set(c.target.path, (g = { target: c.target, paths: [], names: [] }));
    g.paths.push(c.path);
    if (!g.names.includes(c.name)) g.names.push(c.name);
  }
  return [...groups.values()];
}

function also(paths: readonly string[], main: string): string {
  const others = paths.filter((p) => p !== main);
  return others.length ? ` (also ${listSome(others)})` : '';
}

export function commandRules(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  const cmds = listCommands(ctx.fs, ctx.env);
  const busyboxTarget = (c: Command): boolean => isBusybox(basename(c.target.path)) || isBusybox(c.name);

  for (const g of byTarget(cmds.filter(busyboxTarget))) {
    const applets = g.names.filter((n) => n !== 'busybox');
    const shells = applets.filter(isShell);
    out.push({
      id: 'SG202',
      path: g.target.path,
      message:
        `busybox ${g.target.path} is a shell and a toolbox in one binary` +
        (shells.length ? `, linked as ${listSome(g.paths.filter((p) => isShell(basename(p))))}` : '') +
        (applets.length ? ` (${applets.length} applet link${applets.length === 1 ? '' : 's'})` : ''),
    });
  }
  const plain = cmds.filter((c) => !busyboxTarget(c));
  for (const g of byTarget(plain.filter((c) => isShell(c.name)))) {
    const main = g.paths.includes(g.target.path) ? g.target.path : (g.paths[0] as string);
    out.push({ id: 'SG201', path: main, message: `shell ${main} present${also(g.paths, main)}` });
  }
  for (const g of byTarget(plain.filter((c) => isPackageManager(c.name)))) {
    const main = g.paths.includes(g.target.path) ? g.target.path : (g.paths[0] as string);
    out.push({
      id: 'SG210',
      path: main,
      message: `package manager ${g.names.join('/')} at ${main}${also(g.paths, main)}`,
    });
  }
  for (const g of byTarget(plain.filter((c) => isCoreutil(c.name)))) {
    const main = g.paths.includes(g.target.path) ? g.target.path : (g.paths[0] as string);
    out.push({ id: 'SG220', path: main, message: `${g.names.join('/')} at ${main}${also(g.paths, main)}` });
  }
  for (const g of byTarget(cmds.filter((c) => ESCALATION.has(c.name)))) {
    const main = g.paths.includes(g.target.path) ? g.target.path : (g.paths[0] as string);
    out.push({
      id: 'SG302',
      path: main,
      message: `privilege escalation tool ${g.names.join('/')} at ${main}${also(g.paths, main)}`,
    });
  }
  for (const g of byTarget(plain.filter((c) => isToolchain(c.name)))) {
    const main = g.paths.includes(g.target.path) ? g.target.path : (g.paths[0] as string);
    out.push({
      id: 'SG401',
      path: main,
      message: `build tool ${g.names.join('/')} at ${main}${also(g.paths, main)}`,
    });
  }
  return out;
}

function modeString(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

export function permissionRules(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  let root: { path: string; finding: RawFinding; count: number } | undefined;
  const flush = (): void => {
    if (root && root.count > 0)
      root.finding.message += ` (and ${root.count} world-writable entries below it)`;
  };
  for (const f of ctx.fs.files) {
    // setuid / setgid regular files (a setgid directory only sets the group of new files)
    if ((f.type === 'file' || f.type === 'hardlink') && f.mode & 0o6000) {
      const bits = [f.mode & 0o4000 ? 'setuid' : '', f.mode & 0o2000 ? 'setgid' : '']
        .filter(Boolean)
        .join('+');
      out.push({
        id: 'SG301',
        path: f.path,
        message: `${bits} ${f.path} (mode ${modeString(f.mode)}, owner ${f.uid}:${f.gid})`,
      });
    }
    // world-writable files and directories, outside sticky directories such as /tmp
    if ((f.type === 'file' || f.type === 'dir') && f.mode & 0o002) {
      if (root && isWithin(f.path, root.path)) {
        root.count++;
        continue;
      }
      if (f.type === 'dir' && f.mode & 0o1000) continue;
      if (underSticky(ctx.fs, f.path)) continue;
      flush();
      const finding: RawFinding = {
        id: 'SG310',
        path: f.path,
        message: `world-writable ${f.type === 'dir' ? 'directory' : 'file'} ${f.path} (mode ${modeString(f.mode)})`,
      };
      out.push(finding);
      root = f.type === 'dir' ? { path: f.path, finding, count: 0 } : undefined;
    }
  }
  flush();
  return out;
}

function underSticky(fs: ImageFs, path: string): boolean {
  for (let d = dirname(path); d !== '/'; d = dirname(d)) {
    const e = fs.get(d);
    if (e && e.type === 'dir' && e.mode & 0o1000) return true;
  }
  return false;
}

export function vcsRules(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  let cur: { path: string; finding: RawFinding; files: number; bytes: number } | undefined;
  const flush = (): void => {
    if (cur) cur.finding.message += ` (${cur.files} files, ${formatBytes(cur.bytes)} uncompressed)`;
  };
  for (const f of ctx.fs.files) {
    if (cur && isWithin(f.path, cur.path)) {
      if (f.type === 'file') {
        cur.files++;
        cur.bytes += f.size;
      }
      continue;
    }
    if (basename(f.path) === '.git' && f.type === 'dir') {
      flush();
      const finding: RawFinding = { id: 'SG410', path: f.path, message: `git repository ${f.path}` };
      out.push(finding);
      cur = { path: f.path, finding, files: 0, bytes: 0 };
    }
  }
  flush();
  return out;
}

interface Root {
  re: RegExp;
  what: string;
}

const CACHE_ROOTS: Root[] = [
  { re: /^\/var\/lib\/apt\/lists(?=\/)/, what: 'apt package lists' },
  { re: /^\/var\/cache\/apt(?=\/)/, what: 'apt cache' },
  { re: /^(?:\/var\/cache\/apk|\/etc\/apk\/cache)(?=\/)/, what: 'apk cache' },
  { re: /^\/var\/cache\/(?:yum|dnf|zypp)(?=\/)/, what: 'rpm package cache' },
  { re: /^.*?\/\.cache\/pip(?=\/)/, what: 'pip cache' },
  { re: /^.*?\/\.npm\/_cacache(?=\/)/, what: 'npm cache' },
  {
    re: /^(?:.*?\/\.cache\/yarn|.*?\/\.yarn-cache|\/usr\/local\/share\/\.cache\/yarn)(?=\/)/,
    what: 'yarn cache',
  },
  { re: /^.*?\/\.cache\/go-build(?=\/)/, what: 'Go build cache' },
  { re: /^.*?\/\.cache\/pypoetry(?=\/)/, what: 'poetry cache' },
  { re: /^.*?\/\.gradle\/caches(?=\/)/, what: 'Gradle cache' },
];

const DOC_ROOTS: Root[] = [
  { re: /^\/usr\/(?:local\/)?share\/(?:doc|man|info|gtk-doc)(?=\/)/, what: 'documentation' },
];

/** License texts ship with distroless and are kept on purpose (license compliance). */
const LICENSE = /^(?:copyright|copying|licen[cs]e|notice)(?:[.-]|$)/i;

/** Documentation below this many bytes (not counting license files) is not worth a finding. */
const DOCS_THRESHOLD = 100_000;

function rollUp(
  files: readonly FlatFile[],
  roots: readonly Root[],
  skip: (f: FlatFile) => boolean,
): Map<string, { what: string; files: number; bytes: number }> {
  const out = new Map<string, { what: string; files: number; bytes: number }>();
  for (const f of files) {
    if (f.type !== 'file' || f.size === 0 || skip(f)) continue;
    for (const r of roots) {
      const m = r.re.exec(f.path);
      if (!m) continue;
      let g = out.get(m[0]);
      if (!g) out.set(m[0], (g = { what: r.what, files: 0, bytes: 0 }));
      g.files++;
      g.bytes += f.size;
      break;
    }
  }
  return out;
}

export function wasteRules(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  const caches = rollUp(ctx.fs.files, CACHE_ROOTS, (f) => basename(f.path) === 'lock');
  for (const [path, g] of caches) {
    out.push({
      id: 'SG601',
      path,
      message: `${g.what} ${path}: ${g.files} file${g.files === 1 ? '' : 's'}, ${formatBytes(g.bytes)} uncompressed`,
    });
  }
  const docs = rollUp(ctx.fs.files, DOC_ROOTS, (f) => LICENSE.test(basename(f.path)));
  for (const [path, g] of docs) {
    if (g.bytes < DOCS_THRESHOLD) continue;
    out.push({
      id: 'SG602',
      path,
      message: `${g.what} ${path}: ${g.files} files, ${formatBytes(g.bytes)} uncompressed (license files not counted)`,
    });
  }
  return out;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

function parseIdFile(text: string | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const p = line.split(':');
    if (p.length < 3 || line.startsWith('#')) continue;
    const id = Number(p[2]);
    if (!Number.isInteger(id)) continue;
    out.push({ name: p[0] as string, uid: id, gid: Number(p[3] ?? NaN) });
  }
  return out;
}

export function userRules(ctx: RuleContext): RawFinding[] {
  const df = ctx.dockerfile;
  const location = df ? { file: df.path, line: df.user?.line ?? df.final.line } : undefined;
  const withLoc = (f: RawFinding): RawFinding => (location ? { ...f, location } : f);
  const spec = (ctx.user ?? '').trim();
  if (!spec) return [withLoc({ id: 'SG320', message: 'runs as root: the image sets no USER' })];
  const [u = '', g] = spec.split(':');
  const out: RawFinding[] = [];
  let uid: number | undefined;
  if (/^\d+$/.test(u)) uid = Number(u);
  else {
    const passwd = ctx.fs.text('/etc/passwd');
    const hit = parseIdFile(passwd).find((e) => e.name === u);
    if (!hit) {
      out.push(
        withLoc({
          id: 'SG321',
          path: '/etc/passwd',
          message: passwd
            ? `USER ${spec}: user "${u}" is not in /etc/passwd, so the container will not start`
            : `USER ${spec}: the image has no /etc/passwd to look up "${u}", so the container will not start`,
        }),
      );
    } else uid = hit.uid;
  }
  if (g !== undefined && g !== '' && !/^\d+$/.test(g)) {
    const group = ctx.fs.text('/etc/group');
    if (!parseIdFile(group).some((e) => e.name === g)) {
      out.push(
        withLoc({
          id: 'SG321',
          path: '/etc/group',
          message: `USER ${spec}: group "${g}" is not in /etc/group, so the container will not start`,
        }),
      );
    }
  }
  if (uid === 0) out.push(withLoc({ id: 'SG320', message: `runs as root: USER ${spec} is uid 0` }));
  return out;
}
