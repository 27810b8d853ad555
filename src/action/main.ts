/**
 * The action: inputs → one of two modes → the exit code. Check mode's phases are in check-mode.ts
 * (CHECK_PHASES); comment mode posts what a pull_request run left (comment-mode.ts). The exit code is set
 * last, after the comment and the summary are written, so a failing check still tells the PR why.
 */
import * as core from '@actions/core';
import { BuildError } from '../sources/docker-build.js';
import { failureLine } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import { runContext } from '../github/context.js';
import { checkOutputs } from '../github/runner-files.js';
import { cancelled } from '../util/interrupt.js';
import { readInputs } from './inputs.js';
import { runCheck } from './check-mode.js';
import { runComment } from './comment-mode.js';

export async function run(): Promise<void> {
  try {
    // First of all, so that nothing below can print it.
    for (const name of ['GITHUB-TOKEN', 'REGISTRY-PASSWORD']) {
      const secret = (process.env[`INPUT_${name}`] ?? '').trim();
      if (secret) core.setSecret(secret);
    }
    const inputs = readInputs();
    const ctx = runContext();
    if (inputs.mode === 'comment') await runComment(inputs, ctx);
    else await runCheck(inputs, ctx);
    checkOutputs();
  } catch (err) {
    // Cancelled: the children were stopped on purpose, and the cancellation is the one line.
    if (cancelled()) return;
    // A failed build says why in its log: show the tail before the one-line failure.
    if (err instanceof BuildError && err.logTail)
      core.error(
        `docker build output (last lines):\n${err.logTail.split('\n').map(escapeControls).join('\n')}`,
      );
    core.setFailed(failureLine(err));
  }
}
