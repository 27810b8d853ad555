/**
 * The report's view of the owners: the largest packages with what their ecosystem keys on (purl, source,
 * license, layer, arch, supplier, dependencies), and what nobody owns.
 */
import type { PurlContext } from '../formats/contract.js';
import { FORMATS } from '../formats/index.js';
import { spdxLicense } from '../formats/license.js';
import type { Ownership, ReportPackage } from '../types/report.js';
import type { OwnedPackage, Owners } from './owners.js';

/** The report lists at most this many packages, the largest; the rest are summed in `ownership.more`. */
const MAX_LISTED = 5000;

const byId = new Map(FORMATS.map((m) => [m.id as string, m]));

export function reportOwners(
  o: Owners,
  ctx: PurlContext = { distroId: null, distroVersion: null },
): {
  packages: ReportPackage[];
  ownership: Ownership;
  /** A package's index in `packages`, or undefined when it is not listed. */
  indexOf: Map<OwnedPackage, number>;
} {
  const listed = o.packages.slice(0, MAX_LISTED);
  const indexOf = new Map(listed.map((p, i) => [p, i]));
  const rest = o.packages.slice(MAX_LISTED);
  const packages = listed.map((p) => reportPackage(p, ctx));
  const ownership: Ownership = { owned: o.owned, unowned: o.unowned, notes: o.notes };
  if (rest.length) ownership.more = { packages: rest.length, bytes: rest.reduce((n, p) => n + p.size, 0) };
  return { packages, ownership, indexOf };
}

function reportPackage(p: OwnedPackage, ctx: PurlContext): ReportPackage {
  const r: ReportPackage = {
    manager: p.manager,
    name: p.name,
    version: p.version,
    size: p.size,
    files: p.files,
  };
  if (p.declaredSize !== undefined) r.declaredSize = p.declaredSize;
  if (p.copies > 1) r.copies = p.copies;
  const rec = p.record;
  // Copies with different versions have no one purl.
  const purl = p.copies > 1 && p.version !== rec.version ? undefined : byId.get(p.manager)?.purl?.(rec, ctx);
  if (purl) r.purl = purl;
  if (rec.source) r.source = { name: rec.source.name, version: rec.source.version ?? rec.version };
  const licenses = spdxLicense(rec.license);
  if (licenses) r.licenses = licenses;
  if (p.layer !== undefined) r.layer = p.layer;
  if (rec.arch) r.arch = rec.arch;
  if (rec.supplier) r.supplier = rec.supplier;
  if (rec.dependsOn?.length) r.dependsOn = [...rec.dependsOn];
  return r;
}
