/**
 * The crates of a cargo-auditable binary (read by the ELF probe, cargo-auditable.ts) as packages: each
 * owns the binary. Only a registry crate (crates.io) gets a purl: a local or git crate is the app's own and
 * has no name a registry resolves.
 */
import type { CargoDeps } from './cargo-auditable.js';
import { purlOf } from './ids.js';
import type { LangPackage } from './lang.js';

/** The crates of a binary's `.dep-v0` as packages that own the binary at `path`. */
export function cargoPackages(deps: CargoDeps, path: string): LangPackage[] {
  return deps.crates.map((c) => {
    const p: LangPackage = { manager: 'cargo', name: c.name, version: c.version, files: [path] };
    if (c.source) p.source = c.source;
    const purl = c.source === 'crates.io' ? purlOf('cargo', null, c.name, c.version) : undefined;
    if (purl) p.purl = purl;
    if (c.dependsOn) p.dependsOn = c.dependsOn;
    return p;
  });
}
