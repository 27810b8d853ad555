/**
 * Base detection: scratch, distroless or os, with the evidence for it. The image's own files always count
 * (a Dockerfile can lie, and pulled images have none): os-release, package databases, the OCI base-image
 * labels, and whether a shell or a package manager is there. A Dockerfile, when given, names the base and
 * the line of its FROM.
 *
 * - os: a package manager, or OS markers (os-release, a package database) together with a shell.
 * - distroless: OS markers, but no shell and no package manager (gcr.io/distroless, Chainguard), or a named
 *   base image whose files show no OS at all.
 * - scratch: no OS markers and no package manager. A lone busybox on scratch stays scratch: the shell
 *   rules report it.
 */
import { redactSecrets } from '../util/secret-shapes.js';
import type { FlatFile } from '../flatten/flatten.js';
import type { BaseVerdict } from '../types/report.js';
import { isBusybox, isPackageManager, isShell, listCommands } from './commands.js';
import type { DockerfileInfo } from './dockerfile.js';
import { FORMATS } from '../formats/index.js';
import { ImageFs } from './fsview.js';

function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1] as string] = (m[2] as string).replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

const LABEL_BASE_NAME = 'org.opencontainers.image.base.name';
const LABEL_BASE_DIGEST = 'org.opencontainers.image.base.digest';

/** Image names of the distroless families: gcr.io/distroless/*, any …/distroless/…, Chainguard. */
export function isDistrolessName(image: string): boolean {
  const n = image.toLowerCase();
  return /(^|\/)distroless\//.test(n) || /^cgr\.dev\/chainguard\//.test(n) || /(^|\/)chainguard\//.test(n);
}

export interface BaseContext {
  labels?: Record<string, string> | null;
  dockerfile?: DockerfileInfo | null;
  env?: readonly string[];
}

export function detectBase(files: readonly FlatFile[] | ImageFs, ctx: BaseContext = {}): BaseVerdict {
  const fs = files instanceof ImageFs ? files : new ImageFs(files);
  const evidence: string[] = [];
  const result: BaseVerdict = { verdict: 'scratch', image: null, evidence };

  // OS markers
  let os: Record<string, string> = {};
  let osMarker = false;
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    const r = fs.resolve(p);
    if (!r.ok || (r.file.type !== 'file' && r.file.type !== 'hardlink')) continue;
    osMarker = true;
    os = parseOsRelease(r.file.head?.toString('utf8') ?? '');
    const shown = r.path === p ? p : `${p} → ${r.path}`;
    evidence.push(
      `${shown} ID=${os['ID'] ?? '?'}${os['VERSION_ID'] ? ` VERSION_ID=${os['VERSION_ID']}` : ''}` +
        (os['PRETTY_NAME'] ? ` PRETTY_NAME="${os['PRETTY_NAME']}"` : ''),
    );
    result.os = {
      id: os['ID'] ?? null,
      versionId: os['VERSION_ID'] ?? null,
      prettyName: os['PRETTY_NAME'] ?? null,
    };
    break;
  }
  const packages: NonNullable<BaseVerdict['packages']> = [];
  for (const m of FORMATS) {
    for (const e of m.evidence?.(fs) ?? []) {
      packages.push({ manager: e.manager, path: e.path, count: e.count });
      evidence.push(e.text);
    }
  }
  if (packages.length) result.packages = packages;
  const markers = osMarker || packages.length > 0;

  // Shells and package managers decide between a distroless userland and a full OS.
  const commands = listCommands(fs, ctx.env ?? []);
  const shell = commands.find(
    (c) => isShell(c.name) || isBusybox(c.name) || isBusybox(c.target.path.split('/').pop() ?? ''),
  );
  const pm = commands.find((c) => isPackageManager(c.name));
  if (shell) evidence.push(`shell ${shell.path}`);
  if (pm) evidence.push(`package manager ${pm.path}`);
  let verdict: BaseVerdict['verdict'] = pm || (markers && shell) ? 'os' : markers ? 'distroless' : 'scratch';
  if (markers && !shell && !pm) evidence.push('no shell and no package manager');

  // A named base, from the Dockerfile or from the OCI labels.
  // Labels are image text like ENV: a credential in one (`https://u:pw@registry/base`) is redacted.
  const labels = ctx.labels ?? {};
  const rawName = labels[LABEL_BASE_NAME];
  const labelName = typeof rawName === 'string' ? redactSecrets(rawName) : rawName;
  if (labelName) {
    const digest = labels[LABEL_BASE_DIGEST];
    evidence.push(
      `label ${LABEL_BASE_NAME}=${labelName}` +
        (digest ? ` (${LABEL_BASE_DIGEST}=${redactSecrets(String(digest))})` : ''),
    );
  }
  const df = ctx.dockerfile;
  if (df) {
    evidence.push(...df.evidence);
    result.dockerfile = { file: df.path, line: df.base.line, image: df.base.image };
  }
  const named = df ? df.base.image : labelName;
  if (named && named.toLowerCase() !== 'scratch') {
    if (verdict === 'scratch') {
      // The base has a name but its files show no OS: a minimal base, unless it brought a shell.
      verdict = shell ? 'os' : 'distroless';
    } else if (verdict === 'os' && isDistrolessName(named)) {
      evidence.push(`${named} is a distroless image, but this one has a shell or a package manager`);
    }
  } else if (named && verdict !== 'scratch') {
    evidence.push('the Dockerfile says scratch, but the image has OS files (copied in?)');
  }
  result.verdict = verdict;
  result.image =
    named && named !== ''
      ? named
      : os['ID']
        ? `${os['ID']}${os['VERSION_ID'] ? `:${os['VERSION_ID']}` : ''}`
        : null;
  if (!evidence.length) evidence.push('no os-release, no package database, no shell');
  return result;
}
