/** Report JSON, schemaVersion 1: the contract in DESIGN.md (at least these fields). */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  id: string;
  category: string;
  severity: Severity;
  message: string;
  path?: string;
  layer?: number;
  remediation: string;
}

export interface ReportFile {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  size: number;
  mode: string;
  uid: number;
  gid: number;
  link: string | null;
  layer: number;
}

export interface ReportLayer {
  digest: string;
  diffId: string;
  mediaType: string;
  compressedSize: number;
  uncompressedSize: number;
  createdBy: string | null;
  files: number;
  wastedBytes: number;
}

export interface BaseVerdict {
  verdict: 'scratch' | 'distroless' | 'os';
  image: string | null;
  evidence: string[];
}

export interface BudgetCheck {
  name: string;
  limit: number;
  actual: number;
  passed: boolean;
}

export interface Report {
  schemaVersion: 1;
  image: {
    source: string;
    digest: string;
    configDigest: string;
    platform: string;
    tags: string[];
    config: {
      user: string | null;
      entrypoint: string[] | null;
      cmd: string[] | null;
      env: string[];
      workingDir: string | null;
    };
  };
  size: { compressed: number; uncompressed: number; wasted: number; files: number };
  layers: ReportLayer[];
  files: ReportFile[];
  base: BaseVerdict;
  findings: Finding[];
  budget: { passed: boolean; checks: BudgetCheck[] };
  passed: boolean;
}
