/** The policy a check applies: budgets, allowed bases, rule overrides and ignored paths. */
import type { Severity } from '../report/schema.js';

export type FailOn = 'error' | 'warning' | 'never';

export interface RuleOverride {
  enabled?: boolean;
  severity?: Severity;
}

export interface Policy {
  /** Uncompressed bytes. */
  maxSize?: number;
  maxCompressedSize?: number;
  maxLayers?: number;
  maxWasted?: number;
  /** Growth against the baseline: bytes, or a percentage of the baseline's uncompressed size. */
  maxGrowth?: { bytes: number } | { percent: number };
  /** Verdicts (scratch, distroless, os) or image-name globs. */
  allowedBases: string[];
  failOn: FailOn;
  /** Keyed by rule id (SG201) or category (shell). */
  rules: Record<string, RuleOverride>;
  /** Globs of image paths whose findings are dropped. */
  ignorePaths: string[];
}

export const DEFAULT_POLICY: Policy = {
  allowedBases: ['scratch', 'distroless'],
  failOn: 'error',
  rules: {},
  ignorePaths: [],
};
