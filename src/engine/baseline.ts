/**
 * What the engine asks of a baseline: for each platform it checks, the baseline's report or why there is
 * none. The CLI's `--baseline SOURCE` (engine.sourceBaseline) and the action's strategies (main's saved
 * report, the base commit's build, the base-branch tag) are providers.
 */
import type { GoJudge } from '../analysis/go-reach.js';
import type { Policy } from '../analysis/policy.js';
import type { Platform } from '../sources/model/image.js';
import type { Report } from '../types/report.js';

export interface BaselineRequest {
  /** The image's platform: the baseline is read for the same one. */
  platform: Platform;
  /** The policy the platform is judged by: a baseline checked here is checked by it too. */
  policy: Policy;
}

export interface BaselineAnswer {
  /** The baseline's report; null when there is none. */
  report: Report | null;
  /** Where it came from, for the comment (a source, "saved report", "base commit …"). */
  source?: string;
  /** Without a report: why, in a sentence. */
  note?: string;
  /** The Go reachability judge over the baseline's own binaries, when it was scanned here. */
  judge?: GoJudge;
}

export interface BaselineProvider {
  /**
   * One answer per request, in the same order. `everyPlatform`: the check is of every platform (so a
   * source is opened for all of them, and its platforms are known for the ones the image dropped).
   */
  find(requests: readonly BaselineRequest[], o: { everyPlatform: boolean }): Promise<BaselineAnswer[]>;
  /** The platforms the baseline has, when they can be known (for the ones this image dropped). */
  platforms?(): Promise<string[] | undefined>;
}

/** The override label, and whether the pull request carries it. */
export interface Override {
  label: string;
  applied: boolean;
}

/** The Dockerfile an image was built from, and what picks its stage and FROM lines. */
export interface DockerfileOptions {
  path: string;
  /** The text, when the caller has it already (else read from `path`). */
  text?: string;
  buildArgs?: Record<string, string>;
  target?: string;
}
