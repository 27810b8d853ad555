/**
 * Writing the files the runner gives the action (RUNNER_TEMP's reports and baselines, GITHUB_OUTPUT):
 * a full disk or a read-only file is one line that names the file, never an internal error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as core from '@actions/core';
import { RunnerError, writeFailure } from '../util/errors.js';

/** Writes `text` to `path` (its directory is made), under RUNNER_TEMP or another runner directory. */
export function writeRunnerFile(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (err) {
    throw new RunnerError(`cannot write ${path}: ${writeFailure(err)}`, { cause: err });
  }
}

let outputFailure: RunnerError | undefined;

/**
 * core.setOutput. A GITHUB_OUTPUT that cannot be written interrupts nothing (the comment and the summary
 * still say what was found); `checkOutputs` at the end of the run turns it into the step's one line.
 */
export function setOutput(name: string, value: string): void {
  try {
    core.setOutput(name, value);
  } catch (err) {
    const file = process.env['GITHUB_OUTPUT'] || 'GITHUB_OUTPUT';
    // @actions/core checks that the file exists before it appends.
    const why = /^Missing file at path/.test(err instanceof Error ? err.message : '')
      ? 'no such file'
      : writeFailure(err);
    outputFailure ??= new RunnerError(`cannot write the step's outputs to ${file}: ${why}`, { cause: err });
  }
}

/** Throws the first output that could not be written, if any. */
export function checkOutputs(): void {
  if (outputFailure) throw outputFailure;
}
