// Microsoft's SARIF Multitool (devDependency @microsoft/sarif-multitool-linux): validates SARIF files
// against the 2.1.0 schema and Microsoft's rules, and with `--rule-kind Gh` against GitHub's ingestion rules.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, run } from './world.js';

const BIN = path.join(repoRoot, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'bin.js');

export interface MultitoolIssue {
  ruleId: string;
  level: string;
  message: string;
}

interface OutLog {
  runs: {
    results?: {
      ruleId: string;
      level?: string;
      message: { id?: string; arguments?: string[] };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
    }[];
    invocations?: {
      executionSuccessful: boolean;
      toolConfigurationNotifications?: { message: { text: string } }[];
      toolExecutionNotifications?: { message: { text: string } }[];
    }[];
  }[];
}

/**
 * Every issue the Multitool reports, at every level (error, warning, note), per file, in one run of the
 * tool. Its bin.js runs the tool through a shell, so each path must be plain (no spaces or shell
 * characters) and end in `.sarif` (it skips other names, which would pass vacuously: that is an error here).
 */
export function multitoolValidate(files: readonly string[], ruleKind?: 'Gh'): Map<string, MultitoolIssue[]> {
  for (const f of files)
    if (!/^[\w./-]+\.sarif$/.test(f)) throw new Error(`not a plain path to a .sarif file: ${f}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-multitool-'));
  try {
    const out = path.join(dir, 'out.sarif');
    const args = [BIN, 'validate', ...files, '-o', out, '--level', '"Error;Warning;Note"', '--quiet'];
    if (ruleKind) args.push('--rule-kind', ruleKind);
    run(process.execPath, args, { allowFailure: true, timeout: 300_000 });
    const log = JSON.parse(readFileSync(out, 'utf8')) as OutLog;
    const runLog = log.runs[0]!;
    for (const inv of runLog.invocations ?? []) {
      const notes = [
        ...(inv.toolConfigurationNotifications ?? []),
        ...(inv.toolExecutionNotifications ?? []),
      ];
      if (!inv.executionSuccessful || notes.length)
        throw new Error(`the Multitool did not validate everything: ${JSON.stringify(notes)}`);
    }
    const byUri = new Map(files.map((f) => [pathToFileURL(path.resolve(f)).href, f]));
    const issues = new Map<string, MultitoolIssue[]>(files.map((f) => [f, []]));
    for (const r of runLog.results ?? []) {
      const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
      const file = byUri.get(uri);
      if (file === undefined) throw new Error(`a Multitool result on an unknown file: ${uri}`);
      issues.get(file)!.push({
        ruleId: r.ruleId,
        // SARIF's default level is warning.
        level: r.level ?? 'warning',
        message: `${r.message.id ?? ''} ${(r.message.arguments ?? []).join(' | ')}`,
      });
    }
    return issues;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
