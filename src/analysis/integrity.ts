/** Findings for layer entries that are unsafe or broken: they are reported, never followed. */
import type { PathProblem } from '../inventory/flatten.js';
import type { Finding } from '../report/schema.js';

const RULES = {
  escape: {
    id: 'SG901',
    severity: 'error',
    remediation:
      'Rebuild the layer with a normal tool; a ".." entry is a sign of a hand-crafted or malicious tar.',
  },
  'symlink-loop': {
    id: 'SG902',
    severity: 'warning',
    remediation: 'Fix the symlinks in the parent path; the entry cannot be extracted.',
  },
  'dangling-hardlink': {
    id: 'SG903',
    severity: 'warning',
    remediation: 'Make the hard link point at a file that exists in this or a lower layer.',
  },
  'not-a-directory': {
    id: 'SG904',
    severity: 'warning',
    remediation: 'A lower layer has a file where this entry needs a directory; remove one of them.',
  },
} as const;

export function integrityFindings(problems: readonly PathProblem[]): Finding[] {
  return problems.map((p) => {
    const r = RULES[p.kind];
    return {
      id: r.id,
      category: 'integrity',
      severity: r.severity,
      message: `layer ${p.layer + 1}: ${p.path}: ${p.detail}`,
      path: p.path,
      layer: p.layer,
      remediation: r.remediation,
    };
  });
}
