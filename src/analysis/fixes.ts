/**
 * One-click fixes (pure): from a check's findings and the Dockerfile the image was built from, the
 * mechanical edits that remove a finding, each one checked before it is offered.
 *
 * | finding                         | the edit                                                          |
 * |---------------------------------|-------------------------------------------------------------------|
 * | SG320 runs as root              | `USER 65532:65532` in the final stage, before its ENTRYPOINT/CMD   |
 * | SG503/SG504 secret in ENV       | the ENV line removed, with a comment: pass it at run time          |
 * | SG601 apt/apk cache             | the same RUN with its cleanup, or `apk add --no-cache`             |
 * | SG707 shell form without shell  | ENTRYPOINT/CMD in the exec form                                    |
 * | SG110 distro base, static binary | `FROM scratch` (or distroless static when certs/tzdata are there) |
 * | SG620 debug info in a Go binary | `-ldflags="-s -w"` on the `go build` of the stage it is copied from |
 * | SG403 devDependencies shipped   | `npm ci --omit=dev` (or `npm install --omit=dev`) in the final RUN |
 * | SG801 linked Go stdlib vuln     | `FROM golang:` moved to the fixing release (src/analysis/go-fix.ts) |
 *
 * Only where it is certain: an edit is offered only when the edited Dockerfile parses, keeps its stages
 * (count, names, the target) and every `COPY --from`; where Slimgate cannot be sure, it says why in
 * `skipped` and edits nothing.
 */
import {
  DockerfileParser,
  type Copy,
  type Dockerfile,
  type Env,
  type From,
  type Instruction,
  type JSONInstruction,
} from 'dockerfile-ast';
import type { Finding, Report } from '../types/report.js';
import { parseDockerfile, type DockerfileOptions } from './dockerfile.js';
import { goReleaseProposals } from './go-fix.js';

/** The uid:gid the USER fix sets: distroless's `nonroot`, which needs no /etc/passwd. */
const NONROOT = '65532:65532';
export const DISTROLESS_STATIC = 'gcr.io/distroless/static-debian12:nonroot';

/** Lines `start`..`end` (1-based, inclusive) become `lines`; `end = start - 1` inserts before `start`. */
export interface Edit {
  start: number;
  end: number;
  lines: string[];
}

export interface Fix {
  rule: string;
  /** One line: what the edit does. */
  title: string;
  edit: Edit;
}

interface Skipped {
  rule: string;
  /** One line: why there is no edit. */
  reason: string;
  line?: number;
}

export interface FixPlan {
  path: string;
  before: string;
  /** The Dockerfile with every fix applied (equal to `before` when there are none). */
  after: string;
  fixes: Fix[];
  skipped: Skipped[];
}

// ------------------------------------------------------------------------------------------ text

interface Text {
  lines: string[];
  eol: string;
  /** The text ends with an end of line. */
  final: boolean;
}

function splitText(text: string): Text {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const final = text.endsWith(eol);
  const lines = (final ? text.slice(0, -eol.length) : text).split(eol);
  return { lines, eol, final };
}

function joinText(t: Text): string {
  return t.lines.join(t.eol) + (t.final ? t.eol : '');
}

/** Applies edits that do not overlap, from the bottom up so that line numbers stay valid. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const t = splitText(text);
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  for (const e of sorted) t.lines.splice(e.start - 1, e.end - e.start + 1, ...e.lines);
  return joinText(t);
}

function overlaps(a: Edit, b: Edit): boolean {
  // Two insertions before one line, or an insertion and a replacement of that line, touch the same spot.
  const aEnd = Math.max(a.end, a.start);
  const bEnd = Math.max(b.end, b.start);
  return a.start <= bEnd && b.start <= aEnd;
}

// ------------------------------------------------------------------------------------------ structure

const line1 = (i: Instruction): number => i.getRange().start.line + 1;
const lastLine1 = (i: Instruction): number => i.getRange().end.line + 1;

interface Shape {
  stages: { name: string | null; image: string }[];
  final: number;
  copyFrom: string[];
}

/** What an edit must keep: the stages, the target and every COPY --from. Null when the text does not parse. */
function shapeOf(text: string, opts: DockerfileOptions): Shape | null {
  try {
    const info = parseDockerfile(text, opts);
    const df = DockerfileParser.parse(text);
    const copyFrom = df
      .getCOPYs()
      .map((c: Copy) => c.getFromFlag()?.getValue() ?? null)
      .filter((v): v is string => v !== null);
    return {
      stages: info.stages.map((s) => ({ name: s.name, image: s.index === info.final.index ? '' : s.image })),
      final: info.final.index,
      copyFrom,
    };
  } catch {
    return null;
  }
}

/** A stage's image without its tag: what a fix that moves a build image to a new release may change. */
const untagged = (s: Shape['stages']): string =>
  JSON.stringify(s.map((x) => ({ ...x, image: x.image.replace(/:[^/:@]*$/, '') })));

function sameShape(a: Shape, b: Shape | null): boolean {
  return (
    b !== null &&
    a.final === b.final &&
    untagged(a.stages) === untagged(b.stages) &&
    JSON.stringify(a.copyFrom) === JSON.stringify(b.copyFrom)
  );
}

interface Ctx {
  df: Dockerfile;
  t: Text;
  report: Report;
  opts: DockerfileOptions;
  /** Instructions of the final stage (after its FROM). */
  finalIns: Instruction[];
  finalFrom: From;
  /** Instructions of the stages the final one builds on, the final included, base first. */
  chainIns: Instruction[];
}

function context(text: string, report: Report, opts: DockerfileOptions): Ctx {
  const info = parseDockerfile(text, opts);
  const df = DockerfileParser.parse(text);
  const froms = df.getFROMs();
  const ins = df.getInstructions();
  const stageOf = (i: Instruction): number => {
    let idx = -1;
    for (const [n, f] of froms.entries()) if (line1(f) <= line1(i)) idx = n;
    return idx;
  };
  const chain = new Set<number>();
  for (let s: number | null = info.final.index; s !== null; s = info.stages[s]?.parent ?? null) chain.add(s);
  return {
    df,
    t: splitText(text),
    report,
    opts,
    finalIns: ins.filter((i) => stageOf(i) === info.final.index && i.getKeyword() !== 'FROM'),
    finalFrom: froms[info.final.index] as From,
    chainIns: ins.filter((i) => chain.has(stageOf(i)) && i.getKeyword() !== 'FROM'),
  };
}

// ------------------------------------------------------------------------------------------ the fixes

type Proposal = Fix | Skipped;

/** SG320: USER 65532:65532 before the final stage's ENTRYPOINT/CMD (or at its end), after every RUN. */
function fixUser(c: Ctx): Proposal {
  const rule = 'SG320';
  const users = c.chainIns.filter((i) => i.getKeyword() === 'USER');
  const last = users[users.length - 1];
  if (last && !/^(0|root)(:.*)?$/.test((last.getArgumentsContent() ?? '').trim()))
    return {
      rule,
      reason: `USER ${last.getArgumentsContent()} is not root: the image config says otherwise`,
    };
  const runs = c.finalIns.filter((i) => i.getKeyword() === 'RUN');
  const start = c.finalIns.find((i) => i.getKeyword() === 'ENTRYPOINT' || i.getKeyword() === 'CMD');
  const lastRun = runs[runs.length - 1];
  if (start && lastRun && line1(lastRun) > line1(start))
    return { rule, reason: 'a RUN follows the ENTRYPOINT/CMD of the final stage: it may need root' };
  const anchor = start
    ? line1(start)
    : // The end of the final stage: after its last instruction (or its FROM).
      (c.finalIns.length
        ? lastLine1(c.finalIns[c.finalIns.length - 1] as Instruction)
        : lastLine1(c.finalFrom)) + 1;
  const user = `USER ${NONROOT}`;
  if (start || anchor <= c.t.lines.length)
    return {
      rule,
      title: `run as ${NONROOT} (non-root)`,
      edit: { start: anchor, end: anchor - 1, lines: [user] },
    };
  // At the end of the file: replace the last line with itself and the USER line.
  const lastLine = c.t.lines[c.t.lines.length - 1] ?? '';
  return {
    rule,
    title: `run as ${NONROOT} (non-root)`,
    edit: { start: c.t.lines.length, end: c.t.lines.length, lines: [lastLine, user] },
  };
}

/** SG503/SG504: the ENV line removed, with a comment that the value belongs to the runtime environment. */
function fixEnvSecret(c: Ctx, f: Finding): Proposal {
  const rule = f.id;
  const name = f.env;
  const line = f.location?.line;
  if (!name || !line) return { rule, reason: 'the Dockerfile line of this ENV is not known' };
  const env = c.df
    .getENVs()
    .find((e: Env) => line1(e) === line && e.getProperties().some((p) => p.getName() === name));
  if (!env) return { rule, reason: `no ENV ${name} on line ${line}`, line };
  const props = env.getProperties();
  if (props.length !== 1)
    return {
      rule,
      reason: `the ENV on line ${line} sets ${props.length} variables: remove ${name} by hand`,
      line,
    };
  // Removing a variable that a later instruction reads would change the build: not certain.
  const used = c.df
    .getInstructions()
    .filter((i) => i !== env && line1(i) > line)
    .some((i) => i.getVariables().some((v) => v.getName() === name));
  if (used) return { rule, reason: `a later instruction uses $${name}: remove it by hand`, line };
  return {
    rule,
    title: `remove ENV ${name}: pass it at run time`,
    edit: {
      start: line1(env),
      end: lastLine1(env),
      lines: [
        `# ${name}: pass it through the runtime environment (docker run -e, a secret store), not the image`,
      ],
    },
  };
}

/** SG601: the RUN that fills an apt or apk cache in the final stage, with its cleanup. */
function fixCache(c: Ctx, f: Finding): Proposal {
  const rule = 'SG601';
  const path = f.path ?? '';
  const apt = /^\/var\/(lib\/apt\/lists|cache\/apt)/.test(path);
  const apk = /^(\/var\/cache\/apk|\/etc\/apk\/cache)/.test(path);
  if (!apt && !apk) return { rule, reason: `no mechanical cleanup for ${path}` };
  const runs = c.finalIns.filter((i) => i.getKeyword() === 'RUN');
  const re = apt
    ? /\bapt(?:-get)?\s+(?:-\S+\s+)*(?:update|install)\b/
    : /\bapk\s+(?:-\S+\s+)*(?:add|update)\b/;
  const hits = runs.filter((r) => re.test(r.getRawArgumentsContent() ?? ''));
  if (hits.length !== 1)
    return {
      rule,
      reason: hits.length
        ? `${hits.length} RUN instructions of the final stage use ${apt ? 'apt' : 'apk'}: clean each by hand`
        : `no RUN of the final stage fills ${path}: it comes from the base or another stage`,
    };
  const run = hits[0] as JSONInstruction;
  const raw = run.getRawArgumentsContent() ?? '';
  if (run.getOpeningBracket() !== null || /<</.test(raw) || /^\s*--/.test(raw))
    return {
      rule,
      reason: 'the RUN is in exec form, a heredoc or has flags: edit it by hand',
      line: line1(run),
    };
  const start = line1(run);
  const end = lastLine1(run);
  const lines = c.t.lines.slice(start - 1, end);
  if (apt) {
    if (/rm\s+-rf?\s+\/var\/lib\/apt\/lists/.test(raw))
      return { rule, reason: 'the RUN already removes the apt lists', line: start };
    const lastIdx = lines.length - 1;
    const lastText = lines[lastIdx] as string;
    if (/[\\`]\s*$/.test(lastText) || /#/.test(lastText))
      return { rule, reason: 'the RUN ends in a continuation or a comment', line: start };
    lines[lastIdx] = `${lastText.replace(/\s+$/, '')} \\\n    && rm -rf /var/lib/apt/lists/*`;
    return {
      rule,
      title: 'remove the apt lists in the same RUN',
      edit: { start, end, lines: lines.join('\n').split('\n') },
    };
  }
  if (/--no-cache\b/.test(raw)) return { rule, reason: 'apk already runs with --no-cache', line: start };
  if (/\bapk\s+(?:-\S+\s+)*update\b/.test(raw))
    return {
      rule,
      reason: 'the RUN runs apk update: drop it and use apk add --no-cache by hand',
      line: start,
    };
  let changed = 0;
  const out = lines.map((l) =>
    l.replace(/\bapk(\s+)add\b/g, (_m, sp: string) => {
      changed++;
      return `apk${sp}add --no-cache`;
    }),
  );
  if (changed === 0) return { rule, reason: 'apk add is split over lines: edit it by hand', line: start };
  return { rule, title: 'apk add --no-cache', edit: { start, end, lines: out } };
}

const NPM_INSTALL = /\bnpm(\s+)(ci|install|i)\b(?![\w-])/;

/** SG403: the final stage's one RUN that runs `npm ci` (or `npm install`), without its devDependencies. */
function fixDevDependencies(c: Ctx): Proposal {
  const rule = 'SG403';
  const runs = c.finalIns.filter(
    (i) => i.getKeyword() === 'RUN' && NPM_INSTALL.test(i.getRawArgumentsContent() ?? ''),
  );
  if (runs.length !== 1)
    return {
      rule,
      reason: runs.length
        ? `${runs.length} RUN instructions of the final stage run npm install: edit them by hand`
        : 'no RUN of the final stage runs npm ci or npm install: node_modules comes from another stage or the context',
    };
  const run = runs[0] as JSONInstruction;
  const raw = run.getRawArgumentsContent() ?? '';
  const start = line1(run);
  if (/--omit[= ]dev\b|--production\b|--only[= ]prod/.test(raw))
    return { rule, reason: 'npm already leaves out devDependencies: they come from elsewhere', line: start };
  if (run.getOpeningBracket() !== null || /<</.test(raw))
    return { rule, reason: 'the RUN is in exec form or a heredoc: edit it by hand', line: start };
  const end = lastLine1(run);
  let changed = 0;
  const lines = c.t.lines.slice(start - 1, end).map((l) =>
    l.replace(NPM_INSTALL, (_m, sp: string, verb: string) => {
      changed++;
      return `npm${sp}${verb} --omit=dev`;
    }),
  );
  if (changed !== 1) return { rule, reason: 'npm is split over lines: edit it by hand', line: start };
  return { rule, title: 'npm install without devDependencies (--omit=dev)', edit: { start, end, lines } };
}

/** Words that need no shell: no quoting, expansion, globbing, redirection or separators. */
const PLAIN_WORD = /^[A-Za-z0-9_./:=,+@%-]+$/;

/** SG707: ENTRYPOINT/CMD in shell form → the exec form, when the words are plain. */
function fixExecForm(c: Ctx, f: Finding): Proposal {
  const rule = 'SG707';
  const line = f.location?.line;
  const ins = c.finalIns.find(
    (i) => (i.getKeyword() === 'ENTRYPOINT' || i.getKeyword() === 'CMD') && line1(i) === line,
  ) as JSONInstruction | undefined;
  if (!ins) return { rule, reason: 'the ENTRYPOINT/CMD is not in the final stage of the Dockerfile' };
  if (ins.getOpeningBracket() !== null) return { rule, reason: 'already in exec form', line: line1(ins) };
  if (lastLine1(ins) !== line1(ins))
    return { rule, reason: 'the instruction spans lines: convert it by hand', line: line1(ins) };
  const words = (ins.getRawArgumentsContent() ?? '').trim().split(/\s+/).filter(Boolean);
  if (!words.length || !words.every((w) => PLAIN_WORD.test(w)))
    return { rule, reason: 'the command uses shell syntax (quotes, $, globs, pipes…)', line: line1(ins) };
  const kw = ins.getKeyword();
  // A shell-form ENTRYPOINT ignores CMD; in exec form it would take CMD as arguments.
  const other = c.chainIns.some((i) => i.getKeyword() === (kw === 'ENTRYPOINT' ? 'CMD' : 'ENTRYPOINT'));
  if (other)
    return {
      rule,
      reason: `the image also has ${kw === 'ENTRYPOINT' ? 'a CMD' : 'an ENTRYPOINT'}: the exec form would change what runs`,
      line: line1(ins),
    };
  const indent = /^\s*/.exec(c.t.lines[line1(ins) - 1] ?? '')?.[0] ?? '';
  return {
    rule,
    title: `${kw} in exec form`,
    edit: { start: line1(ins), end: line1(ins), lines: [`${indent}${kw} ${JSON.stringify(words)}`] },
  };
}

/** Instructions that need nothing from the base image's files to build. */
const SCRATCH_SAFE = new Set([
  'COPY',
  'ENV',
  'ARG',
  'LABEL',
  'EXPOSE',
  'USER',
  'WORKDIR',
  'ENTRYPOINT',
  'CMD',
  'VOLUME',
  'STOPSIGNAL',
]);

/** SG110: a distro base under a static binary → FROM scratch (or distroless static for certs and tzdata). */
function fixBase(c: Ctx): Proposal {
  const rule = 'SG110';
  const r = c.report;
  const ep = r.entrypoint;
  if (r.base.verdict !== 'os') return { rule, reason: `the base is ${r.base.verdict}, not a distro` };
  if (!ep || ep.kind !== 'static' || !ep.resolved)
    return { rule, reason: 'the entrypoint is not a static binary: it needs the base' };
  if (c.report.base.dockerfile?.line !== line1(c.finalFrom))
    return { rule, reason: 'the final stage builds on another stage of the Dockerfile' };
  const unsafe = c.finalIns.find((i) => !SCRATCH_SAFE.has(i.getKeyword()));
  if (unsafe)
    return {
      rule,
      reason: `the final stage has ${unsafe.getKeyword()} on line ${line1(unsafe)}, which needs the base`,
      line: line1(unsafe),
    };
  const copies = c.finalIns.filter((i) => i.getKeyword() === 'COPY') as Copy[];
  if (copies.some((cp) => !cp.getFromFlag()))
    return { rule, reason: 'a COPY of the final stage takes files from the context, not a build stage' };
  const user = c.chainIns.filter((i) => i.getKeyword() === 'USER').pop();
  if (user && !/^\d+(:\d+)?$/.test((user.getArgumentsContent() ?? '').trim()))
    return { rule, reason: 'USER names a user: scratch has no /etc/passwd to resolve it' };
  // The binary must come from the final stage's own COPY layers, not from the base.
  const own = copies.length;
  const file = r.files.find((x) => x.path === ep.resolved);
  if (!file || file.layer < r.layers.length - own)
    return { rule, reason: `${ep.resolved} comes from the base image, not a COPY --from` };
  const needsData = r.files.some(
    (x) => x.path === '/etc/ssl/certs/ca-certificates.crt' || x.path.startsWith('/usr/share/zoneinfo/'),
  );
  const image = needsData ? DISTROLESS_STATIC : 'scratch';
  const range = c.finalFrom.getImageRange();
  if (!range || range.start.line !== range.end.line || lastLine1(c.finalFrom) !== line1(c.finalFrom))
    return { rule, reason: 'the FROM spans lines: edit it by hand' };
  const ln = line1(c.finalFrom);
  const text = c.t.lines[ln - 1] as string;
  const next = text.slice(0, range.start.character) + image + text.slice(range.end.character);
  return {
    rule,
    title: needsData ? `FROM ${image} (it has CA certificates and tzdata)` : 'FROM scratch',
    edit: { start: ln, end: ln, lines: [next] },
  };
}

/** `go build` or `go install` in a shell command. */
const GO_BUILD = /\bgo\s+(?:build|install)\b/g;

/**
 * SG620: `-ldflags="-s -w"` on the `go build` that made the binary: in the stage its `COPY --from` names
 * (the `go build` whose `-o` matches, when the stage has several), or in the final stage's own chain.
 */
function fixDebug(c: Ctx, f: Finding): Proposal {
  // Reasons never quote the path: it is image text, and the action logs reasons as they are.
  const rule = 'SG620';
  const path = f.path ?? '';
  const bin = c.report.binaries?.find((b) => b.path === path);
  if (!bin?.go)
    return {
      rule,
      reason: `the binary is not a Go binary: strip it in its build stage (strip --strip-unneeded) or link with -s`,
    };
  const ins = c.df.getInstructions();
  const froms = c.df.getFROMs();
  const stageOf = (i: Instruction): number => {
    let idx = -1;
    for (const [n, fr] of froms.entries()) if (line1(fr) <= line1(i)) idx = n;
    return idx;
  };
  // Where the binary comes from: a COPY --from in the final chain whose destination is the binary's path.
  let stage: number | undefined;
  let source: string | undefined;
  for (const cp of c.chainIns.filter((i) => i.getKeyword() === 'COPY') as Copy[]) {
    const from = cp.getFromFlag()?.getValue();
    const args = cp.getArguments().map((a) => a.getValue());
    const dest = args[args.length - 1];
    if (!from || !dest || args.length < 2) continue;
    const src = args.slice(0, -1).find((a) => dest === path || joinDest(dest, a) === path);
    if (src === undefined) continue;
    const byName = froms.findIndex((fr) => fr.getBuildStage()?.toLowerCase() === from.toLowerCase());
    stage = byName >= 0 ? byName : /^\d+$/.test(from) ? Number(from) : undefined;
    source = src;
    if (stage === undefined)
      return { rule, reason: `the binary is copied from ${from}, which is not a stage of this Dockerfile` };
    break;
  }
  const runs = (stage === undefined ? c.chainIns : ins.filter((i) => stageOf(i) === stage)).filter(
    (i) => i.getKeyword() === 'RUN' && new RegExp(GO_BUILD.source).test(i.getRawArgumentsContent() ?? ''),
  ) as JSONInstruction[];
  let run: JSONInstruction | undefined = runs[0];
  if (runs.length > 1) {
    const name = baseName(source ?? path);
    const named = runs.filter((r) => outputName(r.getRawArgumentsContent() ?? '') === name);
    run = named.length === 1 ? named[0] : undefined;
  }
  if (!run)
    return {
      rule,
      reason: runs.length
        ? `${runs.length} go build lines could have made the binary: add -ldflags="-s -w" by hand`
        : 'no go build line made the binary in this Dockerfile',
    };
  const start = line1(run);
  const end = lastLine1(run);
  const raw = run.getRawArgumentsContent() ?? '';
  if (run.getOpeningBracket() !== null || /<</.test(raw))
    return { rule, reason: 'the RUN is in exec form or a heredoc: edit it by hand', line: start };
  if ((raw.match(GO_BUILD) ?? []).length !== 1)
    return { rule, reason: 'the RUN has several go build commands: edit it by hand', line: start };
  const lines = c.t.lines.slice(start - 1, end);
  const edited = addStripFlags(lines);
  if (typeof edited === 'string') return { rule, reason: edited, line: start };
  return {
    rule,
    title: 'go build -ldflags="-s -w" (no symbol table, no DWARF)',
    edit: { start, end, lines: edited },
  };
}

function baseName(p: string): string {
  return p.replace(/\/+$/, '').split('/').pop() ?? p;
}

/** A COPY destination that is a directory (`/usr/local/bin/`) takes the source's name. */
function joinDest(dest: string, src: string): string {
  return dest.endsWith('/') ? `${dest}${baseName(src)}` : dest;
}

/** The name a `go build -o PATH` writes, if it says. */
function outputName(cmd: string): string | undefined {
  const m = /\s-o[=\s]+["']?([^\s"';&|]+)/.exec(cmd);
  return m ? baseName(m[1] as string) : undefined;
}

/** The RUN's lines with -s -w added to its go build (merged into an existing -ldflags), or why not. */
function addStripFlags(lines: string[]): string[] | string {
  const at = lines.findIndex((l) => /-ldflags\b/.test(l));
  if (at === -1) {
    const i = lines.findIndex((l) => new RegExp(GO_BUILD.source).test(l));
    if (i === -1) return 'go build is split over lines: edit it by hand';
    const out = [...lines];
    out[i] = (lines[i] as string).replace(new RegExp(GO_BUILD.source), (m) => `${m} -ldflags="-s -w"`);
    return out;
  }
  const l = lines[at] as string;
  const m = /-ldflags(=|\s+)(?:"([^"]*)"|'([^']*)'|([^\s"'\\;&|]+))/.exec(l);
  if (!m) return 'the -ldflags value is not one plain word or quoted string: edit it by hand';
  const value = m[2] ?? m[3] ?? m[4] ?? '';
  const words = value.split(/\s+/);
  const missing = ['-s', '-w'].filter((f) => !words.includes(f));
  if (!missing.length) return 'the go build already passes -s -w';
  const quote = m[3] !== undefined ? "'" : '"';
  const merged = `-ldflags${m[1]}${quote}${[...missing, value].filter(Boolean).join(' ')}${quote}`;
  const out = [...lines];
  out[at] = l.slice(0, m.index) + merged + l.slice(m.index + m[0].length);
  return out;
}

// ------------------------------------------------------------------------------------------ the plan

function isFix(p: Proposal): p is Fix {
  return 'edit' in p;
}

/**
 * The fixes for `report`'s findings on the Dockerfile `text`. `opts` is what the check was given (path,
 * build args, target). Each fix is checked alone and with the others; one that breaks the Dockerfile's
 * shape is dropped with its reason.
 */
export function proposeFixes(text: string, report: Report, opts: DockerfileOptions = {}): FixPlan {
  const path = opts.path ?? 'Dockerfile';
  const plan: FixPlan = { path, before: text, after: text, fixes: [], skipped: [] };
  const shape = shapeOf(text, opts);
  if (!shape) {
    plan.skipped.push({ rule: '*', reason: `${path} does not parse` });
    return plan;
  }
  const c = context(text, report, opts);
  const proposals: Proposal[] = [];
  const seen = new Set<string>();
  for (const f of report.findings) {
    let p: Proposal | undefined;
    let more: Proposal[] = [];
    if (f.id === 'SG320' && !seen.has('SG320')) p = fixUser(c);
    else if (f.id === 'SG503' || f.id === 'SG504') p = fixEnvSecret(c, f);
    else if (f.id === 'SG601') p = fixCache(c, f);
    else if (f.id === 'SG707' && !seen.has('SG707')) p = fixExecForm(c, f);
    else if (f.id === 'SG110' && !seen.has('SG110')) p = fixBase(c);
    else if (f.id === 'SG620') p = fixDebug(c, f);
    else if (f.id === 'SG403' && !seen.has('SG403')) p = fixDevDependencies(c);
    else if (f.id === 'SG801' && !seen.has('SG801')) {
      // One look over every entry: the release that fixes them all.
      seen.add('SG801');
      [p, ...more] = goReleaseProposals(text, report);
    }
    if (!p) continue;
    seen.add(f.id);
    proposals.push(p, ...more);
  }
  for (const p of proposals) {
    if (!isFix(p)) {
      plan.skipped.push(p);
      continue;
    }
    const clash = plan.fixes.find((q) => overlaps(q.edit, p.edit));
    if (clash) {
      plan.skipped.push({
        rule: p.rule,
        reason: `its edit touches the line of the ${clash.rule} fix`,
        line: p.edit.start,
      });
      continue;
    }
    if (!sameShape(shape, shapeOf(applyEdits(text, [p.edit]), opts))) {
      plan.skipped.push({
        rule: p.rule,
        reason: 'the edited Dockerfile would lose a stage or a COPY --from',
        line: p.edit.start,
      });
      continue;
    }
    plan.fixes.push(p);
  }
  // Together as well as alone (two edits to one stage could still disagree).
  while (
    plan.fixes.length &&
    !sameShape(
      shape,
      shapeOf(
        applyEdits(
          text,
          plan.fixes.map((x) => x.edit),
        ),
        opts,
      ),
    )
  ) {
    const dropped = plan.fixes.pop() as Fix;
    plan.skipped.push({
      rule: dropped.rule,
      reason: 'it conflicts with the other fixes',
      line: dropped.edit.start,
    });
  }
  plan.after = applyEdits(
    text,
    plan.fixes.map((x) => x.edit),
  );
  return plan;
}
