/** Findings for layer entries that are unsafe or broken: they are reported, never followed. */
import type { PathProblem, ProblemKind } from '../flatten/flatten.js';
import type { Finding } from '../types/report.js';
import { complete } from './finding.js';

const IDS: Record<ProblemKind, string> = {
  escape: 'SG901',
  'link-escape': 'SG905',
  'symlink-loop': 'SG902',
  'dangling-hardlink': 'SG903',
  'not-a-directory': 'SG904',
};

export function integrityFindings(problems: readonly PathProblem[]): Finding[] {
  return problems.map((p) =>
    complete({
      id: IDS[p.kind],
      message: `layer ${p.layer + 1}: ${p.path}: ${p.detail}`,
      path: p.path,
      layer: p.layer,
    }),
  );
}
