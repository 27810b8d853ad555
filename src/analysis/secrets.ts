/**
 * Secret rules (pure): private keys and credential files baked into the file system, secret-looking ENV
 * entries and build args recorded in the image history. Values are never echoed: messages name the path
 * or the variable and the kind of secret only.
 *
 * Precision decisions (docs/rules.md#secret-precision):
 * - Keys under test-fixture paths (testdata, test, tests, __tests__, fixtures, spec, example(s)) are the
 *   fixtures that toolchains and libraries ship (Go's crypto/tls testdata, CPython's test keys, npm
 *   packages' test certs): they are SG509, severity info, not errors.
 * - A credential file counts only when it holds a credential (an `_authToken`, an `auth` in `auths`, a
 *   `password`); a `.docker/config.json` that only names a credsStore is fine.
 * - ENV names match whole words (API_TOKEN, not TOKENIZERS_PARALLELISM); values that are empty, booleans,
 *   paths or references (`*_FILE=/run/secrets/x`) are fine.
 */
import type { FlatFile } from '../flatten/flatten.js';
import { isSecretCandidate } from '../scan/heads.js';
import type { DockerfileInfo } from './dockerfile.js';
import type { RawFinding } from './finding.js';
import { basename, type ImageFs } from './fsview.js';

export { isSecretCandidate };

const PRIVATE_KEY = /-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/;

/** Path components that mark a test fixture shipped by a toolchain or a library. */
const FIXTURE_DIR = /\/(?:testdata|test|tests|__tests__|testing|fixtures?|test-fixtures|spec|examples?)\//i;

export function isFixturePath(path: string): boolean {
  return FIXTURE_DIR.test(path);
}

interface Credential {
  kind: string;
  test: (path: string, text: string) => boolean;
}

const ENV_EXAMPLE = /\.env\.(?:example|sample|template|dist|defaults?)$/i;

const CREDENTIALS: Credential[] = [
  {
    kind: 'AWS credentials',
    test: (p, t) =>
      p.endsWith('/.aws/credentials') && /^\s*aws_(?:secret_access_key|session_token)\s*=\s*\S/m.test(t),
  },
  {
    kind: 'npm auth token',
    test: (p, t) => basename(p) === '.npmrc' && /(?:_authToken|_auth|_password)\s*=\s*(?!\$\{)\S/.test(t),
  },
  {
    kind: 'Docker registry credentials',
    test: (p, t) =>
      (p.endsWith('/.docker/config.json') || basename(p) === '.dockercfg') &&
      /"(?:auth|identitytoken|password)"\s*:\s*"[^"]+"/.test(t),
  },
  {
    kind: 'netrc password',
    test: (p, t) => /^[._]netrc$/.test(basename(p)) && /\bpassword\s+\S/.test(t),
  },
  {
    kind: 'git credentials',
    test: (p, t) => basename(p) === '.git-credentials' && /^[a-z][\w+.-]*:\/\/[^:\s/@]+:[^@\s]+@/im.test(t),
  },
  {
    kind: 'PyPI password',
    test: (p, t) => basename(p) === '.pypirc' && /^\s*password\s*[=:]\s*\S/m.test(t),
  },
  {
    kind: 'dotenv secrets',
    test: (p, t) =>
      (basename(p) === '.env' || /^\.env\./.test(basename(p))) &&
      !ENV_EXAMPLE.test(basename(p)) &&
      t.split('\n').some((line) => {
        const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
        return !!m && envSecretKind(m[1] as string, unquote(m[2] as string)) !== null;
      }),
  },
];

function unquote(v: string): string {
  return v.trim().replace(/^(["'])(.*)\1$/, '$2');
}

export function fileSecretRules(fs: ImageFs): RawFinding[] {
  const out: RawFinding[] = [];
  for (const f of fs.files) {
    if ((f.type !== 'file' && f.type !== 'hardlink') || !f.head || !isSecretCandidate(f.path)) continue;
    const text = f.head.toString('latin1');
    const key = PRIVATE_KEY.exec(text);
    if (key) {
      out.push(keyFinding(f, key[1] as string));
      continue;
    }
    for (const c of CREDENTIALS) {
      if (!c.test(f.path, text)) continue;
      out.push(
        isFixturePath(f.path)
          ? { id: 'SG509', path: f.path, message: `${c.kind} in test fixture ${f.path}` }
          : { id: 'SG502', path: f.path, message: `${c.kind} in ${f.path}` },
      );
      break;
    }
  }
  return out;
}

function keyFinding(f: FlatFile, label: string): RawFinding {
  const what = label.toLowerCase();
  if (isFixturePath(f.path)) {
    return { id: 'SG509', path: f.path, message: `${what} in test fixture ${f.path}` };
  }
  return { id: 'SG501', path: f.path, message: `${what} in ${f.path}` };
}

// ------------------------------------------------------------------------------------------- ENV

const SECRET_WORDS = new Set([
  'TOKEN',
  'SECRET',
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'PRIVATEKEY',
]);
const SECRET_PAIRS = new Set([
  'API_KEY',
  'ACCESS_KEY',
  'PRIVATE_KEY',
  'SECRET_KEY',
  'AUTH_KEY',
  'CLIENT_KEY',
  'SIGNING_KEY',
  'ENCRYPTION_KEY',
  'MASTER_KEY',
]);
/** A trailing word that says the value is about a secret, not the secret itself. */
const NOT_A_VALUE = new Set([
  'FILE',
  'PATH',
  'DIR',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'PORT',
  'NAME',
  'ID',
  'TYPE',
  'LENGTH',
  'SIZE',
  'TTL',
  'EXPIRY',
  'EXPIRES',
  'TIMEOUT',
  'HEADER',
  'ENABLED',
  'REQUIRED',
  'VERSION',
  'FORMAT',
  'PROVIDER',
  'ALGORITHM',
  'SCOPE',
  'SCOPES',
  'AUDIENCE',
  'ISSUER',
  'REF',
  'ARN',
  'MODE',
  'COMMAND',
  'CMD',
]);

export const TOKEN_SHAPES: { kind: string; re: RegExp }[] = [
  { kind: 'GitHub token', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b/ },
  { kind: 'GitHub token', re: /\bgithub_pat_[A-Za-z0-9_]{22,}/ },
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { kind: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: 'Stripe key', re: /\b[sr]k_live_[A-Za-z0-9]{16,}/ },
  { kind: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}/ },
  { kind: 'API key', re: /\bsk-(?:proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{40,}/ },
  { kind: 'private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { kind: 'URL with a password', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:(?!\$)[^\s@/]+@[^\s]/i },
];

function tokenMatch(value: string): { kind: string; text: string } | null {
  for (const t of TOKEN_SHAPES) {
    const m = t.re.exec(value);
    if (m) return { kind: t.kind, text: m[0] };
  }
  return null;
}

export function tokenShape(value: string): string | null {
  for (const t of TOKEN_SHAPES) if (t.re.test(value)) return t.kind;
  return null;
}

/** The kind of secret an ENV entry looks like by its name, or null. */
export function envSecretKind(name: string, value: string): string | null {
  const words = name
    .toUpperCase()
    .split(/[_\-.]+/)
    .filter(Boolean);
  const last = words[words.length - 1] ?? '';
  if (NOT_A_VALUE.has(last)) return null;
  let hit = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    // A secret word followed by FILE, ID, URL… names something about a secret, not the secret itself.
    const len = SECRET_WORDS.has(w) ? 1 : SECRET_PAIRS.has(`${w}_${words[i + 1] ?? ''}`) ? 2 : 0;
    if (len && !NOT_A_VALUE.has(words[i + len] ?? '')) hit = true;
  }
  if (!hit) return null;
  const v = value.trim();
  if (v === '' || /^(?:true|false|yes|no|on|off|none|null|nil|0|1|-)$/i.test(v)) return null;
  if (v.startsWith('/') || v.startsWith('$') || /^[a-z][a-z0-9+.-]*:\/\/[^@]*$/i.test(v)) return null;
  return 'a secret-looking name';
}

export function envSecretRules(env: readonly string[], dockerfile?: DockerfileInfo | null): RawFinding[] {
  const out: RawFinding[] = [];
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq <= 0) continue;
    const name = e.slice(0, eq);
    const value = e.slice(eq + 1);
    const line = dockerfile?.envLines[name];
    const loc = dockerfile && line ? { location: { file: dockerfile.path, line } } : {};
    const shape = tokenShape(value);
    if (shape) {
      out.push({ id: 'SG504', env: name, message: `ENV ${name} holds a ${shape} (value not shown)`, ...loc });
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

/**
 * Build args and commands recorded in the config history ("|1 NPM_TOKEN=… /bin/sh -c npm ci"): the classic
 * builder records every --build-arg of a RUN there, so a secret passed as a build arg ships with the image.
 */
export function historySecretRules(
  history: readonly { created_by?: string }[],
  env: readonly string[] = [],
): RawFinding[] {
  const out: RawFinding[] = [];
  const seen = new Set<string>();
  history.forEach((h, i) => {
    const cmd = h.created_by ?? '';
    // Classic builder: `|1 K=V /bin/sh -c …`; BuildKit: `RUN |1 K=V /bin/sh -c …`.
    const m = /^(?:RUN )?\|\d+ (.*?) \/bin\/sh -c /s.exec(cmd);
    if (m) {
      for (const kv of (m[1] as string).split(/\s+(?=[A-Za-z_][A-Za-z0-9_]*=)/)) {
        const eq = kv.indexOf('=');
        if (eq <= 0) continue;
        const name = kv.slice(0, eq);
        const value = kv.slice(eq + 1);
        const kind = tokenShape(value) ?? envSecretKind(name, value);
        if (!kind || seen.has(name)) continue;
        seen.add(name);
        out.push({
          id: 'SG505',
          env: name,
          message: `build arg ${name} is recorded in the image history (step ${i + 1}; value not shown)`,
        });
      }
    }
    const body = cmd.replace(/^(?:RUN )?\|\d+ .*? \/bin\/sh -c /s, '');
    const hit = tokenMatch(body);
    // An ENV step's token that is still in the config is reported once, as SG504, not again here.
    if (hit && env.some((e) => e.includes(hit.text))) return;
    const shape = hit?.kind;
    if (shape && !seen.has(`#${i}`)) {
      seen.add(`#${i}`);
      out.push({
        id: 'SG505',
        message: `a ${shape} appears in the command of history step ${i + 1} (value not shown)`,
      });
    }
  });
  return out;
}

// ------------------------------------------------------------------------------------------ redaction

const REDACTED = '***';

/**
 * Each token shape as a global pattern and what replaces a match: the whole token, but a URL keeps its
 * scheme, user and host (only the password goes), and a PEM key goes up to its END line.
 */
const TOKEN_REDACTIONS: { re: RegExp; to: string }[] = TOKEN_SHAPES.map((t) => {
  if (t.kind === 'private key')
    return {
      re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
      to: REDACTED,
    };
  if (t.kind === 'URL with a password')
    return { re: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:)(?!\$)[^\s@/]+(@)(?=[^\s])/gi, to: `$1${REDACTED}$2` };
  return { re: new RegExp(t.re.source, `${t.re.flags.replace('g', '')}g`), to: REDACTED };
});

/** Replaces every token-shaped substring (ghp_…, AKIA…, npm_…, glpat-…, a URL's password) with `***`. */
export function redactTokens(s: string): string {
  let out = s;
  for (const r of TOKEN_REDACTIONS) out = out.replace(r.re, r.to);
  return out;
}

/** The build-arg prefix the builders record: `|2 A=1 B=2 /bin/sh -c …` (classic), `RUN |2 A=1 B=2 …` (BuildKit). */
const BUILD_ARG_PREFIX = /^(\s*(?:RUN\s+)?\|(\d+)\s+)/;
const NEXT_ARG = /\s+(?=[A-Za-z_][A-Za-z0-9_]*=)/;

/**
 * A history command (`createdBy`) safe to show: the value of each build arg in the `|n K=V …` prefix that
 * SG505 would report (a secret-looking name or a token-shaped value) becomes `***`, as does that value
 * anywhere else in the command and every token-shaped substring. Other commands are returned unchanged.
 */
export function redactCommand(s: string): string {
  const m = BUILD_ARG_PREFIX.exec(s);
  const secrets: string[] = [];
  let out = s;
  if (m) {
    const count = Number(m[2]);
    let rest = s.slice(m[0].length);
    let done = m[0];
    for (let i = 0; i < count; i++) {
      const kv = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(rest);
      if (!kv) break;
      const name = kv[1] as string;
      const after = rest.slice(kv[0].length);
      // A value ends where the next K= begins; the last one where the shell begins (values may hold spaces).
      let end: number;
      if (i < count - 1) end = after.search(NEXT_ARG);
      else {
        end = after.search(/\s+\/bin\/sh -c /);
        if (end < 0) end = after.search(/\s/);
      }
      if (end < 0) end = after.length;
      const value = after.slice(0, end);
      const secret = value !== '' && (tokenShape(value) ?? envSecretKind(name, value)) !== null;
      if (secret) secrets.push(value);
      done += `${name}=${secret ? REDACTED : value}`;
      rest = after.slice(end);
      const gap = /^\s+/.exec(rest)?.[0] ?? '';
      done += gap;
      rest = rest.slice(gap.length);
    }
    out = done + rest;
  }
  // The same value written out again in the command itself (short ones would hit unrelated text).
  for (const v of secrets) if (v.length >= 6) out = out.split(v).join(REDACTED);
  return redactTokens(out);
}

/** An ENV entry safe to show: `NAME=***` when SG503/SG504 would report it, token-shaped parts redacted otherwise. */
export function redactEnv(entry: string): string {
  const eq = entry.indexOf('=');
  if (eq <= 0) return redactTokens(entry);
  const name = entry.slice(0, eq);
  const value = entry.slice(eq + 1);
  if (envSecretKind(name, value)) return `${name}=${REDACTED}`;
  return `${name}=${redactTokens(value)}`;
}
