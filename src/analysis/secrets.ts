/**
 * Secret rules (pure): private keys and credential files in any layer (also one that a later layer
 * deleted: its blob still ships), secret-looking ENV entries, secrets in ENTRYPOINT/CMD, and build args and
 * credentials recorded in the image history. Values are never echoed: messages name the path or the
 * variable and the kind of secret only. What counts as a secret is decided in util/secret-shapes.ts (values)
 * and scan/secret-files.ts (files, matched while the scan streams them).
 *
 * Precision decisions (docs/rules.md#secret-precision):
 * - Keys under test-fixture paths (testdata, test, tests, __tests__, fixtures, spec, example(s)) are the
 *   fixtures that toolchains and libraries ship (Go's crypto/tls testdata, CPython's test keys, npm
 *   packages' test certs): they are SG509, severity info, not errors.
 * - A credential file counts only when it holds a credential (an `_authToken`, an `auth` in `auths`, a
 *   `password`); a `.docker/config.json` that only names a credsStore is fine.
 * - ENV names match whole words (API_TOKEN, not TOKENIZERS_PARALLELISM); values that are empty, booleans,
 *   paths or references (`*_FILE=/run/secrets/x`, `${X}`) are fine.
 */
import type { EntryRecord } from '../scan/layer.js';
import type { SecretHit } from '../scan/secret-files.js';
import { shapeKind } from '../scan/secret-content.js';
import {
  argvSecrets,
  envSecretKind,
  findSecrets,
  REDACTED,
  redactArgv,
  redactSecrets,
  withArticle,
} from '../util/secret-shapes.js';
import type { DockerfileInfo } from './dockerfile.js';
import type { RawFinding } from './finding.js';
import type { ImageFs } from './fsview.js';

export { redactArgv };

/** Path components that mark a test fixture shipped by a toolchain or a library (testdata, testcert…). */
const FIXTURE_DIR = /\/(?:test[\w-]*|[\w-]*tests|__tests__|fixtures?|spec|examples?)\//i;
/** A test's own file: `x_test.go`, `test_x.py`, `x_test.py`, `x.test.js`, `x.spec.ts`. */
const TEST_FILE = /\/(?:[^/]+_test\.(?:go|py)|test_[^/]+\.py|[^/]+\.(?:test|spec)\.[cm]?[jt]sx?)$/i;

function isFixturePath(path: string): boolean {
  return FIXTURE_DIR.test(path) || TEST_FILE.test(path);
}

/**
 * Secret files: every one in the final file system, and every one that a layer shipped and a later layer
 * deleted or replaced (anyone who pulls the image can still read it from that layer's blob). The scan
 * matched each candidate's body as it streamed, so only its verdict is here.
 */
export function fileSecretRules(
  fs: ImageFs,
  layers: readonly { entries: readonly EntryRecord[] }[] = [],
): RawFinding[] {
  const out: RawFinding[] = [];
  const shipped = new Set<SecretHit>();
  for (const f of fs.files) {
    if ((f.type !== 'file' && f.type !== 'hardlink') || !f.secret) continue;
    shipped.add(f.secret);
    out.push(fileFinding(f.path, f.secret, f.layer, ''));
  }
  layers.forEach((l, i) => {
    for (const e of l.entries) {
      if (e.type !== 'file' || !e.secret || shipped.has(e.secret)) continue;
      out.push(
        fileFinding(
          e.path,
          e.secret,
          i,
          ` in layer ${i + 1}: a later layer deletes or replaces it, but layer ${i + 1} still ships it`,
        ),
      );
    }
  });
  return out;
}

const FILE_RULE = { key: 'SG501', credential: 'SG502', token: 'SG507', url: 'SG508' } as const;

/** Where in the file the content scan saw each shape: ` (line 3: an AWS access key id; line 5: …)`. */
function lines(hit: SecretHit): string {
  if (!hit.shapes?.length) return '';
  const each = hit.shapes.map((s) => `line ${s.line}: ${withArticle(shapeKind(s.shape))}`);
  if (hit.more) each.push(`${hit.more} more`);
  return ` (${each.join('; ')}; value not shown)`;
}

function fileFinding(path: string, hit: SecretHit, layer: number, where: string): RawFinding {
  const at = lines(hit);
  if (isFixturePath(path))
    return { id: 'SG509', path, layer, message: `${hit.what} in test fixture ${path}${at}${where}` };
  return { id: FILE_RULE[hit.kind], path, layer, message: `${hit.what} in ${path}${at}${where}` };
}

// ------------------------------------------------------------------------------------------- ENV

export function envSecretRules(env: readonly string[], dockerfile?: DockerfileInfo | null): RawFinding[] {
  const out: RawFinding[] = [];
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq <= 0) continue;
    const name = e.slice(0, eq);
    const value = e.slice(eq + 1);
    const line = dockerfile?.envLines[name];
    const loc = dockerfile && line ? { location: { file: dockerfile.path, line } } : {};
    const shape = findSecrets(value)[0]?.kind;
    if (shape) {
      out.push({
        id: 'SG504',
        env: name,
        message: `ENV ${name} holds ${withArticle(shape)} (value not shown)`,
        ...loc,
      });
      continue;
    }
    if (envSecretKind(name, value)) {
      out.push({
        id: 'SG503',
        env: name,
        message: `ENV ${name} has a literal value baked into the image config (value not shown)`,
        ...loc,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------- ENTRYPOINT / CMD

/** A credential in ENTRYPOINT or CMD (`postgres://svc:pw@db/app`, `--password=…`): it ships in the config. */
export function argvSecretRules(
  entrypoint: readonly string[] | null,
  cmd: readonly string[] | null,
  dockerfile?: DockerfileInfo | null,
): RawFinding[] {
  const out: RawFinding[] = [];
  const ep = entrypoint ?? [];
  // Judged as the runtime joins them, so `ENTRYPOINT ["curl"]` + `CMD ["-u", "me:pw"]` is seen whole.
  const hits = argvSecrets([...ep, ...(cmd ?? [])]);
  for (const [what, from, to, line] of [
    ['ENTRYPOINT', 0, ep.length, dockerfile?.entrypointLine],
    ['CMD', ep.length, Infinity, dockerfile?.cmdLine],
  ] as const) {
    const hit = hits.find((h) => h.index >= from && h.index < to);
    if (!hit) continue;
    out.push({
      id: 'SG506',
      message: `${what} holds ${withArticle(hit.spans[0]?.kind ?? 'secret')} (argument ${hit.index - from + 1}; value not shown)`,
      ...(dockerfile && line ? { location: { file: dockerfile.path, line } } : {}),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------- history

interface BuildArg {
  name: string;
  value: string;
  /** The whitespace after the value. */
  gap: string;
  secret: boolean;
}

/** The build-arg prefix the builders record: `|2 A=1 B=2 /bin/sh -c …` (classic), `RUN |2 A=1 B=2 …` (BuildKit). */
const BUILD_ARG_PREFIX = /^(\s*(?:RUN\s+)?\|(\d+)\s+)/;
const NEXT_ARG = /\s+(?=[A-Za-z_][A-Za-z0-9_]*=)/;
const SHELL = /^\/bin\/sh -c /;

/** A build arg's value is a secret by its name (SG503's judgement) or by its shape (SG504's). */
function isSecretArg(name: string, value: string): boolean {
  return value !== '' && (envSecretKind(name, value) !== null || findSecrets(value).length > 0);
}

/**
 * Splits a history command into its `|n K=V …` build args and the command after them — a shell form
 * (`/bin/sh -c …`) or an exec form (`/app --self-test`): both run with the args in their environment.
 */
function parseBuildArgs(s: string): { head: string; args: BuildArg[]; rest: string } {
  const m = BUILD_ARG_PREFIX.exec(s);
  if (!m) return { head: '', args: [], rest: s };
  const count = Number(m[2]);
  const args: BuildArg[] = [];
  let rest = s.slice(m[0].length);
  for (let i = 0; i < count; i++) {
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(rest);
    if (!kv) break;
    const name = kv[1] as string;
    const after = rest.slice(kv[0].length);
    // A value ends where the next K= begins; the last one where the shell begins (values may hold
    // spaces), or, in an exec form, at the first space.
    let end: number;
    if (i < count - 1) end = after.search(NEXT_ARG);
    else {
      end = after.search(/\s+\/bin\/sh -c /);
      if (end < 0) end = after.search(/\s/);
    }
    if (end < 0) end = after.length;
    const value = after.slice(0, end);
    rest = after.slice(end);
    const gap = /^\s+/.exec(rest)?.[0] ?? '';
    rest = rest.slice(gap.length);
    args.push({ name, value, gap, secret: isSecretArg(name, value) });
  }
  return { head: m[0], args, rest };
}

/**
 * Build args and commands recorded in the config history: the builders record every build arg of a RUN
 * there (`RUN |1 NPM_TOKEN=… /bin/sh -c npm ci`, or an exec form `RUN |1 TOKEN=… /app --self-test`), so a
 * secret passed as a build arg ships with the image; and a credential written into a RUN
 * (`export API_TOKEN=…`, `curl -u me:pw`, `-H "Authorization: Bearer …"`, `mysql -pPASS`) ships as well.
 * A value that the config still holds (ENV, ENTRYPOINT, CMD) is reported there, not again here.
 */
export function historySecretRules(
  history: readonly { created_by?: string }[],
  env: readonly string[] = [],
  argv: readonly string[] = [],
): RawFinding[] {
  const out: RawFinding[] = [];
  const seen = new Set<string>();
  const inConfig = (text: string): boolean =>
    env.some((e) => e.includes(text)) || argv.some((a) => a.includes(text));
  history.forEach((h, i) => {
    const cmd = typeof h.created_by === 'string' ? h.created_by : '';
    const { args, rest } = parseBuildArgs(cmd);
    for (const a of args) {
      if (!a.secret || seen.has(a.name)) continue;
      seen.add(a.name);
      out.push({
        id: 'SG505',
        env: a.name,
        message: `build arg ${a.name} is recorded in the image history (step ${i + 1}; value not shown)`,
      });
    }
    const body = rest.replace(SHELL, '');
    const hit = findSecrets(body).find((sp) => !inConfig(body.slice(sp.start, sp.end)));
    if (hit) {
      out.push({
        id: 'SG505',
        message: `${withArticle(hit.kind)} appears in the command of history step ${i + 1} (value not shown)`,
      });
    }
  });
  return out;
}

// ------------------------------------------------------------------------------------------ redaction

/**
 * A history command (`createdBy`) safe to show: the value of each build arg that SG505 reports becomes
 * `***`, as does that value anywhere else in the command and every secret findSecrets() finds.
 */
export function redactCommand(s: string): string {
  const { head, args, rest } = parseBuildArgs(s);
  const secrets = args.filter((a) => a.secret).map((a) => a.value);
  let out = head + args.map((a) => `${a.name}=${a.secret ? REDACTED : a.value}${a.gap}`).join('') + rest;
  // The same value written out again in the command itself (short ones would hit unrelated text).
  for (const v of secrets) if (v.length >= 6) out = out.split(v).join(REDACTED);
  return redactSecrets(out);
}

/** An ENV entry safe to show: `NAME=***` when SG503 would report it, its secrets redacted otherwise. */
export function redactEnv(entry: string): string {
  const eq = entry.indexOf('=');
  if (eq <= 0) return redactSecrets(entry);
  const name = entry.slice(0, eq);
  const value = entry.slice(eq + 1);
  if (envSecretKind(name, value)) return `${name}=${REDACTED}`;
  return `${name}=${redactSecrets(value)}`;
}
