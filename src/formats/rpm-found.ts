/**
 * rpm, until its database is read: its presence marks an OS (base detection), and the owners say that its
 * packages are not listed. A module that reads the databases replaces this one in index.ts.
 */
import type { BaseEvidence, FileView, FormatModule } from './contract.js';

const DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];

const found = (view: FileView): string | undefined =>
  DIRS.find((d) => view.children(d).some((f) => f.type === 'file' && f.size > 0));

export const rpmFound: FormatModule = {
  id: 'rpm',
  tier: 'os',
  kinds: [],
  match: () => undefined,
  parser: () => {
    throw new Error('rpm: no parser');
  },
  assemble: (_found, view) => ({
    packages: [],
    notes: found(view)
      ? ['rpm database found but not read: its packages are not listed (README, "Packages")']
      : [],
  }),
  evidence: (view): BaseEvidence[] => {
    const dir = found(view);
    return dir ? [{ manager: 'rpm', path: `${dir}/`, count: null, text: `${dir}/: rpm database` }] : [];
  },
};
