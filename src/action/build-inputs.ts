/**
 * Build mode's inputs: every row of the build options table (src/sources/build-options.ts), read with
 * docker/build-push-action's list formats (`Util.getInputList`: a line or comma list, csv-quoted, `#` no
 * comment; the lists whose entries hold commas are one entry per line). Secret values are masked in the
 * log as soon as they are read, before anything else can fail and print.
 */
import * as core from '@actions/core';
import { checkBuildxOptions, secretValues } from '../sources/build-args.js';
import {
  BUILD_OPTIONS,
  type BuildInputs,
  type BuildOptionSpec,
  type InputList,
} from '../sources/build-options.js';
import { InputError } from '../util/errors.js';
import { parseBuildxList, parseList } from '../util/list.js';

const ROWS: readonly BuildOptionSpec[] = BUILD_OPTIONS;

function readList(how: InputList, value: string, name: string): string[] {
  const what = `input "${name}"`;
  switch (how) {
    case 'lines':
      return parseList(value, { commas: false });
    case 'items':
      return parseList(value);
    case 'csv':
      return parseBuildxList(value, what, { ignoreComma: true, trim: true });
    case 'csv-items':
      return parseBuildxList(value, what, { ignoreComma: false, trim: true });
    case 'csv-raw':
      return parseBuildxList(value, what, { ignoreComma: true, trim: false });
  }
}

/** Undefined without `context`; every other build input then is an error, since it would do nothing. */
export function readBuildInputs(
  get: (name: string) => string,
  bool: (name: string, value: string, dflt: boolean) => boolean,
  mask: (secret: string) => void = (s) => core.setSecret(s),
): BuildInputs | undefined {
  const context = get('context');
  if (!context) {
    // A switch counts when it is on (action.yml's `push` defaults to false).
    for (const s of ROWS) {
      const v = get(s.input);
      if (s.input === 'context' || !v || (s.kind === 'boolean' && !bool(s.input, v, false))) continue;
      throw new InputError(`input "${s.input}" needs "context" (build mode)`);
    }
    return undefined;
  }
  // Secrets first: a bad entry elsewhere must not fail before their values are masked.
  const secrets = ROWS.find((s) => s.key === 'secrets') as BuildOptionSpec;
  const secretList = readList('csv-raw', get(secrets.input), secrets.input);
  for (const v of secretValues(secretList)) {
    mask(v);
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= 3 && line !== v) mask(line.trim());
  }
  const out: BuildInputs = { context, buildArgs: [], platforms: [], push: false, tags: [] };
  for (const s of ROWS) {
    if (s.key === 'context') continue;
    const raw = get(s.input);
    if (s.kind === 'boolean') {
      if (bool(s.input, raw, false)) Object.assign(out, { [s.key]: true });
    } else if (s.kind === 'list') {
      const list = s.key === 'secrets' ? secretList : readList(s.inputList ?? 'items', raw, s.input);
      if (list.length || s.key in out) Object.assign(out, { [s.key]: list });
    } else if (raw) Object.assign(out, { [s.key]: raw });
  }
  checkBuildxOptions(out);
  return out;
}
