/**
 * Annotations: an error or warning per finding, on the Dockerfile line that causes it when the finding
 * knows it (`location`: the FROM of a non-scratch base, a missing USER, an ENV with a secret).
 *
 * GitHub shows at most 10 errors and 10 warnings per step; past that the rest are counted in one notice.
 */
import * as core from '@actions/core';
import type { Finding } from '../types/report.js';
import { escapeControls } from '../util/text.js';

const ANNOTATION_LIMIT = 10;

export interface AnnotationSink {
  error(message: string, props: core.AnnotationProperties): void;
  warning(message: string, props: core.AnnotationProperties): void;
  notice(message: string, props: core.AnnotationProperties): void;
}

const coreSink: AnnotationSink = {
  error: (m, p) => core.error(m, p),
  warning: (m, p) => core.warning(m, p),
  notice: (m, p) => core.notice(m, p),
};

/** Relative to the workspace, as GitHub needs it for the annotation to land on the file. */
function relative(file: string, workspace: string | undefined): string {
  const ws = workspace?.replace(/\/+$/, '');
  if (ws && file.startsWith(`${ws}/`)) return file.slice(ws.length + 1);
  return file.replace(/^\.\//, '');
}

export function annotate(
  findings: readonly Finding[],
  sink: AnnotationSink = coreSink,
  workspace = process.env['GITHUB_WORKSPACE'],
): { errors: number; warnings: number; dropped: number } {
  let errors = 0;
  let warnings = 0;
  let dropped = 0;
  for (const f of findings) {
    if (f.severity === 'info') continue;
    const props: core.AnnotationProperties = { title: `Slimgate ${f.id} (${f.category})` };
    if (f.location) {
      props.file = relative(f.location.file, workspace);
      props.startLine = f.location.line;
    }
    // Findings quote image data; the runner escapes line breaks in a command, but not the rest.
    const message = escapeControls(f.remediation ? `${f.message} — ${f.remediation}` : f.message);
    if (f.severity === 'error') {
      if (errors++ < ANNOTATION_LIMIT) sink.error(message, props);
      else dropped++;
    } else {
      if (warnings++ < ANNOTATION_LIMIT) sink.warning(message, props);
      else dropped++;
    }
  }
  if (dropped)
    sink.notice(`Slimgate: ${dropped} more findings are in the job summary and the JSON report`, {});
  return {
    errors: Math.min(errors, ANNOTATION_LIMIT),
    warnings: Math.min(warnings, ANNOTATION_LIMIT),
    dropped,
  };
}
