/**
 * Size history on main: each saved default-branch report carries the last HISTORY_LENGTH main sizes,
 * carried forward from the report it replaces. Pure, apart from reading the push's commit date.
 */
import type { Report, SizePoint } from '../types/report.js';
import { validPoints } from '../report/trend.js';
import { readPayload } from './context.js';

export const HISTORY_LENGTH = 30;

/** The report with `history`: the previous report's points (this commit's replaced), then this commit. */
export function withHistory(
  report: Report,
  previous: Report | null | undefined,
  commit: string,
  date: string,
): Report {
  const point: SizePoint = {
    commit,
    date,
    compressed: report.size.compressed,
    uncompressed: report.size.uncompressed,
  };
  const prior = validPoints(previous?.history).filter((p) => p.commit !== commit);
  return { ...report, history: [...prior, point].slice(-HISTORY_LENGTH) };
}

/** The pushed commit's date (the payload's head_commit), else now. */
export function commitDate(payload: Record<string, unknown> = readPayload(), now = new Date()): string {
  const head = payload['head_commit'];
  const ts = head && typeof head === 'object' ? (head as Record<string, unknown>)['timestamp'] : undefined;
  if (typeof ts === 'string') {
    const d = new Date(ts);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  return now.toISOString();
}
