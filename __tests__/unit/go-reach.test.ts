// Judging a Go vulnerability record against a binary's function table (linked / not-linked / unknown), and
// what fixes a linked entry: the Go release and its golang FROM line, or the module version.
import { describe, expect, it } from 'vitest';
import {
  goJudge,
  linkedSymbols,
  reachability,
  tableNames,
  type GoImport,
} from '../../src/analysis/go-reach.js';
import { goModuleFix, goReleaseFix } from '../../src/analysis/go-fix.js';
import { applyEdits } from '../../src/analysis/fixes.js';
import type { FlatFile } from '../../src/flatten/flatten.js';
import { PclnReader, type GoFunctions } from '../../src/scan/go-pclntab.js';
import { goPclntab } from '../helpers/elf-build.js';

/** A function table read by the scan's reader, holding `names`, optionally cut at `max` names. */
function table(names: string[], truncated = false): GoFunctions {
  const b = goPclntab(names);
  const r = new PclnReader(b.length, [[0, b.length]], true, 8, 62);
  r.write(b, 0);
  const f = r.end().functions as GoFunctions;
  expect(f.count).toBe(names.length);
  return truncated ? { ...f, truncated: true } : f;
}

const BIN = table([
  'runtime.main',
  'main.main',
  'net/http.(*Client).Do',
  'net/http.Header.Get',
  'net/http.Get.func1',
  'encoding/json.Unmarshal',
  'gopkg.in/yaml%2ev3.Unmarshal',
  'example.com/lib.Map[...]',
  'example.com/lib.(*List[...]).Push',
  'crypto/tls.Dial',
  'example.com/gen.Pair[...].First',
]);

const imp = (path: string, ...symbols: string[]): GoImport => (symbols.length ? { path, symbols } : { path });

describe('reachability', () => {
  const cases: [string, GoFunctions | undefined, GoImport[], string][] = [
    ['a pointer-receiver method, written T.M in the record', BIN, [imp('net/http', 'Client.Do')], 'linked'],
    ['a value-receiver method', BIN, [imp('net/http', 'Header.Get')], 'linked'],
    ['a function', BIN, [imp('encoding/json', 'Unmarshal', 'Marshal')], 'linked'],
    [
      'a dotted last path element, escaped by the linker',
      BIN,
      [imp('gopkg.in/yaml.v3', 'Unmarshal')],
      'linked',
    ],
    ['a generic function', BIN, [imp('example.com/lib', 'Map')], 'linked'],
    ['a method of a generic type', BIN, [imp('example.com/lib', 'List.Push')], 'linked'],
    ['a value method of a generic type', BIN, [imp('example.com/gen', 'Pair.First')], 'linked'],
    ['one of several imports', BIN, [imp('net/url', 'Parse'), imp('net/http', 'Client.Do')], 'linked'],
    ['named symbols, none linked', BIN, [imp('encoding/json', 'Marshal', 'Decoder.Decode')], 'not-linked'],
    ['only a closure of the symbol (not the symbol itself)', BIN, [imp('net/http', 'Get')], 'not-linked'],
    ['the same name in another package', BIN, [imp('net', 'Dial')], 'not-linked'],
    ['a method name as a function', BIN, [imp('net/http', 'Do')], 'not-linked'],
    ['a package the binary does not hold', BIN, [imp('golang.org/x/net/html', 'Parse')], 'not-linked'],
    ['an import that names no symbols', BIN, [imp('encoding/json')], 'unknown'],
    [
      'a named miss and an import without symbols',
      BIN,
      [imp('net', 'Dial'), imp('encoding/json')],
      'unknown',
    ],
    [
      'a named hit beside an import without symbols',
      BIN,
      [imp('net/http', 'Client.Do'), imp('x/y')],
      'linked',
    ],
    ['a record with no imports', BIN, [], 'unknown'],
    ['no function table', undefined, [imp('net/http', 'Client.Do')], 'unknown'],
    ['a truncated table without the symbol', table(['main.main'], true), [imp('net', 'Dial')], 'unknown'],
    ['a truncated table with the symbol', table(['net.Dial'], true), [imp('net', 'Dial')], 'linked'],
    ['an empty symbols list counts as none', BIN, [{ path: 'net', symbols: [] }], 'unknown'],
  ];
  it.each(cases)('%s', (_, t, imports, want) => {
    expect(reachability(t, imports)).toBe(want);
  });

  it('names the linked symbols, bounded', () => {
    const imports = [imp('net/http', 'Client.Do', 'Header.Get', 'Get'), imp('encoding/json', 'Unmarshal')];
    expect(linkedSymbols(BIN, imports)).toEqual([
      'net/http.Client.Do',
      'net/http.Header.Get',
      'encoding/json.Unmarshal',
    ]);
    expect(linkedSymbols(BIN, imports, 1)).toEqual(['net/http.Client.Do']);
    expect(linkedSymbols(undefined, imports)).toEqual([]);
  });

  it('spells package paths as the linker does', () => {
    expect(tableNames('gopkg.in/yaml.v3', 'Unmarshal')).toContain('gopkg.in/yaml%2ev3.Unmarshal');
    expect(tableNames('example.com/a.b/c', 'F')).toEqual(['example.com/a.b/c.F', 'example.com/a.b/c.F[...]']);
    expect(tableNames('example.com/ü', 'F')).toContain('example.com/%c3%bc.F');
  });

  it('judges by the binary path in the flattened image', () => {
    const files = [
      { path: '/app', type: 'file', elf: { kinds: null, stripped: true, goFunctions: BIN } },
      { path: '/old', type: 'file', elf: { kinds: null, stripped: true } },
      { path: '/link', type: 'hardlink', link: '/app' },
    ] as unknown as FlatFile[];
    const judge = goJudge(files);
    expect(judge('/app', [imp('net/http', 'Client.Do')]).reachability).toBe('linked');
    expect(judge('/app', [imp('net', 'Dial')]).reachability).toBe('not-linked');
    expect(judge('/old', [imp('net/http', 'Client.Do')]).reachability).toBe('unknown');
    expect(judge('/missing', [imp('net/http', 'Client.Do')]).reachability).toBe('unknown');
  });
});

describe('fix lines', () => {
  const DF = [
    'ARG GO=1.22',
    'FROM --platform=$BUILDPLATFORM golang:1.22.3-bookworm AS build',
    'RUN go build -o /app .',
    'FROM golang:1.22 as test',
    'FROM golang:1.21.9 AS old',
    'FROM golang:1.22.7-alpine AS newer',
    'FROM golang:1.22.1@sha256:' + 'a'.repeat(64) + ' AS pinned',
    'FROM golang:${GO} AS arg',
    'FROM docker.io/library/golang:1.22.0',
    'FROM scratch',
    'COPY --from=build /app /app',
  ].join('\n');

  it('moves the golang FROM lines of the fixed release line to the fixed release', () => {
    const fix = goReleaseFix('1.22.5', DF);
    expect(fix?.release).toBe('go1.22.5');
    expect(fix?.edits.map((e) => [e.line, e.to])).toEqual([
      [2, 'FROM --platform=$BUILDPLATFORM golang:1.22.5-bookworm AS build'],
      [4, 'FROM golang:1.22.5 as test'],
      [9, 'FROM docker.io/library/golang:1.22.5'],
    ]);
    expect(fix?.skipped.map((s) => s.line)).toEqual([5, 6, 7, 8]);
    expect(fix?.skipped[0]?.reason).toMatch(/another release line/);
    expect(fix?.skipped[1]?.reason).toMatch(/already go1.22.5 or later/);
    expect(fix?.skipped[2]?.reason).toMatch(/pinned by digest/);
    expect(fix?.skipped[3]?.reason).toMatch(/does not name a Go version/);
    const after = applyEdits(DF, fix?.edits.map((e) => e.edit) ?? []).split('\n');
    expect(after[1]).toBe('FROM --platform=$BUILDPLATFORM golang:1.22.5-bookworm AS build');
    expect(after.length).toBe(DF.split('\n').length);
  });

  it('takes the versions a record writes, and nothing else', () => {
    expect(goReleaseFix('go1.22.5')?.release).toBe('go1.22.5');
    expect(goReleaseFix('v1.21.12')?.release).toBe('go1.21.12');
    expect(goReleaseFix('1.23')?.release).toBe('go1.23.0');
    expect(goReleaseFix('latest')).toBeUndefined();
    expect(goReleaseFix('1.22.5; rm -rf /')).toBeUndefined();
    expect(goReleaseFix('1.22.5', 'FROM debian\n')?.edits).toEqual([]);
  });

  it('names the module version for a module', () => {
    expect(goModuleFix('golang.org/x/net', '0.23.0')).toEqual({
      module: 'golang.org/x/net',
      version: 'v0.23.0',
      command: 'go get golang.org/x/net@v0.23.0',
    });
    expect(goModuleFix('example.com/m/v2', 'v2.1.0-rc.1')?.command).toBe(
      'go get example.com/m/v2@v2.1.0-rc.1',
    );
    expect(goModuleFix('stdlib', '1.22.5')).toBeUndefined();
    expect(goModuleFix('x; rm -rf /', '1.0.0')).toBeUndefined();
    expect(goModuleFix('golang.org/x/net', '1.0.0 && curl')).toBeUndefined();
  });
});
