/** What a caller tells the comment renderer, and the levels of detail it trims through. */
import type { Verdict } from '../analysis/verdict.js';
import type { Trend } from './trend.js';

/** How a comment page is presented: everything but the verdict. */
export interface PageOptions {
  /** Appends the hidden marker `<!-- slimgate-comment:KEY -->` (see commentMarker). */
  commentKey?: string;
  /** The baseline column's heading, e.g. the base branch (default `baseline`). */
  baselineLabel?: string;
  /** Where the baseline came from (a source, a saved report), shown under the verdict. */
  baselineSource?: string;
  /** Without a diff: why there is no baseline. */
  baselineNote?: string;
  /** Show the platform (when the image has several). */
  showPlatform?: boolean;
  /** The override label, when the action has one: the comment says who can apply it. */
  overrideLabel?: string;
  /** Notes shown under the verdict, e.g. that the comment could not be posted. Plain text. */
  notes?: string[];
  /** Character budget of the body (default GitHub's comment limit). */
  maxLength?: number;
  /** Base URL of the docs folder (rules.md anchors). */
  docsUrl?: string;
  /** One-click fixes to the Dockerfile on lines outside the PR's diff, as a unified diff. */
  fixesDiff?: string;
  /** The size history on main (and the PR's point), drawn as a chart in the details. */
  trend?: Trend;
  /** The commit this run checked and a link to the run: the footer tells the comment's age. */
  checked?: { sha: string; runUrl?: string };
  /** Platforms the baseline has and the image does not. */
  missing?: string[];
  /** The HTML report as a workflow artifact: one line above the footer links it. */
  htmlUrl?: string;
  /** The SBOM, in the same workflow artifact: one line links it. */
  sbom?: { url: string; format: 'cyclonedx-json' | 'spdx-json' };
}

/** The one-image comment's options: the page's, and the verdict as the judge decided it. */
export interface MarkdownOptions extends PageOptions {
  /** The verdict (fail-on, override label): a renderer never decides one. */
  verdict: Verdict;
}

export interface Level {
  /** New findings listed in the body; the rest go in a details block. */
  findings: number;
  /** Items in each details list (findings, layers, directories). */
  listed: number;
  /** Directories in the files roll-up, and files shown under each. */
  dirs: number;
  filesPerDir: number;
}

export const LEVELS: Level[] = [
  { findings: 20, listed: 200, dirs: 20, filesPerDir: 30 },
  { findings: 20, listed: 100, dirs: 15, filesPerDir: 15 },
  { findings: 15, listed: 50, dirs: 10, filesPerDir: 5 },
  { findings: 15, listed: 20, dirs: 10, filesPerDir: 0 },
  { findings: 10, listed: 0, dirs: 0, filesPerDir: 0 },
];
