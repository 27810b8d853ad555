// Image text on the CLI's --fix-dockerfile lines and in SARIF messages (issue 24): line breaks, tabs, C1
// controls (CSI U+009B, NEL U+0085) and bidi overrides are escaped by the one escaping of src/util/text.ts,
// so an image path can neither start a workflow command (`::error`, `::stop-commands`) nor reorder text.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { emitFixes } from '../../src/output/fix-dockerfile.js';
import { sarifText } from '../../src/report/sarif.js';
import { escapeBlock, escapeControls } from '../../src/util/text.js';
import type { FixPlan } from '../../src/analysis/fixes.js';

const HOSTILE = '/app\n::error::owned\t\r::stop-commands::x\u009b31m\u0085NEL\u202eevil\u2066iso\u2069\u202a';
const RAW = /[\n\r\t\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

describe('--fix-dockerfile (CLI) escapes the image text it quotes', () => {
  it('a reason quoting an entrypoint path stays one escaped line', () => {
    const plan: FixPlan = {
      path: 'Dockerfile',
      before: 'FROM scratch\n',
      after: 'FROM scratch\n',
      fixes: [],
      skipped: [{ rule: 'SG701', line: 3, reason: `the entrypoint ${HOSTILE} is not in the image` }],
    };
    const out = collect();
    const err = collect();
    emitFixes(plan, false, out.stream, err.stream);
    const lines = err.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^slimgate: no fix for SG701 \(line 3\): the entrypoint \/app\\n::error::owned\\t\\r/,
    );
    for (const l of lines) {
      expect(l).not.toMatch(RAW);
      expect(l.startsWith('::')).toBe(false);
    }
    expect(lines[0]).toContain('\\x9b31m\\x85NEL\\u202eevil\\u2066iso\\u2069\\u202a');
  });

  it('the diff block keeps its lines and tabs, and escapes everything else', () => {
    expect(escapeBlock('+RUN a\tb\n-x\u009b\u202ey\r')).toBe('+RUN a\tb\n-x\\x9b\\u202ey\\r');
    expect(escapeControls('a\u0085b')).toBe('a\\x85b');
  });
});

describe('SARIF message text escapes C1 controls and bidi overrides', () => {
  it('escapes them as --json escapes C0 controls', () => {
    const t = sarifText(HOSTILE);
    expect(t).not.toMatch(RAW);
    expect(t).toContain('\\x9b31m');
    expect(t).toContain('\\x85NEL');
    expect(t).toContain('\\u202eevil');
    expect(t).toContain('\\u2066iso\\u2069');
    expect(t).toContain('\\n::error::owned\\t');
  });
});
