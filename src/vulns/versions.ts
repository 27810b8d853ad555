/**
 * Version orderings, per OSV ecosystem: dpkg's (epochs, `~` before everything), semver's (npm, crates.io,
 * and Go with or without its `v`), and a plain dotted-numeric one for the rest. OSV matches versions on the
 * server; Slimgate needs an order only to pick the "fixed in" version nearest above the installed one.
 * Pure; every input is image text, so every loop is bounded by the strings' lengths.
 */

/** dpkg's order for one part (upstream or revision): non-digits by a modified ASCII order, then digits. */
function dpkgOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function dpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (
      (i < a.length && !/[0-9]/.test(a[i] as string)) ||
      (j < b.length && !/[0-9]/.test(b[j] as string))
    ) {
      const ac = i < a.length && !/[0-9]/.test(a[i] as string) ? a[i] : undefined;
      const bc = j < b.length && !/[0-9]/.test(b[j] as string) ? b[j] : undefined;
      const d = dpkgOrder(ac) - dpkgOrder(bc);
      if (d) return d;
      i++;
      j++;
    }
    const da = /^[0-9]*/.exec(a.slice(i))?.[0] ?? '';
    const db = /^[0-9]*/.exec(b.slice(j))?.[0] ?? '';
    i += da.length;
    j += db.length;
    const d = compareDigits(da, db);
    if (d) return d;
  }
  return 0;
}

/** Two digit strings as numbers, of any length (no precision lost). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function splitDpkg(v: string): { epoch: string; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(0, colon) : '0';
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash > 0
    ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) }
    : { epoch, upstream: rest, revision: '' };
}

/** `dpkg --compare-versions` as a comparator: epoch, then upstream, then Debian revision. */
export function compareDpkg(a: string, b: string): number {
  const x = splitDpkg(a.trim());
  const y = splitDpkg(b.trim());
  return (
    Math.sign(compareDigits(x.epoch, y.epoch)) ||
    Math.sign(dpkgPart(x.upstream, y.upstream)) ||
    Math.sign(dpkgPart(x.revision, y.revision))
  );
}

const SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]*)?$/;

/** Semantic versioning 2.0 precedence; Go's `v1.2.3` and OSV's Go `1.2.3` are the same version. */
export function compareSemver(a: string, b: string): number {
  const x = SEMVER.exec(a.trim());
  const y = SEMVER.exec(b.trim());
  if (!x || !y) return compareLoose(a, b);
  for (let k = 1; k <= 3; k++) {
    const d = compareDigits(x[k] ?? '0', y[k] ?? '0');
    if (d) return Math.sign(d);
  }
  const pa = x[4];
  const pb = y[4];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const sa = pa.split('.');
  const sb = pb.split('.');
  for (let k = 0; k < Math.max(sa.length, sb.length); k++) {
    const ia = sa[k];
    const ib = sb[k];
    if (ia === undefined || ib === undefined) return ia === undefined ? -1 : 1;
    const na = /^\d+$/.test(ia);
    const nb = /^\d+$/.test(ib);
    const d = na && nb ? compareDigits(ia, ib) : na ? -1 : nb ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0;
    if (d) return Math.sign(d);
  }
  return 0;
}

/** Dotted numbers, then suffixes as text: an honest guess for ecosystems without a stricter order here. */
export function compareLoose(a: string, b: string): number {
  const sa = a
    .trim()
    .replace(/^v/, '')
    .split(/[.\-_+]/);
  const sb = b
    .trim()
    .replace(/^v/, '')
    .split(/[.\-_+]/);
  for (let k = 0; k < Math.max(sa.length, sb.length); k++) {
    const ia = sa[k] ?? '0';
    const ib = sb[k] ?? '0';
    const na = /^\d+$/.test(ia);
    const nb = /^\d+$/.test(ib);
    const d = na && nb ? compareDigits(ia, ib) : ia < ib ? -1 : ia > ib ? 1 : 0;
    if (d) return Math.sign(d);
  }
  return 0;
}

/** The comparator for an OSV ecosystem name (`Debian:12`, `npm`, `Go`, …). */
export function comparatorFor(ecosystem: string): (a: string, b: string) => number {
  const base = ecosystem.split(':')[0] ?? ecosystem;
  if (base === 'Debian' || base === 'Ubuntu') return compareDpkg;
  if (base === 'npm' || base === 'Go' || base === 'crates.io' || base === 'NuGet') return compareSemver;
  return compareLoose;
}
