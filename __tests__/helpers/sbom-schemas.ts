// The official JSON schemas of CycloneDX 1.6 (as @cyclonedx/cyclonedx-library ships them) and SPDX 2.3
// (__tests__/fixtures/spdx-2.3, from spdx/spdx-spec at v2.3), compiled once with ajv and ajv-formats.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const CDX = new URL(
  'res/schema/',
  pathToFileURL(require.resolve('@cyclonedx/cyclonedx-library/package.json')),
);
const SPDX = new URL('../fixtures/spdx-2.3/spdx-schema.json', import.meta.url);

type Schema = Record<string, unknown>;
const read = (url: URL): Schema => JSON.parse(readFileSync(url, 'utf8')) as Schema;
// ajv-formats is CommonJS: its default export is the plugin under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function compile(schema: Schema, extra: Schema[] = []): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
  addFormats(ajv);
  // ajv-formats has neither: an IRI reference is a URI reference that may hold non-ASCII letters, which the
  // WHATWG URL parser accepts relative to a base; an internationalised email has one @ and no spaces.
  ajv.addFormat('iri-reference', (s: string) => URL.canParse(s, 'http://base.invalid/'));
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/);
  // ajv compares the items of a uniqueItems array of objects pair by pair: 10,000 components take a
  // minute. The same check by each item's JSON text is linear (items that differ only in key order would
  // pass, and the renderers never write two objects of one kind in different orders).
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({
    keyword: 'uniqueItems',
    schemaType: 'boolean',
    validate: (unique: boolean, data: unknown) =>
      !unique || !Array.isArray(data) || new Set(data.map((x) => JSON.stringify(x))).size === data.length,
  });
  for (const s of extra) ajv.addSchema(s);
  return ajv.compile(schema);
}

let cdx: ValidateFunction | undefined;
let spdx: ValidateFunction | undefined;

/** The schema's errors for `doc` (a document's text), [] when it is valid. */
function errorsOf(validate: ValidateFunction, text: string): string[] {
  const ok = validate(JSON.parse(text));
  return ok ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

export function cycloneDxErrors(text: string): string[] {
  // The bom schema names its neighbours by their SNAPSHOT file names, relative to its own $id.
  const named = (file: string): Schema => ({
    ...read(new URL(file, CDX)),
    $id: `http://cyclonedx.org/schema/${file}`,
  });
  cdx ??= compile(read(new URL('bom-1.6.SNAPSHOT.schema.json', CDX)), [
    named('spdx.SNAPSHOT.schema.json'),
    named('jsf-0.82.SNAPSHOT.schema.json'),
  ]);
  return errorsOf(cdx, text);
}

export function spdxErrors(text: string): string[] {
  spdx ??= compile(read(SPDX));
  return errorsOf(spdx, text);
}
