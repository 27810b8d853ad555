/**
 * What a secret looks like (pure, shared by the scan, the rules and the renderers): secret-looking variable
 * names, and the shapes of secret values in free text (tokens with a known prefix, a URL's password, and the
 * ways commands pass credentials). Finding and redacting use the same spans, so anything a rule reports is
 * what the renderers hide, and nothing is hidden that no rule reports.
 *
 * The shapes were chosen after reading gitleaks' and trufflehog's published rule sets: only the ones with a
 * fixed prefix or a fixed context (few false positives), written here from scratch. Placeholders (`$VAR`,
 * `${X}`, `<token>`, `{{ x }}`, `xxx`, `***`) never count.
 */

// ------------------------------------------------------------------------------------------ names

const SECRET_WORDS = new Set([
  'TOKEN',
  'SECRET',
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PWD',
  'PASSPHRASE',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'PRIVATEKEY',
]);
/** Glued words that end in a secret word: PGPASSWORD, AUTHTOKEN, CLIENTSECRET. */
const SECRET_SUFFIX = /.(?:PASSWORD|PASSWD|TOKEN|SECRET)$/;
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
  'APP_KEY',
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

function isSecretWord(w: string, i: number): boolean {
  // PWD alone is the shell's working directory; MYSQL_PWD is a password.
  if (w === 'PWD') return i > 0;
  return SECRET_WORDS.has(w) || SECRET_SUFFIX.test(w);
}

/** True when a variable's name says it holds a secret (API_TOKEN, PGPASSWORD, MYSQL_PWD, APP_KEY). */
function isSecretName(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[_\-.]+/)
    .filter(Boolean);
  const last = words[words.length - 1] ?? '';
  if (NOT_A_VALUE.has(last)) return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    // A secret word followed by FILE, ID, URL… names something about a secret, not the secret itself.
    const len = isSecretWord(w, i) ? 1 : SECRET_PAIRS.has(`${w}_${words[i + 1] ?? ''}`) ? 2 : 0;
    if (len && !NOT_A_VALUE.has(words[i + len] ?? '')) return true;
  }
  return false;
}

/**
 * A value that stands for a secret without being one: a shell or template reference (`$X`, `${X}`,
 * `$(cmd)`, `{{ x }}`, `%s`), an angle-bracket or all-x placeholder, or an already redacted `***`.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    v.startsWith('$') ||
    v.startsWith('{{') ||
    /^<[^>]*>?$/.test(v) ||
    /^\[[^\]]*\]$/.test(v) ||
    /^%[sv]$/.test(v) ||
    /^(?:x+|X+|\*+|\.+|-+)$/.test(v)
  );
}

/** A literal worth reporting under a secret name: not empty, a boolean, a path, a reference or a bare URL. */
export function isLiteralSecretValue(value: string): boolean {
  const v = value.trim();
  if (v === '' || /^(?:true|false|yes|no|on|off|none|null|nil|0|1|-)$/i.test(v)) return false;
  if (v.startsWith('/') || isPlaceholder(v) || /^[a-z][a-z0-9+.-]*:\/\/[^@]*$/i.test(v)) return false;
  return true;
}

/** The kind of secret an ENV entry (or a build arg, or a dotenv line) looks like by its name, or null. */
export function envSecretKind(name: string, value: string): string | null {
  return isSecretName(name) && isLiteralSecretValue(value) ? 'a secret-looking name' : null;
}

export function unquote(v: string): string {
  return v.trim().replace(/^(["'])(.*)\1$/, '$2');
}

// ------------------------------------------------------------------------------------------ values

export interface SecretSpan {
  /** The shape's stable id (docs/secrets.md): `github-token`, `private-key`, `url-password`. */
  id: string;
  kind: string;
  /** The secret part of the match: what a renderer replaces. */
  start: number;
  end: number;
}

interface Shape {
  /** Stable id (docs/secrets.md); command shapes default to their kind, slugged. */
  id?: string;
  kind: string;
  /** Global and with indices; group 1, when it matched, is the secret part (else the whole match). */
  re: RegExp;
  /** The group that holds the secret, its quotes not included (default: group 1 if it matched). */
  group?: number;
  /** Where the secret starts inside that group's unquoted text (curl's `user:pw` keeps the user). */
  from?: (value: string) => number;
  /** Is the secret part really one? (default: not a placeholder) */
  accept?: (secret: string, m: RegExpExecArray) => boolean;
  /** Only after this word in the same command (between `;`, `&`, `|` and newlines): `curl … -u`. */
  after?: RegExp;
}

const g = (re: RegExp): RegExp => new RegExp(re.source, `${re.flags.replace(/[gd]/g, '')}gd`);

/** Shapes that are secrets wherever they appear. */
// Linear on hostile text (issue 12 §3): repetitions are bounded, and a shape whose characters include `-`
// starts only where a run of them starts (a lookbehind, not \b), so the runs it scans never overlap.
const TOKENS: Shape[] = [
  { id: 'github-token', kind: 'GitHub token', re: g(/\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b/) },
  { id: 'github-fine-grained-token', kind: 'GitHub token', re: g(/\bgithub_pat_[A-Za-z0-9_]{22,255}/) },
  {
    id: 'aws-access-key-id',
    kind: 'AWS access key id',
    re: g(/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/),
    // AWS's documented example keys (AKIAIOSFODNN7EXAMPLE) are everywhere in docs and SDKs.
    accept: (v) => !v.endsWith('EXAMPLE'),
  },
  { id: 'gitlab-token', kind: 'GitLab token', re: g(/(?<![\w-])glpat-[A-Za-z0-9_-]{20,255}/) },
  { id: 'slack-token', kind: 'Slack token', re: g(/(?<![\w-])xox[abposre]-[A-Za-z0-9-]{10,255}/) },
  {
    id: 'slack-app-token',
    kind: 'Slack token',
    re: g(/(?<![\w-])xapp-\d-[A-Za-z0-9]{1,64}-\d{1,32}-[A-Za-z0-9]{1,255}/),
  },
  {
    id: 'slack-webhook',
    kind: 'Slack webhook',
    re: g(/\bhooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/+-]{16,255})/),
  },
  { id: 'stripe-key', kind: 'Stripe key', re: g(/\b[sr]k_live_[A-Za-z0-9]{16,255}/) },
  { id: 'npm-token', kind: 'npm token', re: g(/\bnpm_[A-Za-z0-9]{36}\b/) },
  { id: 'pypi-token', kind: 'PyPI token', re: g(/(?<![\w-])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,1024}/) },
  { id: 'docker-hub-token', kind: 'Docker Hub token', re: g(/(?<![\w-])dckr_pat_[A-Za-z0-9_-]{20,255}/) },
  { id: 'hugging-face-token', kind: 'Hugging Face token', re: g(/\bhf_[A-Za-z]{34}\b/) },
  { id: 'digitalocean-token', kind: 'DigitalOcean token', re: g(/\bdo[opr]_v1_[a-f0-9]{64}\b/) },
  { id: 'sendgrid-key', kind: 'SendGrid key', re: g(/(?<![\w-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/) },
  { id: 'google-api-key', kind: 'Google API key', re: g(/(?<![\w-])AIza[0-9A-Za-z_-]{35}/) },
  {
    id: 'openai-anthropic-key',
    kind: 'API key',
    re: g(/(?<![\w-])sk-(?:proj-|ant-[a-z0-9]{1,16}-)?[A-Za-z0-9_-]{40,512}/),
  },
  {
    id: 'jwt',
    kind: 'JSON Web Token',
    re: g(/(?<![\w-])eyJ[A-Za-z0-9_-]{8,512}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,1024}/),
  },
  { id: 'base64-key', kind: 'base64 key', re: g(/\bbase64:([A-Za-z0-9+/]{32,1024}={0,2})/) },
  { id: 'azure-storage-key', kind: 'Azure storage key', re: g(/\bAccountKey=([A-Za-z0-9+/]{40,255}={0,2})/) },
  {
    id: 'private-key',
    kind: 'private key',
    // To its END line, or to the end of the text when that was cut off.
    re: g(
      /-----BEGIN [A-Z0-9 ]{0,64}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,64}PRIVATE KEY(?: BLOCK)?-----|$)/,
    ),
  },
  // The pair's secret half, named by its key (`aws_secret_access_key = …`, `"SecretAccessKey": "…"`).
  {
    id: 'aws-secret-access-key',
    kind: 'AWS secret access key',
    re: g(
      /(?<![A-Za-z0-9])(?:aws_?)?secret_?access_?key["']?\s{0,8}[:=]>?\s{0,8}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
    ),
    accept: (v) => !v.includes('EXAMPLE') && !isPlaceholder(v),
  },
  // The password only; the scheme, the user (which may be empty: redis://:pw@host) and the host stay.
  {
    id: 'url-password',
    kind: 'URL with a password',
    re: g(/(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:@/"']{0,255}:([^\s@/"']{1,512})@(?=[^\s@])/i),
  },
];

const VALUE = String.raw`("[^"]*"|'[^']*'|[^\s"';&|)]+)`;
/** Kept apart from VALUE: a value glued to its flag (`-pPASS`) or after `user:` may be quoted in part. */
const WORD = String.raw`("[^"]*"|'[^']*'|[^\s"';&|)]+)`;
const FLAG_WORDS = String.raw`(?:[a-z0-9]+-)*(?:password|passwd|pass|token|api-?key|access-key|secret-key|auth-token)|(?:[a-z0-9]+-)+secret`;

/** Where a value sits inside a quoted VALUE capture: the quotes are not part of the secret. */
function inner(m: RegExpExecArray, group: number): [number, number] | null {
  const span = m.indices?.[group];
  const text = m[group];
  if (!span || text === undefined) return null;
  const q = text.length >= 2 && /^["']/.test(text) && text.endsWith(text[0] as string) ? 1 : 0;
  return [span[0] + q, span[1] - q];
}

/** How commands (RUN bodies, ENTRYPOINT and CMD) pass credentials. */
const COMMANDS: Shape[] = [
  {
    // `export API_TOKEN=…`, `DB_PASS=… ./migrate`, `env MYSQL_PWD=… mysql`
    kind: 'secret assignment',
    re: g(
      new RegExp(
        String.raw`(?:^|[\s;&|(])(?:export\s+|declare\s+-x\s+|readonly\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=${VALUE}`,
      ),
    ),
    group: 2,
    accept: (v, m) => isSecretName(m[1] as string) && isLiteralSecretValue(v),
  },
  {
    // curl -u user:pw, --user 'user:pw' (a user alone makes curl prompt: no secret)
    kind: 'curl password',
    after: /\bcurl\b/,
    re: g(new RegExp(String.raw`\s(?:-u|--user)(?:\s+|=)${WORD}`)),
    group: 1,
    from: (v) => (v.indexOf(':') < 0 ? v.length : v.indexOf(':') + 1),
  },
  {
    // mysql -pPASS (a bare -p prompts; -P is the port)
    kind: 'MySQL password',
    after: /\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mariadb(?:-dump|-admin)?)\b/,
    re: g(new RegExp(String.raw`\s-p${WORD}`)),
    group: 1,
  },
  { kind: 'sshpass password', re: g(new RegExp(String.raw`\bsshpass\s+-p\s*${WORD}`)), group: 1 },
  {
    kind: 'OpenSSL password',
    re: g(new RegExp(String.raw`(?:^|\s)-pass(?:in|out)?\s+${WORD}`)),
    group: 1,
    from: (v) => (v.startsWith('pass:') ? 5 : v.length),
  },
  {
    // --password=…, --db-password …, --api-key …, --client-secret …
    kind: 'password flag',
    re: g(new RegExp(String.raw`(?:^|\s)--(?:${FLAG_WORDS})(?:=|\s+)${VALUE}`, 'i')),
    group: 1,
  },
  {
    kind: 'authorization header',
    re: g(
      /\b(?:Proxy-)?Authorization:\s*(?:(?:Bearer|Basic|Token|Bot|Api-Token|Digest|Negotiate)\s+)?([^\s"'\\]+)/i,
    ),
    group: 1,
    accept: (v) => !isPlaceholder(v) && !/^(?:Bearer|Basic|Token)$/i.test(v),
  },
  {
    kind: 'API key header',
    re: g(/\b(?:PRIVATE-TOKEN|X-[A-Za-z-]*(?:Token|Api-?Key|Auth)|Api-?Key):\s*([^\s"'\\]+)/i),
    group: 1,
  },
];

function collect(text: string, shapes: readonly Shape[], out: SecretSpan[]): void {
  for (const s of shapes) {
    if (!s.after) {
      scan(s, text, 0, text.length, out);
      continue;
    }
    // Each command segment is scanned once, from the first time its command word appears.
    for (const seg of text.matchAll(/[^;&|\n]+/g)) {
      const c = seg[0].search(s.after);
      if (c >= 0) scan(s, text, seg.index + c, seg.index + seg[0].length, out);
    }
  }
}

function scan(s: Shape, text: string, from: number, to: number, out: SecretSpan[]): void {
  s.re.lastIndex = from;
  for (let m = s.re.exec(text); m && m.index < to; m = s.re.exec(text)) {
    if (m[0] === '') s.re.lastIndex++;
    const at = inner(m, s.group ?? 1);
    const [first, end] = at ?? [m.index, m.index + m[0].length];
    const start = first + (s.from ? s.from(text.slice(first, end)) : 0);
    if (end <= start) continue;
    const secret = text.slice(start, end);
    if (!(s.accept ? s.accept(secret, m) : !isPlaceholder(secret))) continue;
    out.push({ id: s.id ?? s.kind.replace(/\W+/g, '-').toLowerCase(), kind: s.kind, start, end });
  }
}

/** "a JSON Web Token", "an API key", "a URL with a password": for messages. */
export function withArticle(kind: string): string {
  return `${/^[aeiouAEIO]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/** Every secret in a piece of text (an ENV value, a command, an argument, a line of a file), in order. */
export function findSecrets(text: string): SecretSpan[] {
  const out: SecretSpan[] = [];
  collect(text, TOKENS, out);
  collect(text, COMMANDS, out);
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * The shapes the content scan matches in every text file of every layer (src/scan/secret-content.ts): the
 * ones with a fixed prefix or a fixed frame, found near one of its anchors. Command shapes (`--password x`,
 * `export TOKEN=…`) are not among them: in source and scripts they are mostly examples and references.
 */
const CONTENT = new Set([
  'private-key',
  'aws-access-key-id',
  'aws-secret-access-key',
  'github-token',
  'github-fine-grained-token',
  'gitlab-token',
  'slack-token',
  'stripe-key',
  'google-api-key',
  'url-password',
]);
const CONTENT_SHAPES = TOKENS.filter((s) => CONTENT.has(s.id ?? ''));

/** The content shapes in a window of a file's text (tokens and frames only), in order. */
export function findContentSecrets(text: string): SecretSpan[] {
  const out: SecretSpan[] = [];
  collect(text, CONTENT_SHAPES, out);
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Every shape id with its kind, and whether the content scan looks for it (docs/secrets.md, tests). */
export function shapeTable(): { id: string; kind: string; content: boolean }[] {
  return TOKENS.map((s) => ({ id: s.id ?? '', kind: s.kind, content: CONTENT.has(s.id ?? '') }));
}

/** The placeholder every redacted secret becomes, on every surface. */
export const REDACTED = '***';

/** Replaces each span (overlaps merged) with the placeholder. */
function redactSpans(text: string, spans: readonly SecretSpan[]): string {
  if (!spans.length) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.end <= at) continue;
    out += text.slice(at, Math.max(at, s.start)) + (s.start >= at ? REDACTED : '');
    at = s.end;
  }
  return out + text.slice(at);
}

/** The text with every secret found by findSecrets() replaced. */
export function redactSecrets(text: string): string {
  return redactSpans(text, findSecrets(text));
}

// ------------------------------------------------------------------------------------------ argv

const SECRET_FLAG = new RegExp(String.raw`^--(?:${FLAG_WORDS})$`, 'i');

/**
 * The secrets in an argument vector (ENTRYPOINT + CMD): each argument's own (findSecrets), plus the value
 * that follows a separate secret flag (`--password`, `x`) and curl's separate `-u`, `user:pw`.
 */
export function argvSecrets(argv: readonly string[]): { index: number; spans: SecretSpan[] }[] {
  const out: { index: number; spans: SecretSpan[] }[] = [];
  const curl = argv.some((a) => /(?:^|\/)curl$/.test(a));
  argv.forEach((arg, index) => {
    const prev = argv[index - 1] ?? '';
    const spans = findSecrets(arg);
    if (SECRET_FLAG.test(prev) && !isPlaceholder(arg) && arg !== '') {
      spans.push({ id: 'password-flag', kind: 'password flag', start: 0, end: arg.length });
    } else if (curl && (prev === '-u' || prev === '--user')) {
      const colon = arg.indexOf(':');
      if (colon >= 0 && colon < arg.length - 1 && !isPlaceholder(arg.slice(colon + 1)))
        spans.push({ id: 'curl-password', kind: 'curl password', start: colon + 1, end: arg.length });
    }
    if (spans.length) out.push({ index, spans: spans.sort((a, b) => a.start - b.start) });
  });
  return out;
}

/** ENTRYPOINT or CMD safe to show: each secret argvSecrets() finds becomes the placeholder. */
export function redactArgv(argv: readonly string[]): string[] {
  const hits = new Map(argvSecrets(argv).map((h) => [h.index, h.spans]));
  return argv.map((a, i) => redactSpans(a, hits.get(i) ?? []));
}

// ------------------------------------------------------------------------------------ Go build settings

/** `-X importpath.name=value` in a Go `-ldflags` setting (also `-X=…` and a quoted `'-X …'`). */
const LDFLAG_X = /(?:^|[\s'"])-X[=\s]+['"]?([^\s='"]{1,512})=([^\s'"]*)/g;

/**
 * The secrets in one Go build setting: every shape findSecrets() finds in its value, and the value of
 * each `-X pkg.name=value` whose name says it holds a secret (`main.password`, `config.apiToken`).
 */
export function buildSettingSecrets(value: string): SecretSpan[] {
  const out = findSecrets(value);
  for (const m of value.matchAll(LDFLAG_X)) {
    const name = m[1] as string;
    const v = m[2] as string;
    const word = name.slice(name.lastIndexOf('.') + 1).replace(/([a-z0-9])([A-Z])/g, '$1_$2');
    if (!envSecretKind(word, v)) continue;
    const start = (m.index as number) + m[0].length - v.length;
    out.push({ id: 'go-secret-variable', kind: 'secret-named variable', start, end: start + v.length });
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** A Go build setting's value safe to show: each secret buildSettingSecrets() finds becomes `***`. */
export function redactBuildSetting(value: string): string {
  return redactSpans(value, buildSettingSecrets(value));
}
