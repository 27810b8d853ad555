/** Findings for layer entries that are unsafe or broken: they are reported, never followed. */
import type { FlatFile, PathProblem, ProblemKind } from '../flatten/flatten.js';
import { isWithin } from '../util/paths.js';
import { isUtf8Name } from '../util/names.js';
import type { Finding } from '../types/report.js';
import { complete } from './finding.js';

const IDS: Record<ProblemKind, string> = {
  escape: 'SG901',
  'link-escape': 'SG905',
  'symlink-loop': 'SG902',
  'dangling-hardlink': 'SG903',
  'not-a-directory': 'SG904',
  'name-too-long': 'SG907',
  'path-too-long': 'SG907',
  'link-too-long': 'SG907',
  'too-deep': 'SG908',
  'too-many-parents': 'SG908',
};

export function integrityFindings(problems: readonly PathProblem[], files: readonly FlatFile[]): Finding[] {
  return [...problems.map(problemFinding), ...nameFindings(files)];
}

function problemFinding(p: PathProblem): Finding {
  return complete({
    id: IDS[p.kind],
    message: `layer ${p.layer + 1}: ${p.path}: ${p.detail}`,
    path: p.path,
    layer: p.layer,
  });
}

/**
 * Names that are not valid UTF-8 (SG906). They are kept and compared as bytes, but tools downstream (JSON,
 * terminals, the registry UI, a CI log) mangle them, and they are a way to make two names look alike. One
 * finding per topmost such path: everything below a non-UTF-8 directory shares its name.
 */
function nameFindings(files: readonly FlatFile[]): Finding[] {
  const out: Finding[] = [];
  let root: { path: string; finding: Finding; below: number } | undefined;
  const close = (): void => {
    if (root && root.below) root.finding.message += ` (and ${root.below} entries below it)`;
  };
  // `files` is depth-first, so everything below a reported directory follows it.
  for (const f of files) {
    if (root && isWithin(f.path, root.path)) {
      root.below++;
      continue;
    }
    if (!isUtf8Name(f.path)) {
      close();
      const message = `name is not valid UTF-8: ${f.path}`;
      const finding = complete({ id: 'SG906', message, path: f.path, layer: f.layer });
      out.push(finding);
      root = { path: f.path, finding, below: 0 };
    } else if (f.type === 'symlink' && f.link !== null && !isUtf8Name(f.link)) {
      const message = `symlink ${f.path}: its target is not valid UTF-8: ${f.link}`;
      out.push(complete({ id: 'SG906', message, path: f.path, layer: f.layer }));
    }
  }
  close();
  return out;
}
