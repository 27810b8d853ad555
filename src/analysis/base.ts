/**
 * Base detection from the image's own files (a Dockerfile can lie, and pulled images have none).
 * Deliberately small for now: os-release and package databases.
 */
import type { FlatFile } from '../inventory/flatten.js';
import type { BaseVerdict } from '../report/schema.js';

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1] as string] = (m[2] as string).replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

export function detectBase(files: readonly FlatFile[]): BaseVerdict {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const evidence: string[] = [];
  const osr = byPath.get('/etc/os-release') ?? byPath.get('/usr/lib/os-release');
  let os: Record<string, string> = {};
  if (osr?.head) {
    os = parseOsRelease(osr.head.toString('utf8'));
    evidence.push(
      `${osr.path} ID=${os['ID'] ?? '?'}${os['VERSION_ID'] ? ` VERSION_ID=${os['VERSION_ID']}` : ''}`,
    );
  }
  const dpkg = byPath.get('/var/lib/dpkg/status');
  const apk = byPath.get('/lib/apk/db/installed');
  if (dpkg) evidence.push(`/var/lib/dpkg/status: ${dpkg.records ?? 0} packages`);
  if (apk) evidence.push(`/lib/apk/db/installed: ${apk.records ?? 0} packages`);
  const statusD = files.some((f) => f.path.startsWith('/var/lib/dpkg/status.d/'));
  if (statusD) evidence.push('/var/lib/dpkg/status.d/ (distroless package records)');
  const image = os['ID'] ? `${os['ID']}${os['VERSION_ID'] ? `:${os['VERSION_ID']}` : ''}` : null;
  if (/distroless/i.test(os['PRETTY_NAME'] ?? '') || (statusD && !dpkg && !apk)) {
    return { verdict: 'distroless', image, evidence };
  }
  if (osr || dpkg || apk) return { verdict: 'os', image, evidence };
  return {
    verdict: 'scratch',
    image: null,
    evidence: evidence.length ? evidence : ['no os-release and no package database'],
  };
}
