// The one subprocess helper (src/util/subprocess.ts), against real tiny processes.
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import { ProcessExitError, runProcess, streamProcess } from '../../src/util/subprocess.js';

const node = process.execPath;

describe('runProcess', () => {
  it.each([0, 1, 3, 255])('reports exit code %i with stdout and stderr apart', async (code) => {
    const r = await runProcess('sh', ['-c', `echo out; echo err >&2; exit ${code}`]);
    expect(r).toMatchObject({ code, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    expect(r.output).toMatch(/out\n|err\n/);
    expect(r.spawnError).toBeUndefined();
  });

  it('reports a signal as the signal, with no code', async () => {
    const r = await runProcess('sh', ['-c', 'kill -KILL $$']);
    expect(r.code).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });

  it('kills a process that outlives its timeout, and says so', async () => {
    const t0 = Date.now();
    const r = await runProcess(node, ['-e', 'setTimeout(() => {}, 30_000)'], { timeoutMs: 200 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(r.code).toBeNull();
  });

  it('does not time out a process that finishes in time', async () => {
    const r = await runProcess('sh', ['-c', 'exit 0'], { timeoutMs: 10_000 });
    expect(r).toMatchObject({ code: 0, timedOut: false });
  });

  it('keeps only the tail of a huge stderr, and the head of a huge stdout', async () => {
    const script = `
      const line = 'x'.repeat(1023) + '\\n';
      for (let i = 0; i < 2048; i++) process.stderr.write(line);
      process.stderr.write('LAST LINE\\n');
      process.stdout.write('FIRST' + 'y'.repeat(4 * 1024 * 1024));`;
    const r = await runProcess(node, ['-e', script], { maxTail: 1000, maxStdout: 4096 });
    expect(r.code).toBe(0);
    expect(r.stderr.length).toBeLessThanOrEqual(1000);
    expect(r.stderr.endsWith('LAST LINE\n')).toBe(true);
    expect(r.output.length).toBeLessThanOrEqual(1000);
    expect(r.stdout.length).toBe(4096);
    expect(r.stdout.startsWith('FIRST')).toBe(true);
  });

  it('writes `input` to stdin and closes it', async () => {
    const r = await runProcess(node, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'héllo\nworld' });
    expect(r).toMatchObject({ code: 0, stdout: 'héllo\nworld' });
  });

  it('gives a process no stdin without `input` (it reads end of file at once)', async () => {
    const r = await runProcess('sh', ['-c', 'cat; echo done'], { timeoutMs: 10_000 });
    expect(r).toMatchObject({ code: 0, stdout: 'done\n', timedOut: false });
  });

  it('does not fail when the process exits without reading its input', async () => {
    const r = await runProcess('sh', ['-c', 'exit 0'], { input: 'z'.repeat(1024 * 1024) });
    expect(r.code).toBe(0);
  });

  it('passes env and cwd', async () => {
    const r = await runProcess('sh', ['-c', 'printf "%s %s" "$SLIMGATE_T" "$(pwd)"'], {
      env: { PATH: process.env['PATH'], SLIMGATE_T: 'v1' },
      cwd: '/',
    });
    expect(r.stdout).toBe('v1 /');
  });

  it('streams each chunk to onOutput, naming the stream', async () => {
    const seen: string[] = [];
    await runProcess('sh', ['-c', 'echo a; echo b >&2'], { onOutput: (t, s) => seen.push(`${s}:${t}`) });
    expect(seen.sort()).toEqual(['stderr:b\n', 'stdout:a\n']);
  });

  it('never rejects for a program that is not installed: spawnError is ENOENT', async () => {
    const r = await runProcess('slimgate-no-such-program', ['x']);
    expect(r.spawnError?.code).toBe('ENOENT');
    expect(r.code).toBeNull();
  });

  it('never throws for a name spawn refuses outright', async () => {
    const r = await runProcess('bad\0name', []);
    expect(r.spawnError).toBeDefined();
    expect(r.code).toBeNull();
  });
});

describe('streamProcess', () => {
  async function drain(p: ReturnType<typeof streamProcess>): Promise<string> {
    let out = '';
    await pipeline(p.stdout, async (input: AsyncIterable<Buffer>) => {
      for await (const c of input) out += c.toString('utf8');
    });
    return out;
  }

  it('resolves with 0 after a clean exit, stdout read whole', async () => {
    const p = streamProcess('sh', ['-c', 'echo hello; echo note >&2']);
    expect(await drain(p)).toBe('hello\n');
    await expect(p.exited).resolves.toBe(0);
    expect(p.stderr()).toBe('note\n');
  });

  it('turns a non-zero exit into a ProcessExitError with the stderr tail and one line', async () => {
    const p = streamProcess('sh', ['-c', 'echo first >&2; echo "Error: boom" >&2; exit 4'], { name: 'tool' });
    await drain(p);
    const err = await p.exited.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessExitError);
    const e = err as ProcessExitError;
    expect(e.code).toBe(4);
    expect(e.stderr).toBe('first\nError: boom\n');
    expect(e.message).toBe('tool failed (exit 4): Error: boom');
  });

  it('bounds the stderr it keeps', async () => {
    const p = streamProcess(
      node,
      ['-e', "for (let i = 0; i < 5000; i++) console.error('line ' + i); process.exitCode = 1"],
      {
        maxTail: 200,
      },
    );
    await drain(p);
    const e = (await p.exited.catch((x: unknown) => x)) as ProcessExitError;
    expect(e.stderr.length).toBeLessThanOrEqual(200);
    expect(e.stderr).toMatch(/line 4999\n$/);
  });

  it('a program that is not installed is one InputError line (the caller says which)', async () => {
    const p = streamProcess('slimgate-no-such-program', [], { notFound: 'the tool is not installed' });
    await drain(p).catch(() => {});
    const err = await p.exited.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('the tool is not installed');
  });

  it('a name spawn refuses is an InputError at once', () => {
    expect(() => streamProcess('bad\0name', [], { name: 'bad' })).toThrow(/^cannot run bad: /);
  });

  it('after kill(), the exit is not an error of its own', async () => {
    const p = streamProcess(node, ['-e', 'setInterval(() => process.stdout.write("x"), 5)']);
    await pipeline(p.stdout, async (input: AsyncIterable<Buffer>) => {
      for await (const c of input) {
        void c;
        throw new Error('reader gave up');
      }
    }).catch(() => p.kill());
    await expect(p.exited).resolves.toBeNull();
  });

  it('a slow reader pauses the writer: the child blocks, and memory stays bounded', async () => {
    // The child writes 64 MiB as fast as the pipe takes it, and reports on stderr how much it has written.
    const script = `
      const chunk = Buffer.alloc(64 * 1024, 120);
      let written = 0;
      function more() {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          process.stderr.write(written + '\\n');
          if (!process.stdout.write(chunk)) return process.stdout.once('drain', more);
        }
      }
      more();`;
    const p = streamProcess(node, ['-e', script]);
    const writtenSoFar = (): number => Number(p.stderr().trim().split('\n').pop() ?? 0);
    let read = 0;
    let maxBuffered = 0;
    let writtenWhileSlow = 0;
    let chunks = 0;
    await pipeline(p.stdout, async (input: AsyncIterable<Buffer>) => {
      for await (const c of input) {
        read += c.length;
        maxBuffered = Math.max(maxBuffered, p.stdout.readableLength);
        if (++chunks <= 5) {
          await sleep(150);
          writtenWhileSlow = writtenSoFar();
        }
      }
    });
    await expect(p.exited).resolves.toBe(0);
    expect(read).toBe(64 * 1024 * 1024);
    // While the reader dawdled, the child got no further than what the pipe and the stream's buffer hold.
    expect(writtenWhileSlow).toBeGreaterThan(0);
    expect(writtenWhileSlow).toBeLessThan(4 * 1024 * 1024);
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  });
});
