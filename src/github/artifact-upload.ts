/**
 * One workflow artifact (`@actions/artifact`, what actions/upload-artifact uses), so that the HTML report
 * can be linked from the comment and the job summary with no workflow steps.
 *
 * Optional, like the Actions cache: without the runtime's artifact service (a local run) it says so in one
 * info line; a failing service is one warning. The library's own `::warning::` lines become plain log lines.
 */
import * as core from '@actions/core';
import { oneLine } from '../util/errors.js';
import { quietly } from './library-output.js';
import { runUrl } from './pull.js';

export interface UploadedArtifact {
  id: number;
  /** The artifact's page, under the run's: what the comment links to. Undefined without the run's URL. */
  url: string | undefined;
}

/** `<run page>/artifacts/<id>`. */
function artifactUrl(runPage: string, id: number): string {
  return `${runPage}/artifacts/${id}`;
}

/**
 * The artifact URL a report names (pr.json, written by the check run), kept only when it is an artifact of
 * the run GitHub says made the report: a fork's pr.json must not put a link of its choosing in the comment.
 */
export function confirmedArtifactUrl(
  named: string | undefined,
  runPage: string | undefined,
): string | undefined {
  if (!named || !runPage) return undefined;
  const prefix = `${runPage}/artifacts/`;
  const id = named.startsWith(prefix) ? /^[1-9]\d{0,14}$/.exec(named.slice(prefix.length)) : null;
  return id ? artifactUrl(runPage, Number(id[0])) : undefined;
}

/**
 * Uploads `files` (under `root`) as one artifact named `name`, with the repository's default retention.
 * Returns its id and URL, or undefined when there is no artifact service here or the upload failed (an info
 * line or one warning: the verdict never depends on it).
 */
export async function uploadArtifact(
  what: string,
  name: string,
  files: readonly string[],
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UploadedArtifact | undefined> {
  if (!env['ACTIONS_RUNTIME_TOKEN'] || !env['ACTIONS_RESULTS_URL']) {
    core.info(
      `artifact: no Actions artifact service here (ACTIONS_RUNTIME_TOKEN or ACTIONS_RESULTS_URL is not set): ${what} written to ${root}, not uploaded`,
    );
    return undefined;
  }
  // Loaded when it is used: it brings the zip writer and the artifact service's client.
  const { DefaultArtifactClient } = await import(/* webpackMode: "eager" */ '@actions/artifact');
  const r = await quietly('artifact', () =>
    new DefaultArtifactClient().uploadArtifact(name, [...files], root).then(
      (u) => ({ id: u.id }),
      (err: unknown) => ({ failed: oneLine(err) }),
    ),
  );
  const failed = r.value && 'failed' in r.value ? r.value.failed : r.problem;
  const id = r.value && 'id' in r.value ? r.value.id : undefined;
  if (failed || id === undefined || !Number.isSafeInteger(id) || id <= 0) {
    core.warning(
      `Slimgate: could not upload ${what} as a workflow artifact (${failed ?? 'the service returned no artifact id'}); it is in ${root}`,
    );
    return undefined;
  }
  const page = runUrl(env);
  const url = page ? artifactUrl(page, id) : undefined;
  core.info(`artifact: uploaded ${what} as ${name}${url ? `: ${url}` : ` (id ${id})`}`);
  return { id, url };
}
