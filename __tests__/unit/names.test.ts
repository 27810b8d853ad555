// Names are bytes: the engine's lossless string form (src/util/names.ts) and how reports show it
// (src/report/names.ts). The byte strings are written with the test helper's own encoder (`raw`).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findingKey } from '../../src/analysis/finding.js';
import { diffFiles } from '../../src/report/diff.js';
import { showNames } from '../../src/report/names.js';
import type { Report, ReportFile } from '../../src/types/report.js';
import {
  decodeName,
  encodeName,
  isUtf8Name,
  nameByteLength,
  showName,
  showText,
} from '../../src/util/names.js';
import { raw } from '../helpers/tar.js';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);

describe('decodeName / encodeName', () => {
  it('decodes ASCII and valid UTF-8 as text, the same as a UTF-8 decoder', () => {
    for (const s of ['/usr/bin/env', 'café', '日本語', 'emoji 😀', '\u{10ffff}', 'U+FFFD \ufffd']) {
      expect(decodeName(Buffer.from(s, 'utf8'))).toBe(s);
      expect(isUtf8Name(decodeName(Buffer.from(s, 'utf8')))).toBe(true);
    }
  });

  it('keeps bytes that are not UTF-8: 0xff and 0xfe stay two names, and neither is U+FFFD', () => {
    const ff = decodeName(b(0x61, 0xff));
    const fe = decodeName(b(0x61, 0xfe));
    const fffd = decodeName(Buffer.from('a\ufffd', 'utf8'));
    expect(new Set([ff, fe, fffd]).size).toBe(3);
    expect(isUtf8Name(ff)).toBe(false);
    expect(isUtf8Name(fffd)).toBe(true);
    expect(encodeName(ff)).toEqual(b(0x61, 0xff));
  });

  it.each([
    ['Latin-1 é', [0x63, 0x61, 0x66, 0xe9]],
    ['a lone continuation byte', [0x80]],
    ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
    ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence (E2 82)', [0xe2, 0x82]],
    ['a 4-byte char then a stray byte', [0xf0, 0x9f, 0x98, 0x80, 0xdc]],
    ['a stray byte that follows a high-surrogate-looking prefix', [0xed, 0xb3, 0xbf]],
  ])('round-trips %s exactly, and flags it as not UTF-8', (_, bytes) => {
    const s = decodeName(Buffer.from(bytes));
    expect(encodeName(s)).toEqual(Buffer.from(bytes));
    expect(isUtf8Name(s)).toBe(false);
    expect(nameByteLength(s)).toBe(bytes.length);
  });

  it('is injective: 20,000 random byte strings round-trip, and distinct bytes never decode alike', () => {
    const seen = new Map<string, string>();
    const bad: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Biased toward lead and continuation bytes, with some ASCII: (in)valid UTF-8 of every kind.
      const bytes = Buffer.from(
        randomBytes(1 + (i % 7)).map((x) =>
          x % 4 === 0 ? x & 0x7f : x % 4 === 1 ? 0x80 | (x & 0x3f) : x | 0x80,
        ),
      );
      const s = decodeName(bytes);
      const hex = bytes.toString('hex');
      if (!encodeName(s).equals(bytes)) bad.push(`${hex} does not round-trip`);
      if (nameByteLength(s) !== bytes.length) bad.push(`${hex}: wrong byte length`);
      const other = seen.get(s);
      if (other !== undefined && other !== hex) bad.push(`${hex} decodes like ${other}`);
      seen.set(s, hex);
      if (isUtf8Name(s) !== bytes.equals(Buffer.from(bytes.toString('utf8'), 'utf8')))
        bad.push(`${hex}: isUtf8`);
    }
    expect(bad).toEqual([]);
  });

  it('agrees with the test helper: raw() then decodeName() is the identity on escaped strings', () => {
    for (const s of ['root/\udcff/id_ed25519', 'caf\udce9', 'a\\\udcfe', '😀\udc80']) {
      expect(decodeName(raw(s))).toBe(s);
    }
  });
});

describe('showName / showText', () => {
  it('shows valid UTF-8 as is, backslashes included', () => {
    expect(showName('/a\\xff/é')).toBe('/a\\xff/é');
  });

  it('shows stray bytes as \\xHH and backslashes as \\\\ in a name that is not UTF-8', () => {
    expect(showName(decodeName(b(0x2f, 0x72, 0xff)))).toBe('/r\\xff');
    expect(showName(decodeName(Buffer.from([...Buffer.from('/a\\'), 0xfe])))).toBe('/a\\\\\\xfe');
    expect(showName(decodeName(Buffer.from([...Buffer.from('/é'), 0xe9])))).toBe('/é\\xe9');
  });

  it('never shows two different non-UTF-8 names the same (a literal "\\xff" against the byte)', () => {
    const literal = decodeName(Buffer.from([...Buffer.from('a\\xff'), 0x80]));
    const byte = decodeName(b(0x61, 0xff, 0x80));
    expect(showName(literal)).not.toBe(showName(byte));
  });

  it('shows a message with stray bytes as \\xHH and leaves its other text alone', () => {
    expect(showText(`shell ${decodeName(b(0x2f, 0xff))} present — "\\x"`)).toBe(
      'shell /\\xff present — "\\x"',
    );
  });
});

describe('showNames (the report boundary)', () => {
  it('rewrites names with a …Base64 sibling, messages with \\xHH, and leaves UTF-8 untouched', () => {
    const bad = decodeName(raw('/root/\udcff/id_ed25519'));
    const report = {
      files: [
        { path: '/ok/é', link: null },
        { path: bad, link: null },
        { path: '/l', link: decodeName(raw('\udcfe')) },
      ],
      findings: [{ id: 'SG501', message: `private key in ${bad}`, path: bad }],
      entrypoint: { argv: ['/app'], resolved: null, evidence: [`via ${bad}`] },
    } as unknown as Report;
    const out = showNames(report) as unknown as Record<string, unknown[]>;
    expect(out['files']).toEqual([
      { path: '/ok/é', link: null },
      {
        path: '/root/\\xff/id_ed25519',
        link: null,
        pathBase64: raw('/root/\udcff/id_ed25519').toString('base64'),
      },
      { path: '/l', link: '\\xfe', linkBase64: '/g==' },
    ]);
    expect(out['findings']).toEqual([
      {
        id: 'SG501',
        message: 'private key in /root/\\xff/id_ed25519',
        path: '/root/\\xff/id_ed25519',
        pathBase64: raw('/root/\udcff/id_ed25519').toString('base64'),
      },
    ]);
    expect(JSON.stringify(out)).not.toMatch(/\\udc/);
    expect((out as unknown as { entrypoint: { evidence: string[] } }).entrypoint.evidence).toEqual([
      'via /root/\\xff/id_ed25519',
    ]);
  });
});

describe('the diff tells names apart by their bytes', () => {
  const f = (path: string, size: number, pathBase64?: string): ReportFile => ({
    path,
    ...(pathBase64 ? { pathBase64 } : {}),
    type: 'file',
    size,
    mode: '0644',
    uid: 0,
    gid: 0,
    link: null,
    layer: 0,
  });

  it('a file named "a\\xff" and the name a + 0xff (both shown /a\\xff) are two files', () => {
    const literal = f('/a\\xff', 7);
    const byte = f('/a\\xff', 4, raw('/a\udcff').toString('base64'));
    const d = diffFiles([literal], [literal, byte]);
    expect([d.added, d.removed, d.changed]).toEqual([1, 0, 0]);
    expect(d.directories.flatMap((x) => x.files.map((c) => c.after))).toEqual([byte]);
  });

  it('findings on those two names have different keys', () => {
    const base = {
      id: 'SG501',
      category: 'secret',
      severity: 'error' as const,
      message: 'm',
      remediation: 'r',
    };
    expect(findingKey({ ...base, path: '/a\\xff' })).not.toBe(
      findingKey({ ...base, path: '/a\\xff', pathBase64: raw('/a\udcff').toString('base64') }),
    );
  });
});
