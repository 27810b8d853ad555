#!/usr/bin/env node
/** The `slimgate` CLI entry point (dist/cli.js). Exit codes: 0 passed, 1 policy failed, 2 usage or input error. */
import { isScanWorker, startScanWorker } from './scan/pool.js';
import { cancelled, cancelOnSignals } from './util/interrupt.js';
import { failureLine } from './util/errors.js';
import { main } from './cli/main.js';

function start(): void {
  // Ctrl-C stops docker save or the build, and removes temp files, before the exit (130, as shells say).
  cancelOnSignals((line) => process.stderr.write(`slimgate: ${line}\n`), 130);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // Cancelled: the children were stopped on purpose, and the cancellation is the one line.
      if (cancelled()) return;
      process.stderr.write(`slimgate: ${failureLine(err)}\n`);
      if (process.env['SLIMGATE_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 2;
    },
  );
}

// The bundle is also its own scan worker (see src/scan/pool.ts).
if (isScanWorker()) startScanWorker();
else start();
