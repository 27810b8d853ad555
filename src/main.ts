/** The action's phases: read inputs, inspect, write the report, outputs and job summary. */
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { inspect } from './engine.js';
import { InputError, oneLine } from './errors.js';
import { parsePlatform, type PlatformChoice } from './image/platform.js';
import { renderInspect } from './report/text.js';
import { formatBytes } from './util/bytes.js';

export interface ActionInputs {
  image: string;
  platform: PlatformChoice;
}

export function readInputs(): ActionInputs {
  const image = core.getInput('image').trim();
  if (!image)
    throw new InputError(
      'input "image" is required: a source such as docker-archive:app.tar or oci:layout-dir',
    );
  const p = core.getInput('platform').trim();
  if (p === 'all')
    throw new InputError('input "platform" must name one platform (os/arch[/variant]) in the action');
  return { image, platform: p ? parsePlatform(p) : undefined };
}

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const [report] = await core.group(`Inspecting ${inputs.image}`, () =>
      inspect(inputs.image, { platform: inputs.platform }),
    );
    if (!report) throw new InputError(`no image found in ${inputs.image}`);
    const dir = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'slimgate-'));
    const reportPath = join(dir, 'report.json');
    await writeFile(reportPath, JSON.stringify(report, null, 2) + '\n');
    core.setOutput('passed', String(report.passed));
    core.setOutput('size', String(report.size.uncompressed));
    core.setOutput('compressed-size', String(report.size.compressed));
    core.setOutput('report', reportPath);
    const text = renderInspect(report);
    core.info(text);
    await core.summary
      .addHeading(`Slimgate: ${report.image.source}`, 3)
      .addRaw(
        `${formatBytes(report.size.uncompressed)} uncompressed · ${formatBytes(report.size.compressed)} compressed · ` +
          `${report.size.files} files · base ${report.base.verdict}\n\n`,
      )
      .addCodeBlock(text)
      .write();
    if (!report.passed)
      core.setFailed(`${report.findings.filter((f) => f.severity === 'error').length} error finding(s)`);
  } catch (err) {
    core.setFailed(err instanceof InputError ? oneLine(err) : `internal error: ${oneLine(err)}`);
  }
}
