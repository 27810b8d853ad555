/**
 * What a Dockerfile says about the final image (pure). Parsed with dockerfile-ast, which handles the
 * escape directive, line continuations, comments and heredocs; this module resolves the target stage's
 * base through stage aliases and the global ARGs used in FROM (with --build-arg overrides), and keeps the
 * lines that findings point at (FROM, USER, ENV, ENTRYPOINT, CMD) for annotations.
 */
import { DockerfileParser, type From, type Instruction } from 'dockerfile-ast';
import { InputError } from '../util/errors.js';

export interface DockerfileOptions {
  /** How the file is named in evidence and annotations ("Dockerfile", "docker/app.Dockerfile"). */
  path?: string;
  /** --build-arg values; they override the defaults of the ARGs declared before the first FROM. */
  buildArgs?: Record<string, string>;
  /** --target: the stage to build (default: the last one). */
  target?: string;
  /** The image's platform, for the automatic TARGETPLATFORM/TARGETARCH… ARGs. */
  platform?: { os: string; architecture: string; variant?: string };
}

interface DockerfileStage {
  index: number;
  /** The stage name (`AS name`), lower-cased as Docker does. */
  name: string | null;
  /** 1-based line of its FROM. */
  line: number;
  /** The FROM argument as written. */
  raw: string;
  /** The FROM argument with ARGs expanded. */
  image: string;
  /** The earlier stage it builds on, if `image` names one. */
  parent: number | null;
  platform: string | null;
}

export interface DockerfileInfo {
  path: string;
  stages: DockerfileStage[];
  /** The stage that is built (the target, or the last stage). */
  final: DockerfileStage;
  /** The external base of the final stage, after following stage aliases: an image reference or "scratch". */
  base: { image: string; line: number; unresolved: string[] };
  /** One line per hop, e.g. `Dockerfile:9 FROM ${BASE} → debian:12`. */
  evidence: string[];
  /** The last USER in the final stage or the stages it builds on. */
  user: { value: string; line: number } | null;
  /** ENV and ARG names set in the final stage's chain → the line of the last one. */
  envLines: Record<string, number>;
  entrypointLine: number | null;
  cmdLine: number | null;
}

/** Expands $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word} and ${VAR+word}; `escape` + `$` is a literal $. */
export function expandVariables(
  s: string,
  vars: Record<string, string | undefined>,
  escape = '\\',
  unresolved: string[] = [],
): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === escape && s[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      if (end === -1) {
        out += s.slice(i);
        break;
      }
      const body = s.slice(i + 2, end);
      i = end;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
      if (!m) {
        out += `\${${body}}`;
        continue;
      }
      const [, name = '', op, word = ''] = m;
      const v = vars[name];
      const set = v !== undefined;
      const nonEmpty = set && v !== '';
      if (op === ':-') out += nonEmpty ? v : expandVariables(word, vars, escape, unresolved);
      else if (op === '-') out += set ? v : expandVariables(word, vars, escape, unresolved);
      else if (op === ':+') out += nonEmpty ? expandVariables(word, vars, escape, unresolved) : '';
      else if (op === '+') out += set ? expandVariables(word, vars, escape, unresolved) : '';
      else {
        if (!set) unresolved.push(name);
        out += v ?? '';
      }
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
    if (!m) {
      out += c;
      continue;
    }
    const name = m[0];
    i += name.length;
    if (vars[name] === undefined) unresolved.push(name);
    out += vars[name] ?? '';
  }
  return out;
}

function platformArgs(p: DockerfileOptions['platform']): Record<string, string> {
  if (!p) return {};
  const plat = p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
  const out: Record<string, string> = {};
  for (const pre of ['TARGET', 'BUILD']) {
    out[`${pre}PLATFORM`] = plat;
    out[`${pre}OS`] = p.os;
    out[`${pre}ARCH`] = p.architecture;
    out[`${pre}VARIANT`] = p.variant ?? '';
  }
  return out;
}

const line1 = (i: Instruction): number => i.getRange().start.line + 1;

export function parseDockerfile(text: string, opts: DockerfileOptions = {}): DockerfileInfo {
  const path = opts.path ?? 'Dockerfile';
  const df = DockerfileParser.parse(text);
  const escape = df.getEscapeCharacter();
  const froms = df.getFROMs();
  if (froms.length === 0) throw new InputError(`${path} has no FROM instruction`);

  // Global ARGs (before the first FROM) are the only variables FROM can use; --build-arg overrides them.
  const buildArgs = opts.buildArgs ?? {};
  const globals: Record<string, string | undefined> = { ...platformArgs(opts.platform) };
  for (const arg of df.getInitialARGs()) {
    for (const prop of arg.getProperties()) {
      const name = prop.getName();
      const raw = prop.getValue();
      globals[name] =
        name in buildArgs
          ? buildArgs[name]
          : raw === null
            ? undefined
            : expandVariables(raw, globals, escape);
    }
  }

  const stages: DockerfileStage[] = [];
  const byName = new Map<string, number>();
  const unresolvedOf = new Map<number, string[]>();
  froms.forEach((from: From, index) => {
    const raw = from.getImage() ?? '';
    const unresolved: string[] = [];
    const image = expandVariables(raw, globals, escape, unresolved);
    const name = from.getBuildStage()?.toLowerCase() ?? null;
    const parent = byName.get(image.toLowerCase()) ?? null;
    stages.push({
      index,
      name,
      line: line1(from),
      raw,
      image,
      parent,
      platform: from.getPlatformFlag()?.getValue() ?? null,
    });
    unresolvedOf.set(index, unresolved);
    if (name) byName.set(name, index);
  });

  let final = stages[stages.length - 1] as DockerfileStage;
  if (opts.target) {
    const t = byName.get(opts.target.toLowerCase());
    if (t === undefined) {
      const names = stages.map((s) => s.name).filter(Boolean);
      throw new InputError(
        `target stage "${opts.target}" is not in ${path}${names.length ? ` (stages: ${names.join(', ')})` : ''}`,
      );
    }
    final = stages[t] as DockerfileStage;
  }

  // Walk from the target to its external base, and collect the chain of stages the image inherits from.
  const evidence: string[] = [];
  const chain: DockerfileStage[] = [];
  let s: DockerfileStage = final;
  for (;;) {
    chain.push(s);
    const shown = s.raw === s.image ? `FROM ${s.raw}` : `FROM ${s.raw} → ${s.image || '(empty)'}`;
    if (s.parent !== null) {
      evidence.push(`${path}:${s.line} ${shown} → stage ${stages[s.parent]?.name}`);
      s = stages[s.parent] as DockerfileStage;
    } else {
      evidence.push(`${path}:${s.line} ${shown}`);
      break;
    }
  }
  const root = chain[chain.length - 1] as DockerfileStage;
  const unresolved = unresolvedOf.get(root.index) ?? [];
  if (unresolved.length) {
    evidence.push(`${path}:${root.line} ARG ${[...new Set(unresolved)].join(', ')} has no value`);
  }

  // Instructions of the chain's stages, base first, for USER/ENV/ENTRYPOINT/CMD lines.
  const instructions = df.getInstructions();
  const stageOf = (lineNo: number): number => {
    let idx = -1;
    for (const st of stages) if (st.line <= lineNo) idx = st.index;
    return idx;
  };
  const inChain = new Set(chain.map((c) => c.index));
  let user: DockerfileInfo['user'] = null;
  const envLines: Record<string, number> = {};
  let entrypointLine: number | null = null;
  let cmdLine: number | null = null;
  for (const ins of instructions) {
    const ln = line1(ins);
    const st = stageOf(ln);
    if (!inChain.has(st)) continue;
    const kw = ins.getKeyword();
    if (kw === 'USER') user = { value: ins.getArgumentsContent() ?? '', line: ln };
    else if (kw === 'ENTRYPOINT') entrypointLine = ln;
    else if (kw === 'CMD') cmdLine = ln;
    else if (kw === 'ENV' || kw === 'ARG') {
      const props =
        (ins as unknown as { getProperties?: () => { getName(): string }[] }).getProperties?.() ?? [];
      for (const p of props) envLines[p.getName()] = ln;
    }
  }

  return {
    path,
    stages,
    final,
    base: { image: root.image, line: root.line, unresolved },
    evidence,
    user,
    envLines,
    entrypointLine,
    cmdLine,
  };
}
