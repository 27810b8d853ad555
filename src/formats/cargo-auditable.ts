/**
 * Rust binaries built with cargo-auditable carry their dependency tree in the ELF section `.dep-v0`:
 * zlib-compressed JSON, `{"packages": [{name, version, source, kind, dependencies: [index], root}]}`.
 * `source` is "crates.io", "local", "git", "registry" or "other"; `kind` is "build" for crates used only
 * to build (absent for run-time ones); `dependencies` index into `packages`.
 *
 * The scan captures the section's bytes while the binary streams past (src/scan/elf-probe.ts), bounded by
 * DEP_SECTION_CAP; this module decodes them, inflating at most INFLATED_CAP, into a compact record that the
 * layer cache stores with the binary's other facts (CARGO_DEPS checks it on the way back). Every crate in
 * it owns the binary: cargo-packages.ts gives them as packages once the binary's path is known.
 * A purl is given to crates from a registry (crates.io); a local or git crate has no registry name.
 */
import { inflateSync } from 'node:zlib';
import { arr, count, nullable, obj, optional, str, type Shape } from '../util/shape.js';
import { MAX_DEPENDS, MAX_FIELD, emptyResult, isObject, textOf } from './lang.js';

/** Compressed bytes of `.dep-v0` kept (real ones are a few KiB even for hundreds of crates). */
export const DEP_SECTION_CAP = 1024 * 1024;
const INFLATED_CAP = 16 * 1024 * 1024;

export const DEP_SECTION = '.dep-v0';
/** Crates kept from one binary (a large Rust program links a few hundred). */
const MAX_CRATES = 5_000;

interface Crate {
  name: string;
  version: string | null;
  source?: string;
  dependsOn?: string[];
}

export interface CargoDeps {
  crates: Crate[];
  cut: number;
  bad: number;
  notes: string[];
}

const text = str(MAX_FIELD);
export const CARGO_DEPS: Shape<CargoDeps> = obj<CargoDeps>({
  crates: arr(
    obj<Crate>({
      name: text,
      version: nullable(text),
      source: optional(text),
      dependsOn: optional(arr(text, MAX_DEPENDS)),
    }),
    MAX_CRATES,
  ),
  cut: count,
  bad: count,
  notes: arr(str(200), 8),
});

/** The crates recorded in a `.dep-v0` section's bytes. */
export function readDepSection(bytes: Uint8Array): CargoDeps {
  const r: CargoDeps = { crates: [], cut: 0, bad: 0, notes: [] };
  const list = decode(bytes, r);
  if (!list) return r;
  if (list.length > MAX_CRATES) r.cut += list.length - MAX_CRATES;
  const items = list.slice(0, MAX_CRATES);
  const scratch = emptyResult();
  const names = items.map((o) => (isObject(o) ? textOf(o['name'], scratch) : null));
  items.forEach((o, i) => {
    const name = names[i];
    if (!isObject(o) || !name) r.bad++;
    else r.crates.push(one(o, name, names, r));
  });
  r.cut += scratch.cut;
  return r;
}

function decode(bytes: Uint8Array, r: CargoDeps): unknown[] | undefined {
  let json: Buffer;
  try {
    json = inflateSync(bytes, { maxOutputLength: INFLATED_CAP });
  } catch (err) {
    r.bad++;
    const big = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    r.notes.push(
      big
        ? `a .dep-v0 section that inflates past ${INFLATED_CAP} bytes`
        : 'a .dep-v0 section that does not inflate',
    );
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch {
    doc = undefined;
  }
  const list = isObject(doc) ? doc['packages'] : undefined;
  if (Array.isArray(list)) return list;
  r.bad++;
  r.notes.push('a .dep-v0 section that is not cargo-auditable JSON');
  return undefined;
}

function one(o: Record<string, unknown>, name: string, names: (string | null)[], r: CargoDeps): Crate {
  const scratch = emptyResult();
  const c: Crate = { name, version: textOf(o['version'], scratch) };
  const source = textOf(o['source'], scratch);
  if (source) c.source = source;
  const deps = Array.isArray(o['dependencies']) ? o['dependencies'] : [];
  if (deps.length > MAX_DEPENDS) r.cut++;
  const on = deps.slice(0, MAX_DEPENDS).flatMap((d) => {
    const n = typeof d === 'number' && Number.isInteger(d) ? names[d] : undefined;
    if (n === undefined) r.bad++;
    return n ?? [];
  });
  if (on.length) c.dependsOn = on;
  r.cut += scratch.cut;
  return c;
}
