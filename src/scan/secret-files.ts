/**
 * Secret files, decided while their bodies stream past the scan: which files are candidates (by name), and
 * a line-oriented matcher that reads a candidate's body up to SECRET_READ_CAP and keeps only its verdict —
 * never the bytes. Memory per file is one line (at most MAX_LINE characters), so a key after 4 KiB of
 * certificates, or a token deep in an .npmrc, is found without the scan holding either file.
 */
import {
  envSecretKind,
  findSecrets,
  isLiteralSecretValue,
  isPlaceholder,
  unquote,
} from '../util/secret-shapes.js';
import { shapeKind, type ContentHit, type ContentVerdict } from './secret-content.js';

/** How far into a candidate file the matcher reads. Real credential files are far smaller. */
export const SECRET_READ_CAP = 1024 * 1024;
/** Longer lines are read in windows of this size that overlap by OVERLAP, so no short match is cut. */
const MAX_LINE = 16 * 1024;
const OVERLAP = 512;

export type SecretFileKind =
  'key' | 'aws' | 'npmrc' | 'docker' | 'netrc' | 'git-credentials' | 'pypirc' | 'dotenv' | 'kube';

/**
 * What the matchers found in a file: a private key (SG501), a credential file (SG502), a token in its
 * content (SG507) or a URL with a password in its content (SG508), and its kind.
 */
export interface SecretHit {
  kind: SecretHitKind;
  /** "rsa private key", "npm auth token", "GitHub token" — never the value. */
  what: string;
  /** The content shapes found in the body (secret-content.ts) and their lines, at most MAX_FILE_HITS. */
  shapes?: ContentHit[];
  /** Content hits beyond those kept. */
  more?: number;
}

export type SecretHitKind = 'key' | 'credential' | 'token' | 'url';
export const SECRET_HIT_KINDS: readonly SecretHitKind[] = ['key', 'credential', 'token', 'url'];

/**
 * The verdict of a file from both matchers: a candidate file's own verdict stands (its matcher already
 * looks for keys); otherwise the content shapes, a private key first, then a token, then a URL password.
 */
export function mergeSecretHits(
  named: SecretHit | undefined,
  content: ContentVerdict | undefined,
): SecretHit | undefined {
  if (named || !content) return named;
  const key = content.hits.find((h) => h.shape === 'private-key');
  const token = content.hits.find((h) => h.shape !== 'url-password');
  const first = key ?? token ?? (content.hits[0] as ContentHit);
  const kind: SecretHitKind = key ? 'key' : token ? 'token' : 'url';
  return {
    kind,
    what: shapeKind(first.shape),
    shapes: content.hits,
    ...(content.more ? { more: content.more } : {}),
  };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `id_rsa.bak`, `.npmrc~`, `server.key.orig`: a backup copy is the same secret under another name. */
const BACKUP = /(?:\.(?:bak|backup|old|orig|save|sav|copy|tmp|\d+)|~)$/i;
const EXAMPLE = /(?:^|[._-])(?:example|sample|template|dist|defaults?)(?:[._-]|$)/i;

/** The kind of secret file a path names, or undefined when its content is not read for secrets. */
/** A cheap first look (this runs for every file of every layer): could the name be a candidate at all? */
const MAYBE =
  /^(?:[._]|id_|config|credentials|kubeconfig)|\.(?:pem|key|p8|pk8|ppk|env|kubeconfig|conf)(?:$|[.~])/i;

export function secretFileKind(path: string): SecretFileKind | undefined {
  let name = baseName(path);
  if (!MAYBE.test(name)) return undefined;
  for (let i = 0; i < 3 && BACKUP.test(name); i++) name = name.replace(BACKUP, '');
  if (/\.(?:pem|key|p8|pk8|ppk)$/i.test(name)) return 'key';
  if (
    /^id_(?:rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk|xmss)(?:[._-][\w.-]*)?$/.test(name) &&
    !name.endsWith('.pub')
  )
    return 'key';
  if (name === '.npmrc') return 'npmrc';
  if (name === '.netrc' || name === '_netrc') return 'netrc';
  if (name === '.git-credentials') return 'git-credentials';
  if (name === '.pypirc') return 'pypirc';
  if (name === '.dockercfg') return 'docker';
  if (
    (name === '.env' || /^\.env\.[\w.-]+$/.test(name) || /^[\w.-]+\.env$/.test(name)) &&
    !EXAMPLE.test(name.replace(/^\.env/, ''))
  )
    return 'dotenv';
  const dir = path.slice(0, path.length - baseName(path).length);
  if (name === 'config.json' && dir.endsWith('/.docker/')) return 'docker';
  if (name === 'credentials' && dir.endsWith('/.aws/')) return 'aws';
  if (name === 'config' && dir.endsWith('/.kube/')) return 'kube';
  if (/^(?:kubeconfig(?:\.ya?ml)?|[\w.-]+\.kubeconfig)$/.test(name)) return 'kube';
  if (dir === '/etc/kubernetes/' && name.endsWith('.conf')) return 'kube';
  return undefined;
}

const KEY_LINE = /-----BEGIN ((?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)?)-----/;
const PUTTY_LINE = /^PuTTY-User-Key-File-\d+: /;

/** One test per credential file kind: does this line hold a literal credential? */
const LINE_TESTS: Record<
  Exclude<SecretFileKind, 'key'>,
  { what: string; test: (line: string) => boolean }
> = {
  aws: {
    what: 'AWS credentials',
    test: (l) => literal(/^\s*aws_(?:secret_access_key|session_token)\s*=\s*(.*)$/.exec(l)?.[1]),
  },
  npmrc: {
    what: 'npm auth token',
    test: (l) => literal(/(?:^|[\s:])(?:_authToken|_auth|_password)\s*=\s*(.*)$/.exec(l)?.[1]),
  },
  docker: {
    what: 'Docker registry credentials',
    test: (l) => {
      for (const m of l.matchAll(/"(?:auth|identitytoken|password)"\s*:\s*"([^"]*)"/g))
        if (literal(m[1])) return true;
      return false;
    },
  },
  netrc: { what: 'netrc password', test: (l) => literal(/(?:^|\s)password\s+(\S+)/.exec(l)?.[1]) },
  'git-credentials': {
    what: 'git credentials',
    test: (l) => literal(/^\s*[a-z][\w+.-]*:\/\/[^:\s/@]*:([^@\s]+)@/i.exec(l)?.[1]),
  },
  pypirc: { what: 'PyPI password', test: (l) => literal(/^\s*password\s*[=:]\s*(.*)$/.exec(l)?.[1]) },
  dotenv: {
    what: 'dotenv secrets',
    test: (l) => {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(l);
      if (!m) return false;
      const value = unquote(m[2] as string);
      return envSecretKind(m[1] as string, value) !== null || findSecrets(value).length > 0;
    },
  },
  kube: {
    what: 'Kubernetes credentials',
    test: (l) =>
      literal(
        /^\s*-?\s*(?:token|client-key-data|password|id-token|refresh-token|access-token|client-secret)\s*:\s*(.*)$/.exec(
          l,
        )?.[1],
      ),
  },
};

function literal(v: string | undefined): boolean {
  if (v === undefined) return false;
  const value = unquote(v.replace(/\s+#.*$/, ''));
  return (
    value !== '' && value !== 'null' && value !== '~' && !isPlaceholder(value) && isLiteralSecretValue(value)
  );
}

/**
 * Reads a candidate's body as it streams: lines are matched one at a time and dropped. A private key wins
 * over a credential (it is the graver finding), so after a credential only key lines are still looked for.
 */
export class SecretMatcher {
  private partial = '';
  private read = 0;
  private key: string | undefined;
  private credential: string | undefined;

  constructor(private readonly kind: SecretFileKind) {}

  write(chunk: Uint8Array): void {
    if (this.key !== undefined || this.read >= SECRET_READ_CAP) return;
    const n = Math.min(chunk.length, SECRET_READ_CAP - this.read);
    this.read += n;
    const text = this.partial + Buffer.from(chunk.buffer, chunk.byteOffset, n).toString('latin1');
    let start = 0;
    for (
      let nl = text.indexOf('\n', start);
      nl !== -1 && this.key === undefined;
      nl = text.indexOf('\n', start)
    ) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = this.key === undefined ? text.slice(start) : '';
    // A line with no end yet: match what there is, keep only an overlap for the rest.
    if (this.partial.length > MAX_LINE) {
      this.line(this.partial);
      this.partial = this.partial.slice(-OVERLAP);
    }
  }

  end(): SecretHit | undefined {
    if (this.key === undefined && this.partial) this.line(this.partial);
    this.partial = '';
    if (this.key !== undefined) return { kind: 'key', what: this.key };
    if (this.credential !== undefined) return { kind: 'credential', what: this.credential };
    return undefined;
  }

  private line(line: string): void {
    if (line.length <= MAX_LINE) return this.window(line);
    for (let at = 0; at < line.length && this.key === undefined; at += MAX_LINE - OVERLAP)
      this.window(line.slice(at, at + MAX_LINE));
  }

  private window(s: string): void {
    if (s.includes('PRIVATE KEY')) {
      const m = KEY_LINE.exec(s);
      if (m) {
        this.key = (m[1] as string).toLowerCase();
        return;
      }
    }
    if (PUTTY_LINE.test(s)) {
      this.key = 'PuTTY private key';
      return;
    }
    if (this.kind === 'key' || this.credential !== undefined) return;
    const t = LINE_TESTS[this.kind];
    if (t.test(s)) this.credential = t.what;
  }
}

/** Runs the matcher over a whole body at once (tests, and records built in memory). */
export function matchSecretFile(path: string, body: Uint8Array): SecretHit | undefined {
  const kind = secretFileKind(path);
  if (!kind) return undefined;
  const m = new SecretMatcher(kind);
  m.write(body);
  return m.end();
}
