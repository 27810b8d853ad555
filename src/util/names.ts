/**
 * Names from an image are bytes. Inside the engine a name is a JavaScript string that holds those bytes
 * losslessly, with Python's "surrogateescape" (PEP 383): bytes that form valid UTF-8 decode as usual, and
 * each byte that does not becomes the lone surrogate U+DC80..U+DCFF. Valid UTF-8 never decodes to a lone
 * surrogate, so two different byte strings never become the same string, and every comparison (whiteouts,
 * opaque dirs, hard links, symlinks, rules) is a comparison of bytes.
 *
 * Why not latin1 ("binary" strings)? Most names with non-ASCII bytes are valid UTF-8, and the image config
 * (ENTRYPOINT, WORKDIR, PATH) is JSON text that the kernel receives as UTF-8: with this form a config path
 * and a file name compare as the kernel compares them, with no conversion at each lookup, and a message
 * that quotes a name shows it readably. Only the report boundary (src/report/names.ts) has to act, and only
 * on the rare lone surrogates.
 */

import { isUtf8 } from 'node:buffer';

const ESC = 0xdc00;

/** Bytes → engine string (lossless). */
export function decodeName(b: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < b.length; i++) {
    if ((b[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  if (ascii) return buf.toString('latin1');
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    const n = c < 0x80 ? 1 : validSeq(b, i);
    if (n === 0) {
      out += String.fromCharCode(ESC + c);
      i++;
    } else {
      out += buf.toString('utf8', i, i + n);
      i += n;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 when it is not one. */
function validSeq(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  const at = (k: number): number => (i + k < b.length ? (b[i + k] as number) : -1);
  const cont = (v: number, lo = 0x80, hi = 0xbf): boolean => v >= lo && v <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(at(1)) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(at(1), lo, hi) && cont(at(2)) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(at(1), lo, hi) && cont(at(2)) && cont(at(3)) ? 4 : 0;
  }
  return 0;
}

/** Engine string → the name's bytes (the inverse of decodeName). */
export function encodeName(s: string): Buffer {
  if (isUtf8Name(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (isLoneEscape(s, i, u)) {
      parts.push(Buffer.from(s.slice(from, i), 'utf8'), Buffer.of(u - ESC));
      from = i + 1;
    } else if (u >= 0xd800 && u <= 0xdbff) i++; // a pair: skip its low half
  }
  parts.push(Buffer.from(s.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

function isLoneEscape(s: string, i: number, u: number): boolean {
  if (u < 0xdc80 || u > 0xdcff) return false;
  const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
  return !(prev >= 0xd800 && prev <= 0xdbff);
}

/** A lone surrogate: with the `u` flag a class of low surrogates never matches half of a pair. */
const LONE = /[\uDC80-\uDCFF]/u;
const LONE_ALL = /[\uDC80-\uDCFF]/gu;

/** True when the name's bytes are valid UTF-8 (it holds no escaped byte). */
export function isUtf8Name(s: string): boolean {
  // A well-formed string has no lone surrogate at all: the native check answers almost every name, and
  // only a string with some lone surrogate needs the class test.
  return s.isWellFormed() || !LONE.test(s);
}

/** How many bytes the name has: what NAME_MAX and PATH_MAX count. */
export function nameByteLength(s: string): number {
  if (isUtf8Name(s)) return Buffer.byteLength(s, 'utf8');
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) n += 1;
    else if (u < 0x800) n += 2;
    else if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const v = s.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else if (u >= 0xdc80 && u <= 0xdcff)
      n += 1; // an escaped byte (a lone low surrogate here)
    else n += 3;
  }
  return n;
}

const hex2 = (u: number): string => `\\x${(u - ESC).toString(16).padStart(2, '0')}`;

/**
 * The name as shown in a report: valid UTF-8 as is; otherwise every byte that is not part of valid UTF-8
 * as `\xHH` and every backslash as `\\`, so that two different non-UTF-8 names never show the same. A
 * valid name may still look like an escaped one (a file really named `a\xff`): the report tells them apart
 * by the extra `…Base64` field that only non-UTF-8 names carry.
 */
export function showName(s: string): string {
  if (isUtf8Name(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(LONE_ALL, (m) => hex2(m.charCodeAt(0)));
}

/**
 * A name's identity, for matching names across two reports: equal for the same bytes, different for different
 * bytes. The engine's string and the report's shown form (`\xHH` text, its exact bytes in the `…Base64`
 * sibling: src/report/names.ts) give the same key, so a judgement made before the report boundary and one made
 * after it agree. A shown name that only looks escaped (a file really named `a\xff`) has no sibling: text.
 */
export function nameKey(name: string, base64?: string): string {
  if (base64 !== undefined) return `b${base64}`;
  return isUtf8Name(name) ? `t${name}` : `b${encodeName(name).toString('base64')}`;
}

/** Free text that may quote names (a message): escaped bytes as `\xHH`, nothing else changed. */
export function showText(s: string): string {
  return isUtf8Name(s) ? s : s.replace(LONE_ALL, (m) => hex2(m.charCodeAt(0)));
}
